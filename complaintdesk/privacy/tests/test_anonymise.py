"""The anonymisation job: expired cases lose their personal data and keep their statistics; a legal hold
keeps a case whole; a second run changes nothing; a customer keeps their details while a live case needs
them."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.attachments import attachment_add
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.privacy.models import AnonymisationRun, AnonymisedCase
from complaintdesk.privacy.services import (
    ANONYMOUS_NAME,
    cases_anonymise,
    legal_hold_place,
    legal_hold_release,
)

from .factories import closed_case

EXPIRED = 3 * 365 + 5
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
STATS = (
    "number", "org_unit_id", "category_id", "channel", "status", "severity", "complexity", "priority",
    "responsibility", "created_at", "received_at", "accepted_at", "resolved_at", "closed_at", "first_responded_at",
    "acknowledged_at", "resolution_due_at", "due_at", "assignee_id", "customer_id", "is_batch", "reputation_risk",
)  # fmt: skip


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def django_capture_on_commit():
    """on_commit callbacks (the file deletion) run in tests wrapped in a transaction."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _expired_case(org, **overrides):
    description = (
        "我叫王女士，手机 13800138000，身份证 110101199003071234，邮箱 wang@example.com，住在幸福路 8 号。"
    )
    return closed_case(
        org.agent_a, closed_days_ago=EXPIRED, category=org.category, description=description,
        place="幸福路 8 号 3 单元", demand="王女士要求回电 13800138000", **overrides,
    )  # fmt: skip


def test_an_expired_case_loses_personal_data_and_keeps_its_statistics(org, media):
    case = _expired_case(org)
    attachment, _created = attachment_add(
        number=case.number, actor=org.executive, content=io.BytesIO(PNG), name="身份证正面.png"
    )
    file_name = attachment.file.name
    assert default_storage.exists(file_name)
    Notification.objects.create(
        complaint=case, template_code="acknowledgement", channel="sms", recipient="+8613800138000",
        language="zh-hans", body="王女士您好，您的投诉已受理", status=NotificationStatus.SENT,
        created_at=case.created_at, updated_at=case.created_at,
    )  # fmt: skip
    before = Complaint.objects.filter(pk=case.pk).values(*STATS).get()

    with django_capture_on_commit():
        run = cases_anonymise()

    assert (run.cases, run.customers, run.attachments, run.remaining) == (1, 1, 1, False)
    case.refresh_from_db()
    assert Complaint.objects.filter(pk=case.pk).values(*STATS).get() == before  # statistics intact
    for text in (case.description, case.demand, case.title):
        assert "13800138000" not in text and "110101199003071234" not in text and "王女士" not in text
    assert "138****8000" in case.description and "wang@example.com" not in case.description
    assert case.place == "" and case.contact_phone == "" and case.contact_name == ""
    customer = Customer.objects.get(pk=case.customer_id)
    assert customer.name == ANONYMOUS_NAME
    assert (customer.phone, customer.email, customer.account_no, customer.wechat_openid) == ("", "", "", "")
    assert not Attachment.objects.filter(complaint=case).exists()
    assert not default_storage.exists(file_name)
    notification = Notification.objects.get(complaint=case)
    assert notification.recipient == "138****8000" and "王女士" not in notification.body
    assert AnonymisedCase.objects.filter(complaint=case).exists()
    assert ComplaintEvent.objects.filter(
        complaint=case, kind=EventKind.NOTE, new_value__contains="匿名化"
    ).exists()
    assert AnonymisationRun.objects.get(pk=run.pk).finished_at is not None


def test_a_second_run_changes_nothing(org, media):
    case = _expired_case(org)
    cases_anonymise()
    case.refresh_from_db()
    snapshot = Complaint.objects.filter(pk=case.pk).values().get()
    events = ComplaintEvent.objects.filter(complaint=case).count()
    second = cases_anonymise()
    assert (second.cases, second.customers, second.attachments) == (0, 0, 0)
    assert Complaint.objects.filter(pk=case.pk).values().get() == snapshot
    assert ComplaintEvent.objects.filter(complaint=case).count() == events


def test_a_legal_hold_keeps_the_case_until_released(org, media):
    gm = org.user("gm", Role.GENERAL_MANAGEMENT, org.hq)
    case = _expired_case(org)
    legal_hold_place(number=case.number, actor=gm, reason="客户已起诉，法院调取材料")
    run = cases_anonymise()
    assert (run.cases, run.held) == (0, 1)
    case.refresh_from_db()
    assert "13800138000" in case.description and case.customer.phone == "+8613800138000"
    legal_hold_release(number=case.number, actor=gm, reason="诉讼已结案")
    assert cases_anonymise().cases == 1


def test_the_customer_keeps_details_while_another_case_is_live(org, media):
    old = _expired_case(org)
    live = closed_case(org.agent_a, closed_days_ago=10)  # same phone: same customer
    assert live.customer_id == old.customer_id
    run = cases_anonymise()
    assert (run.cases, run.customers) == (1, 0)
    customer = Customer.objects.get(pk=old.customer_id)
    assert customer.phone == "+8613800138000"
    old.refresh_from_db()
    assert "13800138000" not in old.description  # the case itself is anonymised all the same


def test_batches_are_bounded_and_the_rest_waits(org, media):
    cases = [_expired_case(org) for _ in range(3)]
    first = cases_anonymise(batch_size=2)
    assert (first.cases, first.remaining) == (2, True)
    second = cases_anonymise(batch_size=2)
    assert (second.cases, second.remaining) == (1, False)
    assert AnonymisedCase.objects.filter(complaint__in=cases).count() == 3


def test_the_management_command_runs_the_job(org, media):
    _expired_case(org)
    out = io.StringIO()
    call_command("privacy_anonymise", "--dry-run", stdout=out)
    assert "expired: 1" in out.getvalue()
    out = io.StringIO()
    call_command("privacy_anonymise", stdout=out)
    assert "cases=1" in out.getvalue()
    assert AnonymisationRun.objects.count() == 1


def test_the_job_is_registered_as_a_daily_periodic_job(org, media):
    from complaintdesk.tasks.periodic import periodic_job, periodic_job_run

    job = periodic_job("privacy-anonymise")
    assert job is not None and job.daily_at is not None
    _expired_case(org)
    result = periodic_job_run(job)
    assert AnonymisedCase.objects.count() == 1, result
