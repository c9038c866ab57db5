"""The development SMS backend: each SMS becomes one JSON line in VAR_DIR/outbox/sms.jsonl, and a log line."""

import json
import logging
import threading
import uuid
from pathlib import Path

from django.conf import settings

from complaintdesk.common.masking import mask_phone
from complaintdesk.common.time import now
from complaintdesk.notifications.base import OutboundMessage, SendResult

from . import SmsBackend

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def outbox_path() -> Path:
    return Path(getattr(settings, "NOTIFY_SMS_OUTBOX", "") or Path(settings.VAR_DIR) / "outbox" / "sms.jsonl")


class FileSmsBackend(SmsBackend):
    def send(self, message: OutboundMessage) -> SendResult:
        message_id = f"file-{uuid.uuid4().hex}"
        line = {
            "id": message_id,
            "at": now().isoformat(),
            "to": message.recipient,
            "language": message.language,
            "template": message.template_code,
            "complaint_id": message.complaint_id,
            "reference": message.reference,
            "body": message.body,
        }
        path = outbox_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _lock, path.open("a", encoding="utf-8") as outbox:
                outbox.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as error:
            return SendResult.failed(f"outbox {path}: {error}")
        # The log carries the text but not the whole number (logs are read by more people than the outbox).
        logger.info("SMS to %s (%s): %s", mask_phone(message.recipient), message_id, message.body)
        return SendResult.sent(message_id)
