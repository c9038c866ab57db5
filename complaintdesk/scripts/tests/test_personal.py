"""One de-personalisation, two replacements: the steps find the same personal data whoever calls them;
the caller says only what each piece becomes. Pure: no database."""

import pytest
from django.utils import translation

from complaintdesk.complaints.redaction import redaction_removes_only
from complaintdesk.learning.depersonalise import text_depersonalised
from complaintdesk.privacy.redaction import text_redacted
from complaintdesk.scripts.personal import personal_data_replaced

TEXT = (
    "客户黄宇轩来电，电话138 5516 0806，身份证110101199003074514，邮箱 a.b@qq.com，"
    "住在上海杨浦区绿洲新城26号楼3单元2001室，运单号CD473637275721，王女士说退了12元。"
)
KNOWN = [("name", "黄宇轩"), ("phone", "+8613855160806"), ("reference", "12")]


def _tagged(kind: str, value: str) -> str:
    return f"<{kind}>"


def test_each_step_finds_its_kind_and_the_replacement_decides_what_it_becomes():
    assert personal_data_replaced(TEXT, replacement=_tagged, known=KNOWN) == (
        "客户<name>来电，电话<phone>，身份证<id_card>，邮箱 <email>，"
        "住在<address>，运单号<reference>，<surname>女士说退了12元。"
    )


def test_a_replacement_that_keeps_the_value_changes_nothing():
    assert personal_data_replaced(TEXT, replacement=lambda kind, value: value, known=KNOWN) == TEXT


def test_the_replacement_is_given_what_was_found():
    found = []
    personal_data_replaced(TEXT, replacement=lambda kind, value: found.append((kind, value)) or "×")
    assert ("id_card", "110101199003074514") in found
    assert ("reference", "CD473637275721") in found
    assert ("address", "上海杨浦区绿洲新城26号楼3单元2001室") in found


@pytest.mark.parametrize("depersonalise", [text_redacted, text_depersonalised])
def test_both_callers_remove_the_same_personal_data_addresses_included(depersonalise):
    out = depersonalise(TEXT, known=KNOWN)
    for personal in ("黄宇轩", "5516", "110101199003074514", "a.b@qq.com", "绿洲新城", "26号楼", "473637275"):
        assert personal not in out
    assert "退了12元" in out  # an amount is nobody
    assert depersonalise(out, known=KNOWN) == out  # twice is once


def test_the_anonymiser_masks_where_the_library_names_the_kind():
    assert text_redacted("电话13912345678，住幸福里18号1502户", known=[("name", "王芳")]) == (
        "电话139****5678，住【地址】"
    )
    assert text_depersonalised("电话13912345678，住幸福里18号1502户") == "电话【手机号】，住【地址】"


def test_the_anonymisers_masks_only_remove_information_as_the_timeline_requires():
    """The timeline's database function refuses a redaction that adds anything (complaints 0016): what
    the anonymiser writes must pass it, also where a mask is longer than what it hides — a short e-mail, a
    two-digit room — and in whatever language the job runs."""
    texts = [
        TEXT,
        "邮箱 a@qq.cn 或 ab@x.cn，住12室，卡号 6222 0212 3456 7890 123",
        "电话+86 139-1234-5678，(021)12345678，黄宇轩说住在3单元2001室，又住幸福里18号1502户",
    ]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for text in texts:
                out = text_redacted(text, known=KNOWN)
                assert out != text and redaction_removes_only(text, out), (text, out)
    with translation.override("en"):
        assert "【地址】" in text_redacted("住幸福里18号1502户")  # stored in Chinese, as the other marks
    assert "a@qq.cn" not in text_redacted("邮箱 a@qq.cn") and "12室" not in text_redacted("住12室")
