"""The WeChat callback in plain mode, driven the way WeChat's server calls it."""

import re
import time

import pytest

from complaintdesk.channels.acknowledge import receipt_text
from complaintdesk.channels.models import ReceivedMessage
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.notifications.models import Notification

from .wechat_server import ACCOUNT, WeChatServer, event_xml, message_xml, reply_fields, text_xml

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
COMPLAINT = "快递显示已签收，但我没有收到包裹\n单号 SF1234567890，11月20日晚上8点，小区门口的驿站说没有。\n希望尽快找回或赔偿。"


def _nothing_stored() -> bool:
    return not (
        Complaint.objects.exists()
        or ReceivedMessage.objects.exists()
        or Customer.objects.filter(wechat_openid=OPENID).exists()
    )


# --- the URL check ---


def test_the_handshake_answers_echostr(wechat):
    response = wechat.handshake(echostr="8734902165742")
    assert response.status_code == 200
    assert response.content == b"8734902165742"
    assert response["Content-Type"].startswith("text/plain")


def test_a_handshake_with_a_wrong_signature_is_refused(wechat):
    response = wechat.handshake(signature="0" * 40)
    assert response.status_code == 403
    assert b"8734902165742" not in response.content


def test_a_handshake_signed_with_another_token_is_refused(wechat):
    response = WeChatServer(wechat.client, token="not-the-token").handshake()
    assert response.status_code == 403


def test_without_a_token_configured_the_callback_is_unavailable(org, settings, client):
    settings.WECHAT_CALLBACK = {"TOKEN": "", "ENCODING_AES_KEY": "", "APP_ID": ""}
    assert WeChatServer(client, token="").handshake().status_code == 503


# --- a text message ---


def test_a_text_opens_a_complaint_and_the_passive_reply_carries_the_case_number(wechat):
    response = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031001"), openid=OPENID)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    complaint = Complaint.objects.get()
    assert complaint.channel == "wechat"
    assert complaint.title == "快递显示已签收，但我没有收到包裹"
    assert complaint.description == COMPLAINT.strip()
    assert complaint.customer.wechat_openid == OPENID
    assert complaint.customer.preferred_channel == "wechat"
    reply = reply_fields(response.content.decode())
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    assert complaint.number in reply["Content"]
    assert "投诉单号" in reply["Content"]
    assert len(reply["Content"].encode()) <= 2048


def test_the_passive_reply_promises_no_time_and_the_acknowledgement_after_the_analysis_does(
    wechat, django_capture_on_commit_callbacks
):
    """The reply leaves before the automatic analysis, which may move the deadlines a second later: it says
    the case is registered, its number and that the arrangements follow, and quotes no time. The
    acknowledgement sent after the analysis carries the deadlines as they then stand."""
    with django_capture_on_commit_callbacks(execute=True):
        response = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031011"), openid=OPENID)
    complaint = Complaint.objects.get()
    reply = reply_fields(response.content.decode())["Content"]
    assert complaint.number in reply and "已登记" in reply and "稍后我们会通过微信告诉您" in reply
    a_time = r"\d{1,2}[:：]\d{2}|\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|前与您联系|前通过"
    assert not re.search(a_time, reply), reply
    acknowledgement = Notification.objects.get(complaint=complaint, template_code="acknowledgement")
    assert acknowledgement.channel == "wechat"
    complaint.refresh_from_db()
    assert complaint.first_response_due_at is not None
    assert "告知处理结果" in acknowledgement.body and "前" in acknowledgement.body  # the promise, timed


def test_the_reply_is_in_english_for_an_english_case(wechat):
    wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031012"), openid=OPENID)
    complaint = Complaint.objects.get()
    complaint.language = "en"
    text = receipt_text(complaint)
    assert complaint.number in text and "WeChat" in text and "registered" in text


def test_a_long_first_line_gives_a_short_title_and_the_whole_text_is_kept(wechat):
    text = "我" * 300
    wechat.post(text_xml(openid=OPENID, content=text, msg_id="24031002"))
    complaint = Complaint.objects.get()
    assert len(complaint.title) <= 30 and complaint.title.endswith("…")
    assert complaint.description == text


def test_the_same_msgid_three_times_is_one_complaint_and_three_identical_replies(wechat):
    xml = text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031003")
    responses = [wechat.post(xml, openid=OPENID) for _ in range(3)]  # WeChat's retries carry new nonces
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].content == responses[1].content == responses[2].content
    assert Complaint.objects.count() == 1
    assert ReceivedMessage.objects.get().external_id == "24031003"
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 0


def test_html_and_script_in_the_text_are_stored_as_text(wechat, org, client):
    text = '<script>alert("x")</script><b onmouseover="steal()">退款</b> & ]]> <![CDATA[ x ]]>'
    response = wechat.post(text_xml(openid=OPENID, content=text, msg_id="24031004"))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.description == text
    assert complaint.title == text[:29] + "…"
    # The agent's page shows it escaped, never as markup.
    client.force_login(org.executive)
    page = client.get(f"/complaints/{complaint.number}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_a_customer_name_with_a_cdata_end_cannot_break_the_reply(wechat):
    # A customer known from another channel by a name that closes a CDATA section.
    Customer.objects.create(
        name="]]><MsgType>news</MsgType>", wechat_openid=OPENID, preferred_channel="wechat"
    )
    response = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031005"))
    reply = reply_fields(response.content.decode())
    assert reply["MsgType"] == "text"
    assert reply["Content"].startswith("]]><MsgType>news</MsgType>")


# --- appending to the open case ---


def test_a_second_text_is_added_to_the_open_case(wechat):
    first = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031010"))
    case = Complaint.objects.get()
    second = wechat.post(
        text_xml(openid=OPENID, content="补充：驿站的电话是 021-12345678", msg_id="24031011")
    )
    assert Complaint.objects.count() == 1
    event = ComplaintEvent.objects.get(complaint=case, kind=EventKind.CUSTOMER_MESSAGE)
    assert "驿站的电话是 021-12345678" in event.new_value
    assert event.field == "wechat"
    reply = reply_fields(second.content.decode())["Content"]
    assert "已收到您的补充" in reply and case.number in reply
    assert first.content != second.content
    # Its retry is answered the same and adds nothing.
    again = wechat.post(text_xml(openid=OPENID, content="补充：驿站的电话是 021-12345678", msg_id="24031011"))
    assert again.content == second.content
    assert ComplaintEvent.objects.filter(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).count() == 1


def test_another_customers_open_case_is_not_theirs(wechat):
    wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031012"))
    wechat.post(
        text_xml(openid="oUpF8uN95wYl2bHSgPp4PwX1uA0c", content="另一位客户的投诉", msg_id="24031013")
    )
    assert Complaint.objects.count() == 2


def _close(*, number: str, org) -> None:
    from complaintdesk.archive.services import case_summary_write
    from complaintdesk.surveys.resolution import result_unreachable_record

    for status in ("accepted", "handling"):
        complaint_transition(number=number, actor=org.executive, to=status, reason="测试")
    result_unreachable_record(number=number, actor=org.executive, reason="微信无回复", cause="驿站错签",
                              measures="联系驿站找回", outcome="包裹已找回")  # fmt: skip
    case_summary_write(
        number=number,
        actor=org.executive,
        problem="快递丢件",
        cause="驿站错签",
        solution="找回包裹",
        lesson="签收前核对",
    )
    complaint_transition(number=number, actor=org.executive, to="closed", reason="测试")


def test_after_the_open_case_is_closed_a_text_opens_a_new_case(wechat, org):
    wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031020"))
    first = Complaint.objects.get()
    _close(number=first.number, org=org)
    response = wechat.post(text_xml(openid=OPENID, content="新的问题：账单多扣了 30 元", msg_id="24031021"))
    assert Complaint.objects.count() == 2
    second = Complaint.objects.exclude(pk=first.pk).get()
    assert second.customer_id == first.customer_id
    assert second.number in reply_fields(response.content.decode())["Content"]
    assert not ComplaintEvent.objects.filter(complaint=first, kind=EventKind.CUSTOMER_MESSAGE).exists()


def test_an_open_case_older_than_the_window_is_not_appended_to(wechat, settings):
    settings.WECHAT_CALLBACK = {**settings.WECHAT_CALLBACK, "APPEND_WINDOW_DAYS": 7}
    wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031022"))
    import datetime as dt

    Complaint.objects.update(created_at=Complaint.objects.get().created_at - dt.timedelta(days=8))
    wechat.post(text_xml(openid=OPENID, content="另一件事", msg_id="24031023"))
    assert Complaint.objects.count() == 2


# --- refused requests store nothing ---


def test_a_bad_signature_is_403_and_stores_nothing(wechat):
    response = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031030"), signature="f" * 40)
    assert response.status_code == 403
    assert _nothing_stored()


def test_a_message_signed_with_another_token_is_403_and_stores_nothing(wechat):
    other = WeChatServer(wechat.client, token="guessed-token")
    assert other.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031031")).status_code == 403
    assert _nothing_stored()


@pytest.mark.parametrize("drop", ["signature", "timestamp", "nonce"])
def test_a_missing_signature_parameter_is_403(wechat, drop):
    response = wechat.post(
        text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031032"), overrides={drop: ""}
    )
    assert response.status_code == 403
    assert _nothing_stored()


def test_a_replayed_old_signature_is_403(wechat):
    old = str(int(time.time()) - 3600)
    response = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031033"), timestamp=old)
    assert response.status_code == 403
    assert _nothing_stored()


def test_an_address_that_keeps_failing_is_rate_limited(wechat, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "wechat-bad-signature": "3/60"}
    codes = [wechat.handshake(signature="0" * 40).status_code for _ in range(4)]
    assert codes == [403, 403, 403, 429]
    # WeChat itself (a valid signature) is never limited by this.
    assert wechat.handshake().status_code == 200


MALFORMED = {
    "not xml": b"this is not xml",
    "truncated": text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031040").encode()[:-20],
    "wrong root": b"<message><MsgType>text</MsgType></message>",
    "no MsgType": b"<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime></xml>",
    "nested sender": (
        b"<xml><ToUserName>gh_1</ToUserName><FromUserName><a>o1</a></FromUserName>"
        b"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>"
    ),
    "repeated MsgType": (
        b"<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>text</MsgType><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>"
    ),
    "bad MsgId": message_xml(openid=OPENID, msg_type="text", fields={"Content": "x"}, msg_id="12ab").encode(),
    "bad openid": text_xml(openid="o'; DROP TABLE--", content="x", msg_id="24031041").encode(),
    "not utf-8": text_xml(openid=OPENID, content="投诉", msg_id="24031042").encode("gbk"),
    "empty body": b"",
    "xml bomb": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"
    ),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_body_that_is_not_a_wechat_message_is_400_and_stores_nothing(wechat, name):
    response = wechat.post(MALFORMED[name])
    assert response.status_code == 400, response.content
    assert b"root:" not in response.content  # no file content ever comes back
    assert _nothing_stored()


def test_a_body_over_the_limit_is_413_and_stores_nothing(wechat):
    response = wechat.post(text_xml(openid=OPENID, content="长" * 30_000, msg_id="24031043"))
    assert response.status_code == 413
    assert _nothing_stored()


def test_an_encrypted_message_without_a_key_configured_is_400(wechat):
    response = wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031044"), encrypt_type="aes")
    assert response.status_code == 400
    assert _nothing_stored()


def test_other_methods_are_not_allowed(wechat, client):
    assert client.put("/channels/wechat/callback").status_code == 405


def test_the_same_user_flooding_is_answered_but_not_stored(wechat, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "wechat-openid": "2/60"}
    for index in range(3):
        response = wechat.post(text_xml(openid=OPENID, content=f"第 {index} 条", msg_id=f"2403105{index}"))
        assert response.status_code == 200
    assert "太频繁" in reply_fields(response.content.decode())["Content"]
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 1


# --- events and other kinds of message ---


def test_following_the_account_is_welcomed_with_how_to_complain(wechat):
    response = wechat.post(event_xml(openid=OPENID, event="subscribe"))
    reply = reply_fields(response.content.decode())
    assert reply["ToUserName"] == OPENID
    # Before anything is filed the kind is unknown: the welcome invites every kind and names no complaint.
    assert "遇到问题、想咨询、有建议或想表扬" in reply["Content"] and "受理单号" in reply["Content"]
    assert _nothing_stored()


def test_following_by_a_qr_code_is_welcomed_too(wechat):
    response = wechat.post(event_xml(openid=OPENID, event="subscribe", key="qrscene_store_sh_a"))
    assert "受理单号" in reply_fields(response.content.decode())["Content"]


@pytest.mark.parametrize("event", ["unsubscribe", "CLICK", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH"])
def test_other_events_are_answered_success_and_store_nothing(wechat, event):
    response = wechat.post(event_xml(openid=OPENID, event=event, key="MENU_1" if event == "CLICK" else ""))
    assert response.status_code == 200
    assert response.content == b"success"
    assert _nothing_stored()


def test_an_unknown_message_type_is_answered_success(wechat):
    response = wechat.post(
        message_xml(openid=OPENID, msg_type="hologram", fields={"Content": "x"}, msg_id="1")
    )
    assert response.content == b"success"
    assert _nothing_stored()


def _image_xml(msg_id: str) -> str:
    return message_xml(
        openid=OPENID,
        msg_type="image",
        msg_id=msg_id,
        fields={"PicUrl": "http://mmbiz.qpic.cn/mmbiz/abc/0", "MediaId": "media_id_1234"},
    )


def test_an_image_without_an_open_case_asks_for_a_text_and_stores_nothing(wechat):
    response = wechat.post(_image_xml("24031060"))
    assert "请先用文字告诉我们" in reply_fields(response.content.decode())["Content"]
    assert _nothing_stored()


def test_an_image_goes_on_the_open_case_saying_it_could_not_be_fetched(wechat):
    wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031061"))
    case = Complaint.objects.get()
    responses = [wechat.post(_image_xml("24031062")) for _ in range(2)]
    assert responses[0].content == responses[1].content
    reply = reply_fields(responses[0].content.decode())["Content"]
    assert "图片" in reply and case.number in reply
    note = ComplaintEvent.objects.get(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).new_value
    assert "MediaId" in note and "media_id_1234" in note and "http://mmbiz.qpic.cn/mmbiz/abc/0" in note


def test_a_recognised_voice_message_is_a_complaint(wechat):
    xml = message_xml(
        openid=OPENID,
        msg_type="voice",
        msg_id="24031070",
        fields={"MediaId": "voice_1", "Format": "amr", "Recognition": "我的宽带断了三天了"},
    )
    response = wechat.post(xml)
    complaint = Complaint.objects.get()
    assert complaint.title == "我的宽带断了三天了"
    assert "语音" in complaint.description
    assert complaint.number in reply_fields(response.content.decode())["Content"]


def test_an_unrecognised_voice_and_a_location_go_on_the_open_case(wechat):
    wechat.post(text_xml(openid=OPENID, content=COMPLAINT, msg_id="24031071"))
    wechat.post(
        message_xml(
            openid=OPENID, msg_type="voice", msg_id="24031072", fields={"MediaId": "voice_2", "Format": "amr"}
        )
    )
    wechat.post(
        message_xml(
            openid=OPENID,
            msg_type="location",
            msg_id="24031073",
            fields={
                "Location_X": "31.1904",
                "Location_Y": "121.4365",
                "Scale": "15",
                "Label": "上海市徐汇区漕溪北路",
            },
        )
    )
    notes = list(
        ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE)
        .order_by("id")
        .values_list("new_value", flat=True)
    )
    assert len(notes) == 2
    assert "voice_2" in notes[0]
    assert "上海市徐汇区漕溪北路" in notes[1] and "31.1904" in notes[1]
    assert Complaint.objects.count() == 1


def test_an_empty_text_asks_for_a_description(wechat):
    response = wechat.post(text_xml(openid=OPENID, content="   ", msg_id="24031080"))
    assert "请先用文字告诉我们" in reply_fields(response.content.decode())["Content"]
    assert _nothing_stored()


def test_an_inquiry_on_wechat_is_registered_and_answered_in_its_words(wechat):
    """A question detected as an inquiry (channels.kinds) is told 咨询 at once, never 投诉单号; what the
    customer sends next is added to 咨询单 …"""
    response = wechat.post(
        text_xml(openid=OPENID, content="请问国际漫游怎么开通？需要带什么证件？", msg_id="24039001")
    )
    reply = reply_fields(response.content.decode())["Content"]
    case = Complaint.objects.get(customer__wechat_openid=OPENID)
    assert case.kind == "inquiry"
    assert f"您的咨询已登记，单号 {case.number}" in reply and "投诉" not in reply
    more = wechat.post(text_xml(openid=OPENID, content="我下周三出发去日本。", msg_id="24039002"))
    added = reply_fields(more.content.decode())["Content"]
    assert f"咨询单 {case.number}" in added and "投诉" not in added
