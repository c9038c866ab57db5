"""A case's regulatory codes: suggested from its text by keyword rules, confirmed by a person (who and when,
one timeline event in words), validated against the active scheme."""

import pytest
from django.utils import translation

from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.regulation.models import CaseCode, CaseCodeStatus, ClassificationCode
from complaintdesk.regulation.services import complaint_codes_confirm, complaint_codes_suggest
from complaintdesk.regulation.suggest import CodeKeywords, suggest_codes

from .conftest import intake

pytestmark = pytest.mark.django_db

CARD_FRAUD = dict(
    title="信用卡被盗刷",
    description="我在手机银行APP里看到信用卡被盗刷了三笔，打客服电话一直没人处理。",
    demand="追回被盗刷的钱",
)


def codes_of(complaint) -> dict[str, tuple[str, str]]:
    return {
        c.dimension.code: (c.code.code, c.status)
        for c in CaseCode.objects.filter(complaint=complaint).select_related("dimension", "code")
    }


def test_codes_are_suggested_from_the_case_text(org):
    case = intake(org.agent_a, **CARD_FRAUD)
    complaint_codes_suggest(number=case.number, actor=org.agent_a)
    assert codes_of(case) == {
        "A": ("A010303", CaseCodeStatus.SUGGESTED),  # 手机银行、APP
        "B": ("B03", CaseCodeStatus.SUGGESTED),  # 信用卡
        "C": ("C09", CaseCodeStatus.SUGGESTED),  # 盗刷
    }
    basis = CaseCode.objects.get(complaint=case, dimension__code="C").suggestion_basis
    assert "盗刷" in basis


def test_no_keyword_no_suggestion():
    assert suggest_codes(text="天气很好", codes=[CodeKeywords("A", "A01", 1, "柜台、网点")]) == {}


def test_a_deeper_code_wins_a_tie():
    codes = [CodeKeywords("A", "A01", 1, "银行"), CodeKeywords("A", "A0101", 2, "银行")]
    assert suggest_codes(text="银行", codes=codes)["A"].code == "A0101"


def test_confirming_records_who_and_a_timeline_event_in_words(org):
    case = intake(org.agent_a, **CARD_FRAUD)
    complaint_codes_suggest(number=case.number, actor=org.agent_a)
    complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=["A010302", "B03", "C09"])
    rows = CaseCode.objects.filter(complaint=case)
    assert {(r.status, r.confirmed_by_id) for r in rows} == {(CaseCodeStatus.CONFIRMED, org.agent_a.pk)}
    assert codes_of(case)["A"][0] == "A010302"  # the agent's choice, not the suggestion
    event = ComplaintEvent.objects.filter(complaint=case, field="regulatory_codes").get()
    (line,) = events_for_people([event])
    assert line.what == "监管分类"
    assert line.new == "电话 (A010302)；银行卡 (B03)；资金安全 (C09)"
    with translation.override("en"):
        (line,) = events_for_people([event])
        assert line.new == "Telephone (A010302)；Bank cards (B03)；Safety of funds (C09)"


def test_a_suggestion_never_replaces_a_confirmed_code(org):
    case = intake(org.agent_a, **CARD_FRAUD)
    complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=["A0101", "B99", "C01"])
    complaint_codes_suggest(number=case.number, actor=org.agent_a)
    assert {d: s for d, (_c, s) in codes_of(case).items()} == dict.fromkeys("ABC", CaseCodeStatus.CONFIRMED)


def test_confirming_the_same_codes_again_writes_no_second_event(org):
    case = intake(org.agent_a, **CARD_FRAUD)
    for _ in range(2):
        complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=["A0101", "B03", "C09"])
    complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=["A0101", "B03", "C01"])
    events = ComplaintEvent.objects.filter(complaint=case, field="regulatory_codes").order_by("id")
    assert events.count() == 2
    (change,) = events_for_people([events.last()])
    assert change.old.endswith("资金安全 (C09)") and change.new.endswith("服务态度及服务质量 (C01)")


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (["A0101", "B03"], "请选择“投诉原因”的代码"),
        (["A0101", "A0102", "B03", "C09"], "只能选一个代码"),
        (["A0103", "B03", "C09"], "还有下级分类"),
        (["A0101", "B03", "C42"], "代码 C42 不在"),
    ],
    ids=["dimension-missing", "two-in-one-dimension", "not-the-most-specific", "unknown-code"],
)
def test_bad_codes_are_refused_in_words(org, codes, words):
    case = intake(org.agent_a, **CARD_FRAUD)
    with pytest.raises(InvalidInput) as invalid:
        complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=codes)
    assert any(words in problem for problem in invalid.value.fields["codes"])
    assert not CaseCode.objects.filter(complaint=case).exists()


def test_only_people_who_may_handle_the_case_confirm_codes(org):
    case = intake(org.agent_a, **CARD_FRAUD)
    with pytest.raises(NotFound):
        complaint_codes_confirm(number=case.number, actor=org.agent_b, codes=["A0101", "B03", "C09"])
    with pytest.raises(PermissionDenied):
        complaint_codes_confirm(number=case.number, actor=org.inspector, codes=["A0101", "B03", "C09"])


def test_only_a_most_specific_code_is_suggested(org):
    ClassificationCode.objects.filter(code="A0103").update(keywords="电子渠道、手机")  # a code with sub-codes
    case = intake(org.agent_a, title="手机上办理业务失败", description="在手机上转账失败。")
    complaint_codes_suggest(number=case.number, actor=org.agent_a)
    assert "A" not in codes_of(case)  # 手机 only matches A0103, which a case cannot be given
