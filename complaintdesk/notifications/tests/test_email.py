"""Email through Django's email framework; the English/Chinese choice is in test_acknowledge."""

import socket

import pytest

from complaintdesk.notifications.models import NotificationStatus
from complaintdesk.notifications.services import notification_send

pytestmark = pytest.mark.django_db


def test_an_unreachable_mail_server_is_retried(make_complaint, queue, settings, on_commit):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    with on_commit():
        notification = notification_send(
            complaint=make_complaint(phone="", email="wang@example.com"), template_code="acknowledgement"
        )
    assert queue.run_next() == "retry"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED and "Connection" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert queue.run_next() == "sent"
