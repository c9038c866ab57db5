"""English pages in Chromium (desktop and phone sizes): the agent's case page and the department's work
order show the units, the department and the category by their English names where stored. Screenshots
under BROWSER_SCREENSHOTS_DIR."""

import os
from pathlib import Path

import pytest

from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.dispatch.services import work_order_create
from complaintdesk.orgs.models import OrgUnit

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _viewport(page, name: str) -> None:
    directory = os.environ.get("BROWSER_SCREENSHOTS_DIR", "")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("size", [DESKTOP, {"width": 390, "height": 844}], ids=["1366x768", "390x844"])
def test_english_pages_name_units_and_departments_in_english(org, billing_case, new_page, sign_in, size):
    OrgUnit.objects.filter(code="SH-A").update(name_en="Xuhui store")
    OrgUnit.objects.filter(code="BILL").update(name_en="Billing dept")
    for user in (org.agent_a, org.dept_staff):
        user.set_password(PASSWORD)
        user.save()
    complaint_analyse(number=billing_case.number, actor=org.agent_a, changes={"category": "billing_dispute"})
    order = work_order_create(
        number=billing_case.number,
        actor=org.agent_a,
        department="BILL",
        instructions="核查 10 月账单",
        due_working_days=2,
    )
    suffix = f"{size['width']}x{size['height']}"

    page = new_page(**size, locale="en-US")
    sign_in(page, "agent_a", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.goto(f"/complaints/{billing_case.number}/")
    head = page.locator("[data-testid=case-head]").inner_text()
    assert "Xuhui store" in head and "徐汇门店" not in head
    assert page.locator("#analysis select[name=category] option:checked").inner_text() == "Billing dispute"
    panel = page.locator("#work-orders")
    panel.locator("text=Billing dept").first.wait_for()
    assert "计费部" not in panel.inner_text()
    _viewport(page, f"english-names-case-{suffix}")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1

    staff = new_page(**size, locale="en-US")
    sign_in(staff, "billing", PASSWORD)
    staff.context.add_cookies([{"name": "django_language", "value": "en", "url": staff.url}])
    staff.goto(f"/work-orders/{order.pk}/")
    text = staff.locator("main").inner_text()
    assert (
        "Billing dept" in text and "Xuhui store" in text and "计费部" not in text and "徐汇门店" not in text
    )
    _viewport(staff, f"english-names-work-order-{suffix}")
    assert staff.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1
