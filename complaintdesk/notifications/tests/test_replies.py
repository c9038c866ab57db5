"""The agent's progress reply to the customer (notifications.replies): only while the case is being dealt
with, only after the reply checker (a blocking finding refuses it, warnings need a reason), as the kind's
progress message; nothing is written when it is refused."""

import pytest

from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.complaints.states import ContactKind, Status
from complaintdesk.notifications.models import Notification
from complaintdesk.notifications.replies import (
    ReplyNeedsOverride,
    customer_reply_allowed,
    customer_reply_send,
)
from complaintdesk.scripts.models import ReplyCheckOverride
from complaintdesk.scripts.services import ReplyBlocked
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db

# The checker wants the agent named (their display name here, "agent_a") and a time promised.
CLEAN = "王女士您好，我是客服agent_a，我会在今天 18:00 前回电。"
WARNED = "王女士，给您添麻烦了，我非常抱歉，但是维修师傅今天都排满了。"
BLOCKED = "您好，但是我们做不到。"


def _nothing_written(case: Complaint, events: int) -> None:
    assert not Notification.objects.filter(complaint=case).exists()
    assert not ReplyCheckOverride.objects.filter(complaint=case).exists()
    assert case.events.count() == events


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.NEW, True),
        (Status.HANDLING, True),
        (Status.ESCALATED, True),
        (Status.REOPENED, True),
        (Status.RESOLVED, True),
        (Status.FOLLOW_UP, True),
        (Status.CLOSED, False),
        (Status.WITHDRAWN, False),
    ],
)
def test_a_reply_is_allowed_while_the_case_is_dealt_with_or_followed_up(status, allowed):
    assert customer_reply_allowed(complaint=Complaint(status=status)) is allowed


def test_a_clean_reply_goes_out_as_the_progress_message(org):
    case = intake(org.agent_a)
    message = customer_reply_send(number=case.number, actor=org.agent_a, text=CLEAN + "\n", channel="sms")
    assert message.template_code == "progress" and message.channel == "sms"
    assert f"投诉{case.number}进展" in message.body and "我会在今天 18:00 前回电" in message.body
    assert not ReplyCheckOverride.objects.exists()


def test_a_reply_to_an_inquiry_is_an_answer_not_complaint_progress(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    message = customer_reply_send(
        number=inquiry.number,
        actor=org.agent_a,
        text="您好，300M 套餐月费 99 元，可在营业厅办理",
        channel="sms",
        override_reason="咨询的答复",
    )
    assert f"您的咨询{inquiry.number}答复：您好，300M 套餐月费 99 元" in message.body
    assert "投诉" not in message.body
    complaint = intake(org.agent_a)
    message = customer_reply_send(
        number=complaint.number,
        actor=org.agent_a,
        text="工程师今天上门",
        channel="sms",
        override_reason="进展",
    )
    assert f"投诉{complaint.number}进展" in message.body
    assert Notification.objects.count() >= 2


def test_a_blocking_finding_refuses_the_reply_even_with_a_reason(org):
    case = intake(org.agent_a)
    events = case.events.count()
    with pytest.raises(ReplyBlocked):
        customer_reply_send(number=case.number, actor=org.agent_a, text=BLOCKED, override_reason="客户催")
    _nothing_written(case, events)


def test_warnings_need_a_reason_which_is_recorded_with_the_reply(org):
    case = intake(org.agent_a)
    events = case.events.count()
    with pytest.raises(ReplyNeedsOverride) as refused:
        customer_reply_send(number=case.number, actor=org.agent_a, text=WARNED, override_reason="  ")
    assert refused.value.result.warnings
    _nothing_written(case, events)

    message = customer_reply_send(
        number=case.number, actor=org.agent_a, text=WARNED, override_reason="客户要求马上回复"
    )
    assert "维修师傅今天都排满了" in message.body
    override = ReplyCheckOverride.objects.get(complaint=case)
    assert override.reason == "客户要求马上回复"
    assert case.events.get(kind=EventKind.REPLY_OVERRIDDEN).actor == org.agent_a


def test_a_closed_case_gets_no_reply_and_an_empty_draft_is_refused(org):
    case = intake(org.agent_a)
    events = case.events.count()
    with pytest.raises(InvalidInput) as refused:
        customer_reply_send(number=case.number, actor=org.agent_a, text="   ")
    assert "text" in refused.value.fields
    Complaint.objects.filter(pk=case.pk).update(status=Status.CLOSED, is_open=False)
    with pytest.raises(InvalidInput) as refused:
        customer_reply_send(number=case.number, actor=org.agent_a, text=CLEAN)
    assert "不能再向客户发送答复" in refused.value.fields["status"][0]
    _nothing_written(case, events)


def test_only_a_handler_who_sees_the_case_may_reply(org):
    case = intake(org.agent_a)
    events = case.events.count()
    with pytest.raises(NotFound):
        customer_reply_send(number=case.number, actor=org.agent_b, text=CLEAN)
    with pytest.raises(PermissionDenied):
        customer_reply_send(number=case.number, actor=org.inspector, text=CLEAN)
    _nothing_written(case, events)


@pytest.mark.parametrize(
    ("kind", "language", "sentence"),
    [
        (
            ContactKind.COMPLAINT,
            "zh-hans",
            "有新进展：王女士您好，我是客服agent_a，我会在今天 18:00 前回电。\n",
        ),
        (ContactKind.INQUIRY, "zh-hans", "：王女士您好，我是客服agent_a，我会在今天 18:00 前回电。\n"),
        (ContactKind.COMPLAINT, "en", "): I am agent_a and I will call you back by 18:00 today.\n"),
    ],
)
def test_a_reply_by_email_reads_as_a_finished_sentence(org, kind, language, sentence):
    # The reply goes out without its full stop (the template ends the sentence): the e-mail must put it back.
    customer = IntakeCustomer(
        name="王女士", phone="13800138000", email="wang@example.com", preferred_channel="email"
    )
    case = intake(org.agent_a, kind=kind, demand="", customer=customer, language=language)
    text = CLEAN if language != "en" else "I am agent_a and I will call you back by 18:00 today."
    message = customer_reply_send(number=case.number, actor=org.agent_a, text=text, override_reason="试用")
    assert message.channel == "email"
    assert sentence in message.body
