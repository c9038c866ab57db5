"""Known incidents (issue 19 item 2): declared, complaints linked and answered once, all told once at the end."""

import datetime as dt

import pytest

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.common.time import now
from complaintdesk.complaints.intake import complaint_take_in
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.complaints.states import Status
from complaintdesk.notifications.models import Notification
from complaintdesk.outreach import matching
from complaintdesk.outreach.models import Incident, IncidentLink, IncidentStatus
from complaintdesk.outreach.selectors import incident_counts, incident_summary
from complaintdesk.outreach.services import (
    complaint_incident_link,
    incident_declare,
    incident_event_receive,
    incident_feedback_send,
    incident_resolve,
)
from complaintdesk.testing import intake_data

pytestmark = pytest.mark.django_db


def _outage(org, committed=None, **over):
    data = dict(
        kind="outage", title="徐汇区宽带中断", explanation="徐汇区一处光缆被施工挖断，工程师正在抢修。",
        units=["SH-A"], district="徐汇区", products="宽带",
        starts_at=now() - dt.timedelta(hours=1), expected_end_at=now() + dt.timedelta(hours=3),
    )  # fmt: skip
    data.update(over)
    return (committed or (lambda f, **k: f(**k)))(incident_declare, actor=org.manager, **data)


def take_in(committed, actor, **over):
    """A case taken in as every channel does (its after-intake steps run when it commits)."""
    return committed(complaint_take_in, data=intake_data(**over), actor=actor)


def _complaint(org, n: int, committed, **over):
    over = {"title": "宽带断网", "product": "家庭宽带", **over}
    return take_in(
        committed, org.agent_a, customer=IntakeCustomer(name=f"客户{n}", phone=f"1380013{n:04d}"), **over
    )


def test_matching_is_pure_and_needs_an_area():
    at = dt.datetime(2026, 12, 6, 8, tzinfo=dt.UTC)
    incident = matching.IncidentFacts(id=1, declared_at=at, starts_at=at, ends_at=None, district="徐汇区",
                                      products=("宽带",))  # fmt: skip
    case = matching.CaseFacts(received_at=at + dt.timedelta(minutes=5), occurred_at=None, unit_path="/HQ/",
                              place="徐汇区漕溪路", title="宽带断网", product="")  # fmt: skip
    assert matching.matches(incident, case)
    assert not matching.matches(incident, matching.CaseFacts(**{**case.__dict__, "place": "浦东"}))
    assert not matching.matches(incident, matching.CaseFacts(**{**case.__dict__, "title": "账单多扣费"}))
    nowhere = matching.IncidentFacts(id=2, declared_at=at, starts_at=at, ends_at=None)
    assert not matching.matches(nowhere, case)


def test_spoken_times():
    zone = dt.timezone(dt.timedelta(hours=8))
    today = dt.date(2026, 12, 6)
    at = dt.datetime(2026, 12, 6, 18, 0, tzinfo=zone)
    assert matching.spoken_time(at, today=today, zone=zone, language="zh-hans") == "今天18:00"
    assert (
        matching.spoken_time(at + dt.timedelta(days=1), today=today, zone=zone, language="zh-hans")
        == "明天18:00"
    )
    assert (
        matching.spoken_time(at + dt.timedelta(days=3), today=today, zone=zone, language="zh-hans")
        == "12月9日（周三）18:00"
    )
    assert (
        matching.spoken_time(at + dt.timedelta(days=3), today=today, zone=zone, language="en")
        == "Wednesday 9 December, 18:00"
    )
    assert matching.spoken_time(at, today=today, zone=zone, language="en") == "today 18:00"
    small_hours = dt.datetime(2026, 12, 7, 4, 23, tzinfo=zone)
    assert matching.spoken_time(small_hours, today=today, zone=zone, language="zh-hans") == "明天凌晨4:23"
    assert matching.spoken_time(small_hours, today=today, zone=zone, language="en") == "tomorrow 4:23 am"


def test_only_supervisors_and_managers_declare_and_the_form_says_what_is_wrong(org):
    with pytest.raises(PermissionDenied):
        incident_declare(actor=org.agent_a, title="x", explanation="y", district="徐汇区", starts_at=now())
    with pytest.raises(InvalidInput) as refused:
        incident_declare(actor=org.manager, title="", explanation="y", starts_at="明天", units=["NOPE"])
    fields = refused.value.fields
    assert set(fields) >= {"title", "starts_at", "units"}
    assert not Incident.objects.exists()


def test_complaints_are_linked_and_answered_once_and_all_told_once_at_the_end(org, sms_sent, committed):
    incident = _outage(org)
    cases = [_complaint(org, n, committed) for n in range(5)]
    other = take_in(committed, org.agent_a, title="账单多扣了58元", product="话费",
                   customer=IntakeCustomer(name="赵先生", phone="13900139000"))  # fmt: skip
    assert IncidentLink.objects.filter(incident=incident).count() == 5
    assert not IncidentLink.objects.filter(complaint=other).exists()
    sent = sms_sent()
    for n in range(5):
        texts = [t for t in sent[f"+86138001300{n:02d}"] if "光缆" in t]
        assert len(texts) == 1, texts
        assert "您反映的问题我们已经知道：徐汇区一处光缆被施工挖断，工程师正在抢修" in texts[0]
        assert "预计" in texts[0] and "恢复" in texts[0] and "outage" not in texts[0]
    assert incident_counts(limit=10)[0].complaints == 5

    committed(
        incident_resolve,
        incident_id=incident.pk,
        actor=org.manager,
        resolution="已更换受损光缆",
        mode="continue",
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    sent = sms_sent()
    for n in range(5):
        over = [t for t in sent[f"+86138001300{n:02d}"] if "已于" in t]
        assert len(over) == 1 and "徐汇区宽带中断已于今天" in over[0] and "已更换受损光缆" in over[0], over
    assert incident_feedback_send(incident_id=incident.pk) == {"told": 0, "failed": 0, "remaining": 0}
    assert sum(len([t for t in v if "已于" in t]) for v in sms_sent().values()) == 5
    assert all(c.status == Complaint.objects.get(pk=c.pk).status for c in cases)  # continued as they were
    summary = incident_summary(incident=incident)
    assert summary["complaints"] == 5 and summary["answered"] == 5 and summary["told_over"] == 5
    with pytest.raises(InvalidInput):  # resolved once
        incident_resolve(incident_id=incident.pk, actor=org.manager, resolution="again", mode="continue")


def test_close_mode_sends_the_result_and_the_case_waits_for_the_customer(org, committed):
    incident = _outage(org)
    case = _complaint(org, 1, committed)
    committed(
        incident_resolve,
        incident_id=incident.pk,
        actor=org.manager,
        resolution="已更换受损光缆",
        mode="close",
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CUSTOMER
    link = IncidentLink.objects.get(complaint=case)
    assert link.feedback_at and "等待客户确认" in link.feedback_note
    assert Notification.objects.filter(complaint=case, template_code="result").count() == 1


def test_a_case_linked_by_hand_is_answered_and_events_are_received_once(org, committed):
    first, created = incident_event_receive(
        actor=None, source="wms", external_id="batch-42", kind="shipment_delay", title="批次42延迟发货",
        explanation="仓库调配出错，批次42的订单要晚5天发货", accounts="ORD-1\nORD-2",
        starts_at=now() - dt.timedelta(days=1), expected_end_at=now() + dt.timedelta(days=5),
    )  # fmt: skip
    again, created_again = incident_event_receive(
        actor=None, source="wms", external_id="batch-42", kind="shipment_delay", title="x", explanation="y",
        accounts="ORD-1", starts_at=now(),
    )  # fmt: skip
    assert created and not created_again and again.pk == first.pk and Incident.objects.count() == 1
    case = _complaint(org, 7, committed, title="我的订单还没发货")
    assert not IncidentLink.objects.filter(complaint=case).exists()  # not on the list
    committed(complaint_incident_link, number=case.number, actor=org.agent_a, incident_id=first.pk)
    link = IncidentLink.objects.get(complaint=case)
    assert link.linked_by == org.agent_a and link.answered_at is not None
