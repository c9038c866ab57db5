"""An agent's progress reply that already promises the case's deadline (as the reply checker asks) is sent
with the deadline once: the template's optional "by {deadline}" falls away, in every language."""

import importlib

from django.apps import apps

from complaintdesk.notifications.models import NotificationTemplate
from complaintdesk.notifications.services import notification_send
from complaintdesk.scripts.services import script_values

migration = importlib.import_module(
    "complaintdesk.notifications.migrations.0011_progress_sms_en_deadline_optional"
)


def _deadline(complaint, language: str) -> str:
    return script_values(complaint=complaint, agent=None, language=language)["deadline"]


def test_a_reply_that_states_the_deadline_is_not_followed_by_it_again(make_complaint, clock):
    complaint = make_complaint()
    deadline = _deadline(complaint, "zh-hans")
    sent = notification_send(
        complaint=complaint, template_code="progress", channel="sms",
        extra={"progress": f"已安排工程师上门检修，我会在{deadline}前给您答复"},
    )  # fmt: skip
    assert sent.body.count(deadline) == 1, sent.body
    assert sent.body.endswith("我会在" + deadline + "前给您答复。"), sent.body


def test_in_english_too_and_without_a_bare_result_left_behind(make_complaint, clock):
    complaint = make_complaint(language="en", name="Alice Wang")
    deadline = _deadline(complaint, "en")
    sent = notification_send(
        complaint=complaint, template_code="progress", channel="sms",
        extra={"progress": f"An engineer will visit; I will get back to you by {deadline}"},
    )  # fmt: skip
    assert sent.body.count(deadline) == 1, sent.body
    assert not sent.body.rstrip().endswith("Result."), sent.body


def test_a_reply_without_the_deadline_still_gets_it_once(make_complaint, clock):
    complaint = make_complaint()
    deadline = _deadline(complaint, "zh-hans")
    sent = notification_send(
        complaint=complaint,
        template_code="progress",
        channel="sms",
        extra={"progress": "已安排工程师上门检修"},
    )
    assert sent.body.count(deadline) == 1 and f"{deadline}前告知处理结果" in sent.body, sent.body


def test_the_migration_updates_only_the_untouched_english_progress_sms(db):
    template = NotificationTemplate.objects.get(code="progress", channel="sms", language="en")
    NotificationTemplate.objects.filter(pk=template.pk).update(body=migration.BEFORE)
    migration.progress_sms_en_update(apps, None)
    assert NotificationTemplate.objects.get(pk=template.pk).body == migration.AFTER
    edited = "Case {case_number}: {progress}. Result[[ by {deadline}]]."
    NotificationTemplate.objects.filter(pk=template.pk).update(body=edited)
    migration.progress_sms_en_update(apps, None)
    assert NotificationTemplate.objects.get(pk=template.pk).body == edited  # an administrator's text stays
