"""What the ladder tells people: the customer hears who holds the case now and by when (and the level's
acknowledge deadline is met when that message is sent), staff get an e-mail, level holders a daily digest."""

import datetime as dt
import json

import pytest
from django.core import mail

from complaintdesk.common.time import local_zone
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.escalation.digest import digest_for, digests_send, next_digest_at
from complaintdesk.escalation.models import CaseEscalation, DigestDelivery, EscalationHandOff
from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.inbox.models import EmailStatus, StaffNotification
from complaintdesk.inbox.services import staff_emails_retry_due
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.notifications.services import notification_send
from complaintdesk.scripts.services import case_deadline_text
from complaintdesk.sla.models import SlaTimer, TimerKind

from .conftest import handling_case, intake, local, sweep


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "sms.jsonl"
    return settings.NOTIFY_SMS_OUTBOX


@pytest.fixture
def emails(ladder_org):
    for user in (
        ladder_org.agent_a,
        ladder_org.manager,
        ladder_org.head,
        ladder_org.gm,
        ladder_org.executive,
    ):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return ladder_org


def _live_level_timers(complaint):
    return SlaTimer.objects.filter(
        complaint=complaint, kind=TimerKind.LEVEL_ACKNOWLEDGE, state__in=["pending", "warned"]
    )


def test_the_customer_is_told_the_new_holder_and_that_meets_the_acknowledge_deadline(
    emails, clock, _outbox, django_capture_on_commit_callbacks
):
    org = emails
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(org)
    clock.at(local(2026, 11, 24, 11))
    with django_capture_on_commit_callbacks(execute=True):
        hand_off = complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")

    sent = Notification.objects.get(complaint=complaint, template_code="escalated")
    assert sent.status == NotificationStatus.SENT and sent.channel == "sms"
    assert "业务经理" in sent.body and complaint.number in sent.body
    line = json.loads(_outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert line["to"].endswith("13800138000") or "138" in line["to"]
    state = CaseEscalation.objects.get(complaint=complaint)
    assert state.customer_acknowledged_at == local(2026, 11, 24, 11)
    assert EscalationHandOff.objects.get(pk=hand_off.pk).customer_acknowledged_at == local(2026, 11, 24, 11)
    assert ComplaintEvent.objects.filter(complaint=complaint, field="level_acknowledged_at").count() == 1
    # The acknowledge clock is met: nothing will warn or breach on it.
    assert not _live_level_timers(complaint).exists()
    clock.at(local(2026, 11, 27, 12))
    sweep()
    assert not ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_BREACH, field="level_acknowledge"
    ).exists()


def test_the_customer_is_promised_the_cases_result_deadline_not_the_levels_clock(
    emails, clock, _outbox, django_capture_on_commit_callbacks
):
    # One date for the customer: the case's result deadline, which the acknowledgement, the progress
    # messages and the portal state; the business manager's own resolve clock (later) is for staff.
    org = emails
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(org)
    clock.at(local(2026, 11, 24, 11))
    with django_capture_on_commit_callbacks(execute=True):
        hand_off = complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")
        notification_send(
            complaint=complaint, template_code="progress", extra={"progress": "已安排工程师上门"}
        )
    complaint.refresh_from_db()
    assert hand_off.resolve_due_at.date() != complaint.resolution_due_at.date()  # two clocks, two days
    promised = case_deadline_text(complaint=complaint, at=complaint.resolution_due_at, language="zh-hans")
    level_due = hand_off.resolve_due_at.astimezone(local_zone())
    level_day = f"{level_due.month}月{level_due.day}日"
    escalated = Notification.objects.get(complaint=complaint, template_code="escalated")
    progress = Notification.objects.get(complaint=complaint, template_code="progress")
    assert f"于{promised}前告知处理结果" in escalated.body, escalated.body
    assert level_day not in escalated.body, escalated.body
    assert promised in progress.body  # the same words in every message


def test_without_any_contact_the_holder_must_tell_the_customer(
    emails, clock, django_capture_on_commit_callbacks
):
    org = emails
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    # No way to reach the customer: neither the record nor the case (which keeps the contact given with it).
    complaint.customer.phone = ""
    complaint.customer.save(update_fields=["phone"])
    Complaint.objects.filter(pk=complaint.pk).update(contact_phone="")
    with django_capture_on_commit_callbacks(execute=True):
        complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")
    assert not Notification.objects.filter(complaint=complaint, template_code="escalated").exists()
    assert CaseEscalation.objects.get(complaint=complaint).customer_acknowledged_at is None
    assert _live_level_timers(complaint).exists()


def test_a_message_about_an_earlier_level_does_not_meet_the_next_levels_deadline(emails, clock):
    from complaintdesk.escalation.services import escalation_customer_told

    org = emails
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")
    queued_at = local(2026, 11, 24, 10, 5)
    clock.at(local(2026, 11, 24, 10, 30))
    complaint_escalate(
        number=complaint.number, actor=org.manager, reason="金额超出权限"
    )  # now the branch head
    assert (
        escalation_customer_told(
            complaint_id=complaint.pk, at=local(2026, 11, 24, 10, 31), sent_after=queued_at
        )
        is False
    )
    assert CaseEscalation.objects.get(complaint=complaint).customer_acknowledged_at is None


def test_the_new_holder_gets_an_email_about_the_case(emails, clock, django_capture_on_commit_callbacks):
    org = emails
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")
    to_manager = [m for m in mail.outbox if m.to == ["manager@example.com"]]
    assert len(to_manager) == 1
    assert complaint.number in to_manager[0].subject and "升级到您" in to_manager[0].subject
    assert f"/complaints/{complaint.number}/" in to_manager[0].body


def test_the_daily_digest_goes_once_to_each_holder_with_something_to_read(
    emails, clock, django_capture_on_commit_callbacks
):
    org = emails
    clock.at(local(2026, 11, 24, 10))
    held = handling_case(org)
    complaint_escalate(number=held.number, actor=org.agent_a, reason="客户要求经理处理")
    clock.at(local(2026, 11, 24, 10, 5))
    quiet = intake(org.agent_a)  # first response due in 24 h; breaches on Wednesday 10:00
    clock.at(local(2026, 11, 25, 10, 30))
    sweep()
    clock.at(local(2026, 11, 26, 8))

    digest = digest_for(user=org.manager, day=dt.date(2026, 11, 26))
    assert [state.complaint_id for state in digest.held] == [held.pk]
    assert quiet.pk in {event.complaint_id for event in digest.breaches}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = digests_send(day=dt.date(2026, 11, 26))
    to_manager = [m for m in mail.outbox if m.to == ["manager@example.com"]]
    assert len(to_manager) == 1 and counts["sent"] >= 1
    assert held.number in to_manager[0].body and quiet.number in to_manager[0].body
    assert "承接 1 件" in to_manager[0].subject
    # The same digest is in the manager's notifications in the workbench.
    notice = StaffNotification.objects.get(user=org.manager, kind="escalation_digest")
    assert held.number in notice.body and notice.link == "/supervisor/"
    # A rerun (or a second worker) sends nothing again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = digests_send(day=dt.date(2026, 11, 26))
    assert mail.outbox == [] and again["sent"] == 0
    assert DigestDelivery.objects.filter(user=org.manager, day=dt.date(2026, 11, 26)).count() == 1


def test_a_digest_that_could_not_be_sent_is_sent_again_by_the_retry_sweep(
    emails, clock, monkeypatch, django_capture_on_commit_callbacks
):
    org = emails
    clock.at(local(2026, 11, 24, 10))
    complaint_escalate(number=handling_case(org).number, actor=org.agent_a, reason="客户要求经理处理")
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    monkeypatch.setattr(
        EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("smtp down"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(day=dt.date(2026, 11, 24))["sent"] >= 1
    notice = StaffNotification.objects.get(user=org.manager, kind="escalation_digest")
    assert notice.email_status == EmailStatus.FAILED and "smtp down" in notice.email_error
    monkeypatch.setattr(EmailMessage, "send", real_send)
    mail.outbox.clear()
    clock.at(local(2026, 11, 24, 10, 5))  # past the first retry's back-off
    assert staff_emails_retry_due() >= 1
    assert any(m.to == ["manager@example.com"] for m in mail.outbox)
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENT


def test_the_digest_runs_at_eight_local_time():
    assert next_digest_at(after=local(2026, 11, 24, 7, 59)) == local(2026, 11, 24, 8)
    assert next_digest_at(after=local(2026, 11, 24, 8)) == local(2026, 11, 25, 8)
    assert next_digest_at(after=local(2026, 12, 31, 23)) == local(2027, 1, 1, 8)


def test_the_new_holders_notice_says_why_and_who_moved_the_case(
    ladder_org, clock, django_capture_on_commit_callbacks
):
    """The person a case comes up to reads, in the notice itself, why it came and from whom (a walk-through
    found only the title, unit and deadline there: the manager had to open the timeline to learn why)."""
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户不接受方案，要求经理处理")

    notice = StaffNotification.objects.get(
        user=org.manager, kind="case_new_holder", complaint_id=complaint.pk
    )
    assert "原因：人工升级：客户不接受方案，要求经理处理" in notice.body
    assert f"经办人：{org.agent_a}" in notice.body


def test_a_case_the_rules_moved_names_the_breach_and_no_person(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    quiet = intake(org.agent_a)  # first response due in 24 h
    clock.at(local(2026, 11, 26, 10, 30))
    sweep()

    notices = StaffNotification.objects.filter(kind="case_new_holder", complaint_id=quiet.pk)
    assert notices.exists()
    for notice in notices:
        assert "原因：超时未处理" in notice.body
        assert "经办人" not in notice.body


def test_the_why_and_who_are_in_the_new_holders_language(
    ladder_org, clock, django_capture_on_commit_callbacks
):
    org = ladder_org
    org.manager.language = "en"
    org.manager.save(update_fields=["language"])
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")

    notice = StaffNotification.objects.get(
        user=org.manager, kind="case_new_holder", complaint_id=complaint.pk
    )
    assert "Why: Manual escalation: 客户要求经理处理" in notice.body
    assert f"Moved by: {org.agent_a}" in notice.body
