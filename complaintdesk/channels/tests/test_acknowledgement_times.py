"""The acknowledgement's next steps (the portal's "filed" page, what the agent reads out on the phone) say
the promised times as the SMS and the deadlines beside them do: "12月7日（周一）22:30", never
"2026-12-07 22:44" — the same promise, in the same words, everywhere the customer reads it."""

import pytest

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.common.testing import local
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def test_the_steps_promise_the_times_as_people_say_them(org, time_machine):
    time_machine.move_to(local(2026, 12, 7, 20, 44), tick=False)  # a Monday evening
    case = intake(org.agent_a)
    case.first_response_due_at = local(2026, 12, 7, 22, 44)
    case.resolution_due_at = local(2026, 12, 9, 20, 44)
    ack = acknowledgement_build(case)
    assert ack.next_steps[0] == "我们会在 12月7日（周一）22:30 前与您联系，了解详细情况。"
    assert ack.next_steps[2].startswith("我们将在 12月9日（周三）20:30 前通过")
    assert "2026-12-07" not in ack.text and "22:44" not in ack.text


def test_a_result_time_already_past_is_not_promised(org, time_machine):
    time_machine.move_to(local(2026, 12, 7, 20, 44), tick=False)
    case = intake(org.agent_a)  # recorded late: both of its times are gone by
    case.first_response_due_at = local(2026, 12, 6, 9, 0)
    case.resolution_due_at = local(2026, 12, 7, 9, 0)
    ack = acknowledgement_build(case)
    assert ack.next_steps[0] == "我们会尽快与您联系，了解详细情况。"
    assert ack.next_steps[2].startswith("我们会尽快通过") and ack.next_steps[2].endswith("告诉您处理结果。")
    assert "—" not in ack.text
