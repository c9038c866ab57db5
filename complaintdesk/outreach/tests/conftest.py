import json

import pytest


@pytest.fixture(autouse=True)
def _sms_outbox(settings, tmp_path):
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_TRACK_URL = ""
    settings.NOTIFY_SMS_SIGNATURE = "示例公司"


@pytest.fixture
def sms_sent(settings):
    """The SMS texts sent so far, by phone number."""

    def read() -> dict[str, list[str]]:
        path = settings.NOTIFY_SMS_OUTBOX
        found: dict[str, list[str]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                found.setdefault(row["to"], []).append(row["body"])
        return found

    return read


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service as if its transaction committed: what it queues on commit (after-intake steps,
    deliveries, the feedback job) runs, callbacks queued by those callbacks included."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call
