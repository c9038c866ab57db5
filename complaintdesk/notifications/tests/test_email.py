"""Email through Django's email framework; the English/Chinese choice is in test_acknowledge."""

import socket

import pytest

from complaintdesk.notifications.base import OutboundMessage
from complaintdesk.notifications.email import _html
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


def test_the_html_part_makes_the_tracking_address_a_link_without_the_sentences_punctuation():
    """A walk-through's acknowledgement e-mail had the tracking address as plain text in its HTML part,
    followed by "。": the customer on a phone could tap nothing, or a link with the full stop in it."""
    body = (
        "查询进度：请凭投诉单号联系我们，或访问 http://example.com/portal/track/?number=TS20261208000008。\n\n"
        "Track it at https://example.com/portal/track/?number=TS1&lang=en. <b>Thanks</b>"
    )
    html = _html(
        OutboundMessage(
            channel="email", recipient="c@example.com", language="zh-hans", subject="s", body=body,
            template_code="acknowledgement",
        )
    )  # fmt: skip
    assert (
        '<a href="http://example.com/portal/track/?number=TS20261208000008">'
        "http://example.com/portal/track/?number=TS20261208000008</a>。"
    ) in html
    assert '<a href="https://example.com/portal/track/?number=TS1&amp;lang=en">' in html
    assert "lang=en</a>. &lt;b&gt;Thanks&lt;/b&gt;" in html  # the rest stays escaped text
