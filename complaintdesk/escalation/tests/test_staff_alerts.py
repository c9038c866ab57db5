"""The ladder's staff alerts through the staff notifier: the holder sees the case in the workbench and by
e-mail, the clock named in words (not its code), the link absolute; a case nobody holds goes to the
unit's managers."""

import re

import pytest
from django.core import mail

from complaintdesk.escalation.alerts import staff_alert_send
from complaintdesk.inbox.models import StaffNotification

from .conftest import handling_case, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_BASE_URL = "https://cs.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_warning_names_the_clock_in_words_and_links_the_case(
    ladder_org, clock, django_capture_on_commit_callbacks
):
    org = ladder_org
    org.manager.email = "manager@example.com"
    org.manager.save(update_fields=["email"])
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    with django_capture_on_commit_callbacks(execute=True):
        told = staff_alert_send(
            complaint_id=complaint.pk, user_ids=[org.manager.pk], unit_id=None, what="warning",
            clock="first_response", due_at=local(2026, 11, 25, 10),
        )  # fmt: skip
    assert told == 1
    notice = StaffNotification.objects.get(user=org.manager)
    assert notice.title == f"[{complaint.number}] 时限即将到期：{complaint.title}"
    assert "时限：首次响应" in notice.body and "到期时间：11月25日 10:00" in notice.body
    assert "状态：处理中" in notice.body
    assert not re.search(r"[a-z]{3,}|_", re.sub(r"\bTS\d+\b", "", notice.title + notice.body))
    [message] = mail.outbox
    assert f"https://cs.example.com/complaints/{complaint.number}/" in message.body


def test_a_case_nobody_holds_goes_to_the_units_managers(ladder_org):
    org = ladder_org
    complaint = handling_case(org)
    told = staff_alert_send(
        complaint_id=complaint.pk, user_ids=[], unit_id=org.branch.pk, what="holder_missing"
    )
    managers = {n.user for n in StaffNotification.objects.select_related("user")}
    assert told == 2 and managers == {org.manager, org.head}  # the branch's business manager and head
