"""People see words, never codes (issue 13 point 8): rendered pages in Chinese — a case page with a rich
timeline, the supervisor view, the dashboard, the queue, admin change lists — and staff e-mails are
scanned for the model's snake_case field names and choice values and the status values
(tests.raw_codes.forbidden_tokens) as visible text. A page that shows one fails with the token and
where it appeared."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from complaintdesk.accounts.models import Role
from complaintdesk.accounts.services import user_create
from complaintdesk.common.time import now
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.services import (
    complaint_add_customer_message,
    complaint_add_note,
    complaint_analyse,
)
from complaintdesk.complaints.timeline import event_record
from complaintdesk.escalation.alerts import staff_alert_send
from complaintdesk.escalation.services import complaint_escalate, external_referral_open
from complaintdesk.notifications.services import complaint_acknowledge
from complaintdesk.sla.models import TimerKind
from complaintdesk.testing import handling_case, ladder_org  # noqa: F401 (fixture)
from tests.raw_codes import forbidden_tokens, raw_codes_in, visible_text


def _admin_change_lists() -> list[str]:
    """Every change list of ComplaintDesk's own models in the admin."""
    from django.contrib import admin

    return sorted(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
        if model.__module__.startswith("complaintdesk.")
    )


def _context(text: str, token: str) -> str:
    at = text.find(token)
    return text[max(0, at - 60) : at + 60]


def _assert_words_only(name: str, html: str, tokens) -> None:
    text = visible_text(html)
    found = raw_codes_in(text, tokens)
    assert not found, f"{name} shows codes {found}: …{_context(text, found[0])}…"
    # A language is offered by its own name: "English", not "英语".
    assert "英语" not in text, f"{name} says 英语: …{_context(text, '英语')}…"


@pytest.fixture
def rich_case(ladder_org, django_capture_on_commit_callbacks):  # noqa: F811
    """A case with the events a week of work leaves: intake and acknowledgement sent, messages and
    notes, analysis (priority, severity, responsibility), escalation to the branch head with level
    clocks, an external referral and an SLA breach alert."""
    org = ladder_org
    with django_capture_on_commit_callbacks(execute=True):
        complaint = handling_case(org.agent_a)
        complaint_acknowledge(complaint_id=complaint.pk)
    complaint_add_customer_message(
        number=complaint.number, actor=org.agent_a, text="今天还是断网", channel="sms"
    )
    complaint_add_note(number=complaint.number, actor=org.agent_a, text="已联系装维")
    complaint_analyse(
        number=complaint.number, actor=org.agent_a,
        changes={"priority": 1, "severity": "major", "responsibility": "third_party", "is_batch": True},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        complaint_escalate(number=complaint.number, actor=org.agent_a, reason="涉及两家门店", to_level=2)
    external_referral_open(
        number=complaint.number, actor=org.head, body="consumer_association", body_name="区消保委",
        reference_no="12315-0042", response_due_on=dt.date(2026, 12, 30), note="客户向12315投诉",
    )  # fmt: skip
    # What the SLA worker writes when a clock runs out (sla.timers), and an ignored reply warning.
    event_record(complaint=complaint, actor=None, kind=EventKind.SLA_BREACH, at=now(), field=TimerKind.LEVEL_RESOLVE,
                 new=complaint.resolution_due_at, reason="超过时限")  # fmt: skip
    event_record(complaint=complaint, actor=org.head, kind=EventKind.REPLY_OVERRIDDEN, at=now(), new="refusal-zh",
                 reason="客户坚持")  # fmt: skip
    return complaint


def test_pages_in_chinese_show_words_not_codes(rich_case, ladder_org, settings):  # noqa: F811
    org = ladder_org
    tokens = forbidden_tokens()
    admin = user_create(username="root", password=None, role=Role.GENERAL_MANAGEMENT, org_unit=None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    for user, paths in (
        (org.head, [f"/complaints/{rich_case.number}/", f"/complaints/{rich_case.number}/escalation/panel", "/",
                    "/queues/mine/", "/supervisor/"]),
        (org.executive, ["/dashboard/", "/supervisor/"]),
        (admin, ["/admin/", *_admin_change_lists()]),
    ):  # fmt: skip
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        failures = []
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            try:
                _assert_words_only(path, response.content.decode(), tokens)
            except AssertionError as error:
                failures.append(str(error).splitlines()[0])
        assert not failures, "\n".join(failures)


def test_the_case_page_timeline_has_the_words_and_the_message_text(rich_case, ladder_org):  # noqa: F811
    client = Client()
    client.force_login(ladder_org.head)
    html = client.get(f"/complaints/{rich_case.number}/").content.decode()
    timeline = visible_text(re.search(r'data-testid="timeline".*?</ol>', html, re.S).group(0))
    for words in ("优先级 中 → 紧急", "严重级别 一般投诉 → 重大投诉", "升级层级 一线客服 → 营业机构负责人",
                  "受理告知", "外部转办", "首次响应时限", "升级层级解决时限"):  # fmt: skip
        assert words in timeline, words
    assert "refusal-zh" not in timeline  # the ignored warning by its rule's name
    assert "【" in timeline and rich_case.number in timeline  # the acknowledgement's own text


def test_staff_emails_show_words_not_codes(rich_case, ladder_org, django_capture_on_commit_callbacks):  # noqa: F811
    org = ladder_org
    tokens = forbidden_tokens()
    org.head.email = "head@example.com"
    org.head.save(update_fields=["email"])
    mail.outbox.clear()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        for what, clock in (("breach", TimerKind.RESOLUTION), ("warning", TimerKind.LEVEL_RESOLVE),
                            ("breach", TimerKind.FOLLOW_UP), ("new_holder", "")):  # fmt: skip
            staff_alert_send(complaint_id=rich_case.pk, user_ids=[org.head.pk], unit_id=None, what=what, clock=clock,
                             due_at=rich_case.resolution_due_at)  # fmt: skip
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        _assert_words_only(f"e-mail {message.subject}", f"{message.subject}\n{message.body}", tokens)
    assert any("时限：解决" in m.body for m in mail.outbox)  # the clock by its name, not "resolution"
