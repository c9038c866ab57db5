"""Stored system sentences shown in the reader's language (common.catalogue_text), against the real
catalogues: the expected English is asked of gettext, so a reworded translation does not break these."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from complaintdesk.common.catalogue_text import in_reader_language
from complaintdesk.common.configcache import config_changed
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.orgs.services import orgunit_create

pytestmark = pytest.mark.django_db  # the units' names come from the database


def tr(msgid: str) -> str:
    """gettext of the catalogues' own sentences (called through a name the message scan does not take
    for new strings of this file: tests/test_i18n.py)."""
    return gettext(msgid)


def written_in(language: str, build) -> str:
    with translation.override(language):
        return build()


def read_in(language: str, text: str) -> str:
    with translation.override(language):
        return in_reader_language(text)


def intake_reason() -> str:
    return tr("通过%(channel)s登记") % {"channel": tr("电话")} + tr("（记录人：%(who)s）") % {
        "who": "张晓雯 A1001"
    }


def test_a_reason_written_in_chinese_reads_in_english_sentence_by_sentence_with_its_blanks():
    stored = written_in("zh-hans", intake_reason)
    assert stored == "通过电话登记（记录人：张晓雯 A1001）"
    english = read_in("en", stored)
    assert english == written_in("en", intake_reason)
    assert "张晓雯 A1001" in english and "通过" not in english
    assert read_in("zh-hans", stored) == stored


def test_a_reason_written_in_english_reads_in_chinese():
    stored = written_in("en", intake_reason)
    assert read_in("zh-hans", stored) == "通过电话登记（记录人：张晓雯 A1001）"


def test_a_plain_sentence_and_one_line_per_part():
    assert read_in("en", "状态变更后重算时限") == written_in("en", lambda: tr("状态变更后重算时限"))

    def result() -> str:
        return "\n".join(
            [tr("原因：%(text)s") % {"text": "光缆被挖断"}, tr("结果：%(text)s") % {"text": tr("问题已解决")}]
        )

    cause, outcome = read_in("en", written_in("zh-hans", result)).split("\n")
    # "原因：%(text)s" has twins in the catalogue ("原因：%(why)s" …), any of which may say it in English.
    assert cause.endswith(": 光缆被挖断") and "原因" not in cause
    assert outcome == written_in("en", lambda: tr("结果：%(text)s") % {"text": tr("问题已解决")})


def test_what_a_person_wrote_is_shown_as_written_never_half_translated():
    typed = "已受理，短信告知客户投诉单号和处理时限"  # holds catalogue words (短信, 时限), is no sentence
    assert read_in("en", typed) == typed
    # One line of a text is no catalogue sentence: the whole text stays as written.
    mixed = "状态变更后重算时限\n客户说明天再来"
    assert read_in("en", mixed) == mixed


def test_a_persons_words_inside_a_blank_are_not_cut_at_a_catalogue_word():
    def why() -> str:
        return tr("人工升级") + tr("：%(reason)s") % {"reason": "客户对处理方案不满意，要求上级处理"}

    stored = written_in("zh-hans", why)
    english = read_in("en", stored)
    assert english == written_in("en", why)
    assert english.endswith("客户对处理方案不满意，要求上级处理")  # 方案 inside it stays


def test_nothing_and_unknown_text_pass_through():
    assert read_in("en", "") == ""
    assert read_in("en", "Hello 世界") == "Hello 世界"


def test_a_units_name_in_a_reason_reads_in_the_readers_language():
    orgunit_create(code="NET", name="网络部", name_en="Network Department", kind=UnitKind.DEPARTMENT)

    def passed() -> str:
        return tr("建议已转交%(unit)s") % {"unit": "网络部"}

    english = read_in("en", written_in("zh-hans", passed))
    assert english.endswith("Network Department") and "网络部" not in english
    # Renamed in English: the next reading says the new name.
    OrgUnit.objects.filter(code="NET").update(name_en="Network Operations")
    config_changed("orgs")
    assert read_in("en", written_in("zh-hans", passed)).endswith("Network Operations")
