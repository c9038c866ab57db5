"""SMS through a pluggable provider backend (settings.NOTIFY_SMS_BACKEND)."""

from django.conf import settings
from django.utils.module_loading import import_string

from complaintdesk.notifications.base import NotificationChannel, Notifier, OutboundMessage, SendResult

DEFAULT_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"


def sms_backend():
    return import_string(getattr(settings, "NOTIFY_SMS_BACKEND", "") or DEFAULT_BACKEND)()


class SmsNotifier(Notifier):
    channel = NotificationChannel.SMS

    def __init__(self, backend=None):
        self.backend = backend or sms_backend()

    def send(self, message: OutboundMessage) -> SendResult:
        if not message.recipient:
            return SendResult.failed("no phone number", retryable=False)
        try:
            return self.backend.send(message)
        except Exception as error:  # a backend bug must not lose the notification: record and retry
            return SendResult.failed(f"{type(error).__name__}: {error}")
