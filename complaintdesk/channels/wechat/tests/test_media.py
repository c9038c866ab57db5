"""An image sent to the open case is fetched from WeChat's API afterwards and attached.

WeChat's API is stood in for by a server on loopback that answers the two calls as the public API does
(`GET /cgi-bin/token?grant_type=client_credential&appid&secret`, `GET /cgi-bin/media/get?access_token
&media_id`); nothing leaves the machine.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, EventKind

from .wechat_server import APP_ID, message_xml, text_xml

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
SECRET = "0f4a8c2e9d7b6a5c3e1f0a9b8c7d6e5f"
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(range(256)) * 4
    + b"\xff\xd9"
)


class FakeWeChatApi(BaseHTTPRequestHandler):
    media: dict[str, tuple[bytes, str]] = {}
    calls: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.calls.append(url.path)
        if url.path == "/cgi-bin/token":
            if query.get("appid") != APP_ID or query.get("secret") != SECRET:
                return self._send(b'{"errcode":40125,"errmsg":"invalid appsecret"}', "application/json")
            return self._send(b'{"access_token":"ACCESS_TOKEN_1","expires_in":7200}', "application/json")
        if url.path == "/cgi-bin/media/get":
            if query.get("access_token") != "ACCESS_TOKEN_1":
                return self._send(b'{"errcode":40001,"errmsg":"invalid credential"}', "application/json")
            if query.get("media_id") not in self.media:
                return self._send(
                    json.dumps({"errcode": 40007, "errmsg": "invalid media_id"}).encode(), "application/json"
                )
            body, content_type = self.media[query["media_id"]]
            return self._send(body, content_type)
        self.send_response(404)
        self.end_headers()


@pytest.fixture
def wechat_api(settings, tmp_path):
    pytest.importorskip("complaintdesk.notifications.wechat")
    FakeWeChatApi.media, FakeWeChatApi.calls = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWeChatApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_WECHAT = {
        "APP_ID": APP_ID,
        "APP_SECRET": SECRET,
        "TIMEOUT": 5,
        "API_BASE_URL": f"http://127.0.0.1:{server.server_port}/cgi-bin/",
    }
    settings.MEDIA_ROOT = tmp_path
    yield FakeWeChatApi
    server.shutdown()
    server.server_close()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Runs what the request queued after commit (the test's transaction never commits)."""
    return django_capture_on_commit_callbacks


def _image(msg_id: str, media_id: str) -> str:
    return message_xml(
        openid=OPENID,
        msg_type="image",
        msg_id=msg_id,
        fields={"PicUrl": "http://mmbiz.qpic.cn/mmbiz/x/0", "MediaId": media_id},
    )


def test_an_image_on_the_open_case_is_fetched_and_attached_once(wechat, wechat_api, on_commit):
    wechat_api.media["media_ok"] = (JPEG, "image/jpeg")
    wechat.post(text_xml(openid=OPENID, content="门店地面湿滑摔倒，膝盖受伤", msg_id="28031001"))
    case = Complaint.objects.get()
    for _ in range(3):  # WeChat's retries: one note, one attachment
        with on_commit(execute=True):
            response = wechat.post(_image("28031002", "media_ok"))
        assert response.status_code == 200
    attachment = Attachment.objects.get(complaint=case)
    assert attachment.content_type == "image/jpeg" and attachment.channel == "wechat"
    assert attachment.size == len(JPEG)
    assert ComplaintEvent.objects.filter(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).count() == 1
    assert wechat_api.calls.count("/cgi-bin/media/get") == 1


def test_media_that_is_not_a_photo_is_not_attached(wechat, wechat_api, on_commit):
    wechat_api.media["media_exe"] = (b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")
    wechat.post(text_xml(openid=OPENID, content="门店地面湿滑摔倒，膝盖受伤", msg_id="28031003"))
    with on_commit(execute=True) as callbacks:
        response = wechat.post(_image("28031004", "media_exe"))
    assert len(callbacks) == 1 and wechat_api.calls.count("/cgi-bin/media/get") == 1
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    note = ComplaintEvent.objects.get(kind=EventKind.CUSTOMER_MESSAGE).new_value
    assert "media_exe" in note  # the agent can still find it


def test_when_wechat_refuses_the_note_stays_and_the_reply_is_the_same(wechat, wechat_api, on_commit):
    wechat.post(text_xml(openid=OPENID, content="门店地面湿滑摔倒，膝盖受伤", msg_id="28031005"))
    with on_commit(execute=True):
        response = wechat.post(_image("28031006", "media_expired"))
    assert wechat_api.calls.count("/cgi-bin/media/get") == 1
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 1


def test_without_an_app_secret_nothing_is_fetched(wechat, settings, on_commit):
    settings.NOTIFY_WECHAT = {
        "APP_ID": APP_ID,
        "APP_SECRET": "",
        "API_BASE_URL": "http://127.0.0.1:9/cgi-bin/",
    }
    wechat.post(text_xml(openid=OPENID, content="门店地面湿滑摔倒，膝盖受伤", msg_id="28031007"))
    with on_commit(execute=True) as callbacks:
        response = wechat.post(_image("28031008", "media_ok"))
    assert len(callbacks) == 1
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    note = ComplaintEvent.objects.get(kind=EventKind.CUSTOMER_MESSAGE).new_value
    assert "media_ok" in note and "3 天" in note
