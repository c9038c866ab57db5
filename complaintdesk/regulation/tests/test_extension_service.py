"""Approving an extension of a case's statutory decision deadline (banking: complex 30日, +30日 only with the
designated role's approval and notice to the complainant, 60日 at most)."""

import datetime as dt

import pytest

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.regulation.models import StatutoryExtension
from complaintdesk.regulation.selectors import complaint_statutory_dues
from complaintdesk.regulation.services import statutory_extension_approve

from .conftest import intake, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def complex_case(org, banking, clock):
    clock.at(local(2026, 9, 20, 9))  # a 调休 working Sunday before 国庆
    case = intake(org.agent_a, title="贷款利率纠纷")
    complaint_analyse(number=case.number, actor=org.agent_a, changes={"complexity": "complex"})
    case.refresh_from_db()
    return case


def decision_day(case) -> dt.date:
    (decision,) = [d for d in complaint_statutory_dues(complaint=case) if d.clock.value == "decision"]
    return decision.last_day


def test_the_executive_extends_a_complex_case_to_60_days(org, complex_case, clock):
    assert decision_day(complex_case) == dt.date(2026, 10, 20)
    clock.at(local(2026, 10, 12, 10))
    statutory_extension_approve(
        number=complex_case.number, actor=org.executive, amount=30, reason="需调取跨行交易记录",
        customer_notified_at=local(2026, 10, 12, 9),
    )  # fmt: skip
    assert decision_day(complex_case) == dt.date(2026, 11, 19)
    event = ComplaintEvent.objects.get(complaint=complex_case, field="statutory_decision")
    (line,) = events_for_people([event])
    assert (line.what, line.new, line.reason) == ("法定处理时限", "2026-11-19", "需调取跨行交易记录")


def test_another_role_cannot_approve_it(org, complex_case):
    with pytest.raises(PermissionDenied) as refused:
        statutory_extension_approve(
            number=complex_case.number,
            actor=org.manager,
            amount=30,
            reason="复杂",
            customer_notified_at=local(2026, 10, 1),
        )
    assert "管理层" in refused.value.message
    assert not StatutoryExtension.objects.exists()


def test_the_complainant_must_be_told_first(org, complex_case):
    with pytest.raises(PermissionDenied, match="告知投诉人"):
        statutory_extension_approve(number=complex_case.number, actor=org.executive, amount=30, reason="复杂")


def test_the_total_is_capped_at_60_days(org, complex_case):
    told = local(2026, 10, 1, 9)
    statutory_extension_approve(
        number=complex_case.number, actor=org.executive, amount=20, reason="一", customer_notified_at=told
    )
    with pytest.raises(PermissionDenied, match="60"):
        statutory_extension_approve(
            number=complex_case.number, actor=org.executive, amount=11, reason="二", customer_notified_at=told
        )
    assert StatutoryExtension.objects.count() == 1


def test_a_general_case_is_not_extended(org, banking):
    case = intake(org.agent_a)
    with pytest.raises(PermissionDenied, match="复杂"):
        statutory_extension_approve(
            number=case.number,
            actor=org.executive,
            amount=30,
            reason="复杂",
            customer_notified_at=local(2026, 10, 1),
        )


def test_a_reason_is_required(org, complex_case):
    with pytest.raises(InvalidInput):
        statutory_extension_approve(number=complex_case.number, actor=org.executive, amount=30, reason="  ")


def test_a_case_without_a_pack_has_nothing_to_extend(org):
    case = intake(org.agent_a)
    with pytest.raises(PermissionDenied, match="没有适用的法定时限包"):
        statutory_extension_approve(number=case.number, actor=org.executive, amount=30, reason="复杂")
