"""Approving an extension of a case's statutory decision deadline (banking: complex 30日, +30日 only with the
designated role's approval and notice to the complainant, 60日 at most)."""

import datetime as dt
import json

import pytest

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.notifications.models import Notification, NotificationTemplate
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


def outbox_lines(path) -> list[dict]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


@pytest.fixture
def sms_outbox(settings, tmp_path):
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "sms.jsonl"
    settings.NOTIFY_SMS_SIGNATURE = "示例银行"
    return settings.NOTIFY_SMS_OUTBOX


def test_the_complainant_is_sent_one_message_with_the_new_day_and_the_reason(
    org, complex_case, clock, sms_outbox, django_capture_on_commit_callbacks
):
    clock.at(local(2026, 10, 12, 10))
    with django_capture_on_commit_callbacks(execute=True):
        extension = statutory_extension_approve(
            number=complex_case.number, actor=org.executive, amount=30, reason="需调取跨行交易记录"
        )
    (sms,) = outbox_lines(sms_outbox)  # exactly one message went out
    assert sms["to"] == "+8613800138000"
    body = sms["body"]
    assert "11月19日（周四）" in body and "需调取跨行交易记录" in body and complex_case.number in body
    assert "statutory" not in body and "2026-11-19" not in body  # words, not codes
    notice = Notification.objects.get(complaint=complex_case)
    assert (notice.template_code, notice.status, notice.channel) == ("statutory_extension", "sent", "sms")
    extension.refresh_from_db()
    assert extension.customer_notice == notice and extension.customer_notified_at == extension.approved_at
    # On the case's timeline, in words: the new deadline and the message sent.
    events = ComplaintEvent.objects.filter(complaint=complex_case, kind=EventKind.NOTIFIED)
    (line,) = events_for_people(list(events))
    assert "延期告知" in line.reason and "短信" in line.reason and "138****8000" in line.reason


def test_a_complainant_who_cannot_be_written_to_must_be_told_otherwise_first(org, complex_case, sms_outbox):
    NotificationTemplate.objects.filter(code="statutory_extension").update(is_active=False)
    with pytest.raises(PermissionDenied, match="告知投诉人"):
        statutory_extension_approve(number=complex_case.number, actor=org.executive, amount=30, reason="复杂")
    assert not StatutoryExtension.objects.exists() and not Notification.objects.exists()
    told = local(2026, 10, 1, 9)
    extension = statutory_extension_approve(
        number=complex_case.number, actor=org.executive, amount=30, reason="复杂", customer_notified_at=told
    )
    assert extension.customer_notified_at == told and extension.customer_notice is None


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
