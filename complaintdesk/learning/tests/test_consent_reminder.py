"""A handler asked whether their case may be a training case and who does not answer is reminded once
(after LEARNING_CONSENT_REMIND_DAYS), and whoever chose the case is told when the question expires
unanswered (after LEARNING_CONSENT_EXPIRE_DAYS) — by the periodic job learning-consent-reminders."""

import datetime as dt

import pytest
from django.test import Client

from complaintdesk.inbox.models import StaffNotification
from complaintdesk.learning import services
from complaintdesk.learning.models import Consent, TrainingCase
from complaintdesk.learning.tasks import REMINDER_JOB, consent_reminders_periodic
from complaintdesk.tasks.periodic import periodic_jobs

from .test_learning import finished as finished  # the fixture
from .test_learning import propose

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _notices(user, kind):
    return list(StaffNotification.objects.filter(user=user, kind=kind).order_by("pk"))


def test_the_handler_is_reminded_once_after_the_configured_days(org, finished, settings):
    settings.LEARNING_CONSENT_REMIND_DAYS = 2
    case = propose(org, finished)
    asked_at = case.created_at
    assert services.consent_reminders_send(at=asked_at + DAY) == {"reminded": 0, "expired": 0}
    assert services.consent_reminders_send(at=asked_at + 2 * DAY + dt.timedelta(minutes=1)) == {
        "reminded": 1,
        "expired": 0,
    }
    [reminder] = _notices(org.agent_a, "learning_consent_reminder")
    assert finished.number in reminder.title and reminder.title.startswith("提醒：")
    assert "断网三天无人上门" in reminder.body and "到期未答复，案例不会发布" in reminder.body
    assert reminder.link == f"/learning/cases/{case.pk}/"
    # Once: the next runs remind nobody again.
    assert services.consent_reminders_send(at=asked_at + 3 * DAY)["reminded"] == 0
    assert len(_notices(org.agent_a, "learning_consent_reminder")) == 1
    # The reminder opens the case, where the handler answers.
    client = Client()
    client.force_login(org.agent_a)
    assert client.get(reminder.link).status_code == 200


def test_an_answered_question_is_neither_reminded_nor_expired(org, finished, settings):
    case = propose(org, finished)
    services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=True)
    result = services.consent_reminders_send(at=case.created_at + 30 * DAY)
    assert result == {"reminded": 0, "expired": 0}
    assert not _notices(org.agent_a, "learning_consent_reminder")


def test_unanswered_it_expires_and_the_one_who_chose_it_is_told_once(org, finished, settings):
    settings.LEARNING_CONSENT_REMIND_DAYS, settings.LEARNING_CONSENT_EXPIRE_DAYS = 3, 10
    case = propose(org, finished)
    services.consent_reminders_send(at=case.created_at + 4 * DAY)
    assert services.consent_reminders_send(at=case.created_at + 9 * DAY)["expired"] == 0
    assert services.consent_reminders_send(at=case.created_at + 10 * DAY + dt.timedelta(minutes=1)) == {
        "reminded": 0,
        "expired": 1,
    }
    case.refresh_from_db()
    assert case.consent == Consent.EXPIRED and case.published_at is None and case.expired_at is not None
    [told] = _notices(org.manager, "learning_consent_expired")
    assert told.title == f"经办人未答复，培训案例“断网三天无人上门”（{finished.number}）已过期，未发布"
    assert "10 天内" in told.body
    assert services.consent_reminders_send(at=case.created_at + 20 * DAY)["expired"] == 0
    assert len(_notices(org.manager, "learning_consent_expired")) == 1
    # The state reads in words on the library page of the one who chose it.
    client = Client()
    client.force_login(org.manager)
    assert "经办人未答复，已过期" in client.get("/learning/cases/").content.decode()
    # The handler may still agree later: then it is published.
    services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=True)
    case.refresh_from_db()
    assert case.consent == Consent.GRANTED and case.published_at is not None


def test_a_long_silence_expires_without_a_late_reminder(org, finished, settings):
    """Found only after the expiry (the job was off): the requester is told, the handler is not nagged."""
    case = propose(org, finished)
    assert services.consent_reminders_send(at=case.created_at + 60 * DAY) == {"reminded": 0, "expired": 1}
    assert not _notices(org.agent_a, "learning_consent_reminder")


def test_the_job_is_registered_and_runs_the_reminders(org, finished):
    assert REMINDER_JOB in {job.name for job in periodic_jobs()}
    propose(org, finished)
    TrainingCase.objects.update(created_at=TrainingCase.objects.get().created_at - 5 * DAY)
    assert consent_reminders_periodic() == {"reminded": 1, "expired": 0}
