"""The adapter and the selector on their own: parsing, the passive reply's bytes, the open-case lookup."""

import datetime as dt

from wechatpy.parser import parse_message

from complaintdesk.channels.intake import intake_receive_once
from complaintdesk.channels.services import channel_actor
from complaintdesk.channels.wechat import WeChatChannelAdapter
from complaintdesk.channels.wechat.adapter import REPLY_MAX_BYTES, reply_text_fit
from complaintdesk.channels.wechat.selectors import complaint_open_number_for_openid
from complaintdesk.common.time import now

from .wechat_server import ACCOUNT, reply_fields, text_xml

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def _message(content: str = "话费被多扣了\n上个月账单多了 58 元", msg_id: str = "27031001"):
    return parse_message(text_xml(openid=OPENID, content=content, msg_id=msg_id, create_time=1_763_900_123))


def test_parse_gives_the_intake_message():
    inbound = WeChatChannelAdapter().parse(_message())
    assert inbound.external_id == "27031001"
    assert inbound.case_number == ""
    assert inbound.data.channel == "wechat"
    assert inbound.data.title == "话费被多扣了"
    assert inbound.data.description == "话费被多扣了\n上个月账单多了 58 元"
    assert inbound.data.customer.wechat_openid == OPENID
    assert inbound.data.customer.preferred_channel == "wechat"


def test_the_passive_reply_answers_the_sender_with_the_messages_time():
    reply = WeChatChannelAdapter().send_reply(text="您好", message=_message())
    fields = reply_fields(reply.detail["xml"])
    assert fields == {
        "MsgType": "text",
        "FromUserName": ACCOUNT,
        "ToUserName": OPENID,
        "CreateTime": "1763900123",
        "Content": "您好",
    }
    assert reply.delivered and reply.channel == "wechat"
    assert WeChatChannelAdapter().send_reply(text="您好", message=_message()).detail == reply.detail


def test_a_reply_is_cut_to_wechats_limit_at_a_character():
    text = reply_text_fit("投" * 1000)
    assert len(text.encode()) <= REPLY_MAX_BYTES
    assert text.endswith("…") and set(text[:-1]) == {"投"}
    assert reply_text_fit("短") == "短"


def test_the_open_case_lookup_is_a_bounded_query(org, django_assert_num_queries):
    actor = channel_actor(channel="wechat")
    case = intake_receive_once(message=WeChatChannelAdapter().parse(_message()), actor=actor).complaint
    actor = channel_actor(channel="wechat")
    since = now() - dt.timedelta(days=30)
    complaint_open_number_for_openid(openid=OPENID, actor=actor, since=since)  # warms the permission cache
    with django_assert_num_queries(
        3
    ):  # the channel account's units, then a row by the case's own OpenID, then by the record's
        assert complaint_open_number_for_openid(openid=OPENID, actor=actor, since=since) == case.number
    assert complaint_open_number_for_openid(openid="someone_else", actor=actor, since=since) == ""
    assert (
        complaint_open_number_for_openid(openid=OPENID, actor=actor, since=now() + dt.timedelta(seconds=1))
        == ""
    )
