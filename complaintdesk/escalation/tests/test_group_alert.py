"""A group complaint (群体性投诉) opening is e-mailed to the region's supervisors, through the queue."""

import pytest
from django.core import mail

from complaintdesk.inbox.models import StaffNotification
from complaintdesk.intelligence import alerts

from .conftest import intake

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_BASE_URL = "https://cs.example.com"


def test_the_region_s_supervisors_each_get_one_mail_listing_the_cases(
    ladder_org, django_capture_on_commit_callbacks
):
    org = ladder_org
    org.manager.email, org.head.email = "manager@example.com", ""  # the head has no address: skipped
    org.manager.save(update_fields=["email"])
    org.head.save(update_fields=["email"])
    cases = [intake(org.agent_a, title=f"宽带断网 {i}") for i in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        alerts.group_opened(  # as intelligence.services calls it after the commit
            group_id=7,
            title="张江宽带断网",
            scope_unit_id=org.region.pk,
            user_ids=[org.manager.pk, org.head.pk],
            complaint_ids=[c.pk for c in cases],
        )

    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    message = mail.outbox[0]
    assert (
        message.subject.startswith("[G7] 群体性投诉：3 位客户反映同一问题")
        and "张江宽带断网" in message.subject
    )
    assert org.region.name in message.body
    for case in cases:
        assert f"https://cs.example.com/complaints/{case.number}/" in message.body
    # Both supervisors see it in the workbench, the one without an address too.
    assert sorted(
        StaffNotification.objects.filter(kind="group_opened").values_list("user_id", flat=True)
    ) == sorted([org.manager.pk, org.head.pk])


def test_nobody_to_tell_sends_nothing(ladder_org):
    alerts.group_opened(
        group_id=8, title="x", scope_unit_id=ladder_org.region.pk, user_ids=[], complaint_ids=[]
    )
    assert mail.outbox == []
