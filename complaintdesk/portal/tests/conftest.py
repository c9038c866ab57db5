"""Portal test isolation: rate-limit counters in a fresh memory cache per test, uploads under the test's
own directory, the development SMS backend writing to the test's own outbox; helpers to read the codes, to
pass the code check as the customer does, and to tell the customer a result."""

import json
import re
import uuid

import pytest
from django.core import mail
from django.test import Client

from complaintdesk.channels.web import WebFormAdapter
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.portal import services
from complaintdesk.surveys.results import result_send

FORM = {
    "name": "王丽女士",
    "phone": "138 0013 8000",
    "email": "wang.li@example.com",
    "preferred_channel": "sms",
    "title": "宽带连续三天断网",
    "description": "家里宽带从周五晚上开始断网，重启光猫也没用。",
    "demand": "尽快修好，并减免本月月租",
    "occurred_at": "2026-11-20T20:00",
    "place": "上海市徐汇区",
    "product": "家庭宽带",
    "org_unit": "SH-A",
}
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
RESULT = {
    "cause": "小区光缆被施工挖断",
    "measures": "我们已安排工程师更换了光缆",
    "outcome": "网络已恢复正常",
}


def verify(client: Client, number: str, outbox, contact="13800138000"):
    """Ask for the case's code and type it in, as the customer does; the answer to the code."""
    client.post("/portal/track/", {"number": number, "contact": contact})
    return client.post("/portal/track/verify/", {"number": number, "code": outbox.last_sms_code()})


def result_told(number: str, actor, **parts) -> None:
    """The case accepted, handled and its result sent to the customer (RESULT unless parts say otherwise)."""
    for status in ("accepted", "handling"):
        complaint_transition(number=number, actor=actor, to=status)
    result_send(number=number, actor=actor, **{**RESULT, **parts})


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"


class Outbox:
    """What went out: SMS lines of the file backend and Django's locmem mail."""

    def __init__(self, path):
        self.path = path

    def sms(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [
            json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]

    def codes_sms(self) -> list[dict]:
        return [line for line in self.sms() if line["template"] == services.CODE_TEMPLATE]

    def last_sms_code(self) -> str:
        return CODE.search(self.codes_sms()[-1]["body"]).group(1)

    def last_mail_code(self) -> str:
        return CODE.search(mail.outbox[-1].body).group(1)


@pytest.fixture
def outbox(settings):
    return Outbox(settings.NOTIFY_SMS_OUTBOX)


@pytest.fixture
def form_data():
    return dict(FORM)


@pytest.fixture
def filed(org, form_data):
    """A complaint filed on the web form (at store SH-A), as the portal files it."""
    message = WebFormAdapter().parse(form_data)
    return services.portal_complaint_file(message=message).complaint


@pytest.fixture
def verified(filed, outbox):
    """A verified grant for `filed` (the code read from the SMS outbox)."""
    services.portal_code_request(number=filed.number, contact="13800138000")
    return services.portal_code_verify(number=filed.number, code=outbox.last_sms_code())
