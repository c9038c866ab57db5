"""Group complaints in Chromium (issue 13 point 9): six customers of one region report the same outage;
detection lists it as 待主管确认 — nothing flagged, nobody escalated. The supervisor signs in, finds
群体性投诉 in the header, sees the pending group with its evidence in words and its cases, and confirms it
there; the cases are then flagged. Screenshots at 1366×768 and 390×844 (set
BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create
from complaintdesk.intelligence.models import ComplaintGroup, GroupStatus
from complaintdesk.intelligence.services import enrichment
from complaintdesk.intelligence.tests.group_texts import OUTAGE

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def pending_group(org, settings):
    settings.INTELLIGENCE_EMOTION_MODEL = False
    supervisor = org.user("east_supervisor", Role.SUPERVISOR, org.region)
    supervisor.display_name = "陈主管"
    supervisor.set_password(PASSWORD)
    supervisor.save()
    complaints = []
    for index, text in enumerate(OUTAGE[:6]):
        complaint = complaint_create(
            data=IntakeData(
                channel="phone",
                title=text[:20],
                description=text,
                customer=IntakeCustomer(name="客户", phone=f"1390000{index:04d}"),
                org_unit_code=(org.store_b if index % 2 else org.branch).code,
            ),
            actor=org.manager,
        )
        enrichment.complaint_enrich(complaint_id=complaint.pk)
        complaints.append(complaint)
    group = ComplaintGroup.objects.get()
    assert group.status == GroupStatus.PENDING
    return group, complaints


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_supervisor_confirms_a_pending_group_from_the_groups_page(
    org, pending_group, new_page, sign_in, screenshot
):
    group, complaints = pending_group
    assert not Complaint.objects.filter(is_batch=True).exists()
    page = new_page(**DESKTOP)
    sign_in(page, "east_supervisor", PASSWORD)
    page.locator("[data-testid=nav-groups]").click()
    page.wait_for_url("**/groups/")
    assert "待主管确认 (1)" in page.locator("[data-testid=tab-pending]").inner_text()
    card = page.locator(f"[data-testid=group-{group.pk}]")
    evidence = card.locator("[data-testid=evidence]").inner_text()
    assert "6 位客户" in evidence and "共同地点：张江" in evidence and "共同问题：断网" in evidence
    for complaint in complaints:
        assert card.locator(f"a[href='/complaints/{complaint.number}/']").count() == 1
    screenshot(page, "groups-pending-1366")

    phone = new_page(**PHONE)
    sign_in(phone, "east_supervisor", PASSWORD)
    phone.goto("/groups/")
    phone.locator(f"[data-testid=group-{group.pk}]").wait_for()
    assert _no_sideways_scroll(phone)
    screenshot(phone, "groups-pending-390")

    card.locator("input[name=reason]").first.fill("张江光缆故障，已核实")
    card.locator(f"[data-testid=confirm-{group.pk}] button[type=submit]").click()
    page.wait_for_url("**/groups/?view=open")
    assert f"已确认群体性投诉 G{group.pk}" in page.locator("main").inner_text()
    assert "陈主管" in page.locator(f"[data-testid=group-{group.pk}]").inner_text()
    screenshot(page, "groups-confirmed-1366")
    assert Complaint.objects.filter(pk__in=[c.pk for c in complaints], is_batch=True).count() == 6
