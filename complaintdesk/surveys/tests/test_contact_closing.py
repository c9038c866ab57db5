"""What the customer of an inquiry, a suggestion or praise hears (issue 19): the closing words in the kind's own
message, once; never a result, a survey or an escalation message, never the word 投诉."""

import pytest

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.contacts import praise_credit, suggestion_route
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import ContactKind, Status
from complaintdesk.notifications.models import Notification
from complaintdesk.notifications.services import NotificationImpossible, notification_send
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def _messages(contact) -> list[Notification]:
    return list(Notification.objects.filter(complaint=contact).order_by("id"))


def _closing(contact) -> Notification:
    [message] = [m for m in _messages(contact) if m.template_code == "progress"]
    return message


def test_an_answered_inquiry_sends_the_answer_in_the_words_of_a_question(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, channel="email", title="咨询套餐资费", demand="")
    complaint_transition(
        number=inquiry.number, actor=org.agent_a, to=Status.CLOSED, reason="新套餐每月 59 元，含 100G 流量。"
    )
    answer = _closing(inquiry)
    assert f"您的咨询{inquiry.number}答复：新套餐每月 59 元，含 100G 流量" in answer.body
    assert "投诉" not in answer.body
    codes = {m.template_code for m in _messages(inquiry)}
    assert not codes & {"result", "survey", "escalated", "statutory_extension"}


def test_a_suggestion_decided_by_its_owner_tells_the_customer_what_became_of_it(org):
    suggestion = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="希望营业厅周末延长营业", demand="")
    complaint_transition(number=suggestion.number, actor=org.agent_a, to=Status.ACCEPTED)
    suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="BILL", reason="请评估")
    assert not [m for m in _messages(suggestion) if m.template_code == "progress"]  # routing is internal
    complaint_transition(
        number=suggestion.number, actor=org.manager, to=Status.CLOSED, reason="下月起周六营业到晚上八点"
    )
    reply = _closing(suggestion)
    assert f"您的建议{suggestion.number}进展：下月起周六营业到晚上八点" in reply.body
    assert "投诉" not in reply.body


def test_credited_praise_thanks_the_customer(org):
    praise = intake(org.agent_a, kind=ContactKind.PRAISE, title="表扬营业员小李", demand="")
    complaint_transition(number=praise.number, actor=org.agent_a, to=Status.ACCEPTED)
    praise_credit(number=praise.number, actor=org.agent_a, username=org.agent_a.username)
    complaint_transition(
        number=praise.number, actor=org.agent_a, to=Status.CLOSED, reason="已转达并记入小李的服务评价"
    )
    thanks = _closing(praise)
    assert f"感谢您的表扬（{praise.number}）：已转达并记入小李的服务评价" in thanks.body
    assert "投诉" not in thanks.body


def test_an_inquiry_answered_on_the_call_is_not_sent_again_one_looked_into_is(org):
    on_the_call = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")  # phone
    complaint_transition(
        number=on_the_call.number, actor=org.agent_a, to=Status.CLOSED, reason="已电话告知资费"
    )
    assert not [m for m in _messages(on_the_call) if m.template_code == "progress"]
    looked_into = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询漫游资费", demand="")
    complaint_transition(number=looked_into.number, actor=org.agent_a, to=Status.HANDLING)
    complaint_transition(
        number=looked_into.number, actor=org.agent_a, to=Status.CLOSED, reason="日本漫游每天 25 元不限量"
    )
    assert f"您的咨询{looked_into.number}答复：日本漫游每天 25 元不限量" in _closing(looked_into).body


def test_a_withdrawn_inquiry_is_not_answered(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.WITHDRAWN, reason="客户不需要了")
    assert not [m for m in _messages(inquiry) if m.template_code == "progress"]


def test_closing_words_the_reply_rules_block_are_refused_and_the_inquiry_stays_open(org):
    inquiry = intake(
        org.agent_a, kind=ContactKind.INQUIRY, channel="email", title="咨询能否上门办理", demand=""
    )
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.CLOSED, reason="这个不行")
    assert refused.value.fields["reason"]  # the rule's reason, in words
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEW
    assert not [m for m in _messages(inquiry) if m.template_code == "progress"]


@pytest.mark.parametrize("template", ["result", "survey", "escalated", "statutory_extension"])
@pytest.mark.parametrize("kind", [ContactKind.INQUIRY, ContactKind.SUGGESTION, ContactKind.PRAISE])
def test_complaint_messages_never_go_to_another_kind(org, kind, template):
    contact = intake(org.agent_a, kind=kind, title="一件事", demand="")
    with pytest.raises(NotificationImpossible):
        notification_send(complaint=Complaint.objects.get(pk=contact.pk), template_code=template, extra={})
    assert not Notification.objects.filter(complaint=contact, template_code=template).exists()


def test_a_complaint_still_gets_its_complaint_messages(org):
    complaint = intake(org.agent_a)
    message = notification_send(
        complaint=complaint, template_code="progress", extra={"progress": "已派工程师"}
    )
    assert f"投诉{complaint.number}进展：已派工程师" in message.body
