"""The WeChat callback in safe mode and compatible mode (an EncodingAESKey is configured)."""

import base64

from wechatpy.crypto import PrpCrypto

from complaintdesk.channels.models import ReceivedMessage
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind

from .wechat_server import (
    APP_ID,
    ENCODING_AES_KEY,
    TOKEN,
    WeChatServer,
    cdata,
    event_xml,
    reply_fields,
    sha1_sorted,
)
from .wechat_server import text_xml as _text_xml

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
COMPLAINT = "营业厅工作人员态度恶劣，办理销户时被要求先交 200 元违约金"


def text_xml(msg_id: str, content: str = COMPLAINT) -> str:
    return _text_xml(openid=OPENID, content=content, msg_id=msg_id)


def _nothing_stored() -> bool:
    return not (Complaint.objects.exists() or ReceivedMessage.objects.exists())


def test_the_handshake_is_plain_in_safe_mode_too(wechat_safe):
    response = wechat_safe.handshake(echostr="1234567890")
    assert response.status_code == 200 and response.content == b"1234567890"


def test_an_encrypted_text_opens_a_complaint_and_the_reply_is_encrypted(wechat_safe):
    response = wechat_safe.post(text_xml("25031001"), openid=OPENID)
    assert response.status_code == 200
    envelope = reply_fields(response.content.decode())
    assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert envelope["Nonce"] == response.request_params["nonce"]
    assert envelope["TimeStamp"] == response.request_params["timestamp"]
    assert COMPLAINT not in response.content.decode() and "投诉单号" not in response.content.decode()
    reply = reply_fields(wechat_safe.reply_xml(response))  # checks the reply's msg_signature, decrypts
    complaint = Complaint.objects.get()
    assert complaint.description == COMPLAINT
    assert complaint.customer.wechat_openid == OPENID
    assert reply["ToUserName"] == OPENID and complaint.number in reply["Content"]


def test_the_same_msgid_three_times_in_safe_mode_is_one_complaint_and_the_same_reply(wechat_safe):
    responses = [wechat_safe.post(text_xml("25031002")) for _ in range(3)]
    replies = [wechat_safe.reply_xml(response) for response in responses]
    assert replies[0] == replies[1] == replies[2]
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().number in reply_fields(replies[0])["Content"]


def test_compatible_mode_is_read_from_the_encrypted_part(wechat_compatible):
    response = wechat_compatible.post(text_xml("25031003"))
    assert response.status_code == 200
    reply = reply_fields(wechat_compatible.reply_xml(response))
    assert Complaint.objects.get().number in reply["Content"]


def test_appending_works_encrypted(wechat_safe):
    wechat_safe.post(text_xml("25031004"))
    response = wechat_safe.post(text_xml("25031005", content="补充：当时是 11 月 21 日上午 10 点"))
    case = Complaint.objects.get()
    assert "已收到您的补充" in reply_fields(wechat_safe.reply_xml(response))["Content"]
    assert ComplaintEvent.objects.filter(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).count() == 1


def test_subscribe_is_welcomed_encrypted(wechat_safe):
    response = wechat_safe.post(event_xml(openid=OPENID, event="subscribe"))
    assert "受理单号" in reply_fields(wechat_safe.reply_xml(response))["Content"]


def test_a_wrong_msg_signature_is_403_and_stores_nothing(wechat_safe):
    response = wechat_safe.post(text_xml("25031010"), msg_signature="0" * 40)
    assert response.status_code == 403
    assert _nothing_stored()


def test_a_message_encrypted_with_another_key_is_refused_and_stores_nothing(wechat_safe):
    # Correctly signed (the Token is right) but encrypted with a key that is not the account's.
    other_key = base64.b64decode(base64.b64encode(b"k" * 32))
    encrypt = PrpCrypto(other_key).encrypt(text_xml("25031011"), APP_ID).decode()
    timestamp, nonce = wechat_safe._params()["timestamp"], "38472"
    params = {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": sha1_sorted(TOKEN, timestamp, nonce),
        "encrypt_type": "aes",
        "msg_signature": sha1_sorted(TOKEN, timestamp, nonce, encrypt),
    }
    body = (
        f"<xml><ToUserName>{cdata('gh_3c884a361561')}</ToUserName><Encrypt>{cdata(encrypt)}</Encrypt></xml>"
    )
    response = wechat_safe.client.generic(
        "POST", WeChatServer._query(params), body.encode(), content_type="text/xml"
    )
    assert response.status_code == 400
    assert _nothing_stored()


def test_a_message_for_another_appid_is_400_and_stores_nothing(wechat_safe):
    key = base64.b64decode(ENCODING_AES_KEY + "=")
    encrypt = PrpCrypto(key).encrypt(text_xml("25031012"), "wx0000000000000000").decode()
    timestamp, nonce = wechat_safe._params()["timestamp"], "91827"
    params = {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": sha1_sorted(TOKEN, timestamp, nonce),
        "encrypt_type": "aes",
        "msg_signature": sha1_sorted(TOKEN, timestamp, nonce, encrypt),
    }
    body = f"<xml><Encrypt>{cdata(encrypt)}</Encrypt></xml>"
    response = wechat_safe.client.generic(
        "POST", WeChatServer._query(params), body.encode(), content_type="text/xml"
    )
    assert response.status_code == 400
    assert _nothing_stored()


def test_an_encrypted_xml_bomb_is_refused(wechat_safe):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<xml><ToUserName>gh_1</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>&b;</Content><MsgId>1</MsgId></xml>"
    )
    assert wechat_safe.post(bomb).status_code == 400
    assert _nothing_stored()


def _signed_post(server, body: bytes, *, encrypt: str = ""):
    timestamp, nonce = server._params()["timestamp"], "55501"
    params = {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": sha1_sorted(TOKEN, timestamp, nonce),
        "encrypt_type": "aes",
        "msg_signature": sha1_sorted(TOKEN, timestamp, nonce, encrypt),
    }
    return server.client.generic("POST", WeChatServer._query(params), body, content_type="text/xml")


def test_malformed_envelopes_are_400(wechat_safe):
    assert _signed_post(wechat_safe, b"<xml><ToUserName>gh_1</ToUserName></xml>").status_code == 400
    assert _signed_post(wechat_safe, b"<xml><Encrypt>").status_code == 400
    assert _signed_post(wechat_safe, b"garbage").status_code == 400
    for encrypt in ("not base64!", base64.b64encode(b"short").decode(), base64.b64encode(b"x" * 48).decode()):
        body = f"<xml><Encrypt>{cdata(encrypt)}</Encrypt></xml>".encode()
        assert _signed_post(wechat_safe, body, encrypt=encrypt).status_code == 400, encrypt
    assert _nothing_stored()


def test_a_plain_message_is_refused_once_a_key_is_configured(wechat_safe):
    plain = WeChatServer(wechat_safe.client)  # correctly signed, but not encrypted
    response = plain.post(text_xml("25031013"))
    assert response.status_code == 403
    assert _nothing_stored()
