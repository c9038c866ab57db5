"""The shipped templates: complete, renderable, SMS within their segments."""

import pytest

from complaintdesk.notifications.content import sample_values, template_errors, template_render
from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES
from complaintdesk.notifications.models import NotificationTemplate, TemplateCode

pytestmark = pytest.mark.django_db


def test_every_kind_channel_and_language_is_shipped_by_the_migration():
    rows = set(NotificationTemplate.objects.values_list("code", "channel", "language"))
    assert rows == {(c, ch, lang) for c in TemplateCode.values for ch in ("sms", "email", "wechat")
                    for lang in ("zh-hans", "en")}  # fmt: skip


@pytest.mark.parametrize(("code", "channel", "language", "subject", "body", "fields"), DEFAULT_TEMPLATES,
                         ids=[f"{t[0]}-{t[1]}-{t[2]}" for t in DEFAULT_TEMPLATES])  # fmt: skip
def test_shipped_template_is_valid_and_renders(code, channel, language, subject, body, fields, settings):
    assert (
        template_errors(
            channel=channel, language=language, subject=subject, body=body, provider_fields=fields
        )
        == {}
    )
    rendered = template_render(channel=channel, subject=subject, body=body, provider_fields=fields,
                               values=sample_values(language))  # fmt: skip
    assert rendered.missing == []
    if channel == "sms":
        assert rendered.body.startswith("【ComplaintDesk】")
        assert rendered.segments <= 3, rendered.body  # NOTIFY_SMS_MAX_SEGMENTS, with the real link length
