"""The one staff notifier: a notice per person in their own language, the e-mail queued after the
commit with an absolute link, retried with back-off and then given up; each person reads and marks only
their own notices."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy

from complaintdesk.common.testing import local
from complaintdesk.complaints.states import Status
from complaintdesk.inbox import services
from complaintdesk.inbox.models import EmailStatus, StaffNotification
from complaintdesk.inbox.selectors import staff_notifications_for, staff_unread_count
from complaintdesk.inbox.services import staff_emails_retry_due, staff_notifications_mark_read, staff_notify
from complaintdesk.inbox.text import Words

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # snake_case: a field name or an enum value


def words_only(text: str) -> bool:
    """No code in a Chinese text: URLs and case numbers aside, no snake_case and no lowercase ASCII word."""
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"\bTS\d+\b", "", text)
    return not CODE.search(text) and not re.search(r"\b[a-z]{3,}\b", text)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_BASE_URL = "https://cs.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def people(org):
    org.manager.email = "manager@example.com"
    org.manager.save(update_fields=["email"])
    org.executive.email, org.executive.language = "exec@example.com", "en"
    org.executive.save(update_fields=["email", "language"])
    return org


def _notify(org, recipients, **overrides):
    values = {
        "recipients": recipients,
        "kind": "test_notice",
        "title": Words(gettext_lazy("状态：%(status)s"), {"status": Status.ACCEPTED.label}),
        "body": [
            gettext_lazy("已受理"),
            Words(gettext_lazy("到期时间：%(due)s"), {"due": local(2026, 12, 8, 17)}),
        ],
        "link": "/complaints/TS20261208000001/",
    }
    return staff_notify(**{**values, **overrides})


def test_each_recipient_gets_one_notice_in_their_own_language(people, django_capture_on_commit_callbacks):
    org = people
    org.agent_b.is_active = False
    org.agent_b.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        rows = _notify(org, [org.manager, org.executive.pk, org.manager, org.agent_b, None])

    assert [row.user_id for row in rows] == [org.manager.pk, org.executive.pk]  # once each, active only
    zh = StaffNotification.objects.get(user=org.manager)
    en = StaffNotification.objects.get(user=org.executive)
    assert zh.title == "状态：已受理" and "12月8日 17:00" in zh.body and words_only(zh.title + zh.body)
    assert en.language == "en" and en.title == "Status: Accepted" and "8 Dec 17:00" in en.body
    assert not re.search(r"[\u4e00-\u9fff]", en.title + en.body)


def test_the_email_goes_after_the_commit_with_an_absolute_link(people, django_capture_on_commit_callbacks):
    org = people
    with django_capture_on_commit_callbacks() as callbacks:
        _notify(org, [org.manager, org.agent_a])  # agent_a has no address: in the workbench only
    assert mail.outbox == []  # nothing leaves before the caller's transaction commits
    for callback in callbacks:
        callback()

    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "状态：已受理"
    assert "打开：https://cs.example.com/complaints/TS20261208000001/" in message.body
    assert words_only(message.body)
    assert StaffNotification.objects.get(user=org.manager).email_status == EmailStatus.SENT
    assert StaffNotification.objects.get(user=org.agent_a).email_status == EmailStatus.NONE


def test_a_failed_email_is_retried_with_back_off_then_given_up(people, clock, settings, monkeypatch):
    org = people
    settings.NOTIFY_MAX_ATTEMPTS = 2
    clock.at(local(2026, 12, 8, 9))
    from django.core.mail import EmailMessage

    monkeypatch.setattr(
        EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("smtp down"))
    )
    [row] = _notify(org, [org.manager])
    assert services.staff_email_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.email_status == EmailStatus.FAILED and row.email_next_attempt_at == local(2026, 12, 8, 9, 1)
    assert staff_emails_retry_due() == 0  # not due yet
    clock.at(local(2026, 12, 8, 9, 3))
    assert staff_emails_retry_due() == 1
    row.refresh_from_db()
    assert row.email_status == EmailStatus.GAVE_UP and row.email_attempts == 2
    assert services.staff_email_deliver(notification_id=row.pk) == "skipped"


def test_a_person_reads_and_marks_only_their_own_notices(people):
    org = people
    _notify(org, [org.manager, org.executive])
    _notify(org, [org.manager], kind="second")
    assert staff_unread_count(user=org.manager) == 2
    other = StaffNotification.objects.get(user=org.executive)

    assert staff_notifications_mark_read(user=org.manager, ids=[other.pk]) == 0  # not theirs
    assert staff_unread_count(user=org.executive) == 1
    newest = staff_notifications_for(user=org.manager)[0]
    assert newest.kind == "second"
    assert staff_notifications_mark_read(user=org.manager, ids=[newest.pk]) == 1
    assert staff_unread_count(user=org.manager) == 1
    assert staff_notifications_mark_read(user=org.manager) == 1
    assert staff_unread_count(user=org.manager) == 0
    assert [n.kind for n in staff_notifications_for(user=org.manager, unread_only=True)] == []


def test_links_are_absolute_and_a_full_url_is_kept(settings):
    settings.STAFF_BASE_URL = "https://cs.example.com/"
    assert services.staff_url("/approvals/") == "https://cs.example.com/approvals/"
    assert services.staff_url("https://other.example.com/x") == "https://other.example.com/x"
    assert dt.timedelta(minutes=1) == services.retry_delay(1)
