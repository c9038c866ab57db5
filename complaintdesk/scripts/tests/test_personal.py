"""One de-personalisation, two replacements: the steps find the same personal data whoever calls them;
the caller says only what each piece becomes. Pure: no database."""

import pytest

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
