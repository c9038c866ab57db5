"""The timeline in words (complaints.event_text.events_for_people): labels for fields and values, local
times, the text of what was sent to the customer; never a field name, enum value or template code."""

import re

from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.notifications.services import complaint_acknowledge
from complaintdesk.testing import handling_case, ladder_org  # noqa: F401 (fixture)
from tests.raw_codes import raw_codes_in


def _visible(line) -> str:
    return " ".join((line.kind, line.what, line.old, line.new, line.channel, line.reason))


def test_a_rich_timeline_reads_as_words(ladder_org, django_capture_on_commit_callbacks):  # noqa: F811
    org = ladder_org
    with django_capture_on_commit_callbacks(execute=True):
        complaint = handling_case(org.agent_a)
        complaint_acknowledge(complaint_id=complaint.pk)
    complaint_analyse(
        number=complaint.number, actor=org.agent_a, changes={"priority": 1, "severity": "major"}
    )
    complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求经理处理")
    events = list(
        ComplaintEvent.objects.filter(complaint=complaint).select_related("actor").order_by("at", "id")
    )
    lines = events_for_people(events)

    words = {(line.event.kind, line.event.field): line for line in lines}
    created = words[(EventKind.CREATED, "")]
    assert (created.kind, created.new) == ("登记投诉", "待受理")
    status = next(line for line in lines if line.event.kind == EventKind.TRANSITION)
    assert (status.what, status.old, status.new) == ("状态", "待受理", "已受理")
    priority = words[(EventKind.FIELD_CHANGED, "priority")]
    assert (priority.what, priority.old, priority.new) == ("优先级", "中", "紧急")
    severity = words[(EventKind.FIELD_CHANGED, "severity")]
    assert (severity.old, severity.new) == ("一般投诉", "重大投诉")
    deadline = next(line for line in lines if line.event.field == "first_response_due_at")
    assert deadline.what == "首次响应时限" and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", deadline.new)
    level = words[(EventKind.ESCALATED, "escalation_level")]
    assert (level.what, level.old, level.new) == ("升级层级", "一线客服", "业务经理")
    assert words[(EventKind.DEADLINES, "level_resolve_due_at")].what == "本层级解决时限"
    # What the customer was sent is on the timeline, in full, with the message's name (not its code).
    told = next(line for line in lines if line.event.kind == EventKind.NOTIFIED)
    assert (told.new, told.channel) == ("受理告知", "短信")
    assert complaint.number in told.text and "【" in told.text
    for line in lines:
        assert not raw_codes_in(_visible(line)), (line.event.kind, line.event.field, _visible(line))
        assert "T" not in re.sub(r"[^0-9T:-]", "", line.new) or not re.search(r"\d{4}-\d{2}-\d{2}T", line.new)
