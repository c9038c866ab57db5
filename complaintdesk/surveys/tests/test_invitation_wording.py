"""The survey invitation tells the truth about the case: it goes out with the result while the case waits
for the customer's answer, so it says the result was given and asks whether the problem is solved; it
never says the case is closed (已办结). Data migration 0006 brings unedited stored templates to that text
and leaves an administrator's own wording alone."""

import importlib

import pytest
from django.apps import apps

from complaintdesk.complaints.states import Status
from complaintdesk.notifications.models import Notification, NotificationTemplate
from complaintdesk.surveys.results import result_send

from .conftest import CLEAN_RESULT

pytestmark = pytest.mark.django_db

CLOSED_WORDS = ("已办结", "办结", "已结案", "closed")
MIGRATION = importlib.import_module(
    "complaintdesk.notifications.migrations.0006_survey_invitation_not_closed"
)


@pytest.mark.parametrize(("language", "asks"), [("zh-hans", "问题解决了吗"), ("en", "Is it solved?")])
def test_the_invitation_sent_with_the_result_does_not_say_the_case_is_closed(
    org, handling_case, language, asks
):
    complaint = handling_case(org.agent_a, language=language)
    result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CUSTOMER
    sms = Notification.objects.get(complaint=complaint, template_code="survey", channel="sms")
    # What the customer reads on the phone: the result was given, is it solved, and where to rate.
    assert asks in sms.body and "/s/" in sms.body
    assert complaint.number in sms.body
    for word in CLOSED_WORDS:
        assert word not in sms.body.lower(), sms.body


def test_no_shipped_invitation_says_closed():
    for template in NotificationTemplate.objects.filter(code="survey"):
        for word in CLOSED_WORDS:
            assert word not in (template.subject + template.body).lower(), (
                template.channel,
                template.language,
            )


def test_the_migration_rewrites_unedited_invitations_only():
    rows = NotificationTemplate.objects.filter(code="survey")
    for (channel, language), old in MIGRATION.OLD_BODIES.items():
        rows.filter(channel=channel, language=language).update(body=old)
    edited = "投诉{case_number}已办结，欢迎评价：{survey_url}"
    rows.filter(channel="wechat", language="zh-hans").update(body=edited)
    rows.filter(channel="sms", language="en").update(provider_template_id="SMS_2001")

    MIGRATION.survey_templates_update(apps, None)

    assert rows.get(channel="wechat", language="zh-hans").body == edited  # an administrator's own text
    assert rows.get(channel="sms", language="en").body == MIGRATION.OLD_BODIES[("sms", "en")]  # bound
    for row in rows.exclude(channel="wechat", language="zh-hans").exclude(channel="sms", language="en"):
        assert row.body != MIGRATION.OLD_BODIES[(row.channel, row.language)]
        assert "已办结" not in row.body and "closed" not in row.body
