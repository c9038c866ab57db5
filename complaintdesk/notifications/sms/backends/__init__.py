"""SMS provider backends. One is chosen by settings.NOTIFY_SMS_BACKEND (a dotted path):

- `file.FileSmsBackend` (the default, for development): appends each SMS to VAR_DIR/outbox/sms.jsonl.
- `aliyun.AliyunSmsBackend`: Alibaba Cloud SMS (短信服务) `SendSms` over HTTPS.
"""

from abc import ABC, abstractmethod

from complaintdesk.notifications.base import OutboundMessage, SendResult


class SmsBackend(ABC):
    @abstractmethod
    def send(self, message: OutboundMessage) -> SendResult:
        """Send one SMS to message.recipient (E.164). Never raises for provider or network errors."""
