"""Names stored in the database on English pages: an organisation unit, a category, a department, a remedy
shows its English name (`name_en`) where one is stored, else its Chinese name; Chinese pages keep the
Chinese names. The customer's escalation message names the level in the customer's language."""

import re

import pytest
from django.test import Client

from complaintdesk.complaints.models import Category
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.dispatch.services import work_order_create
from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.notifications.models import Notification
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.testing import handling_case, ladder_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ENGLISH = {"SH-A": "Xuhui store", "SH": "Shanghai branch", "BILL": "Billing dept"}


@pytest.fixture
def named(org):
    for code, name_en in ENGLISH.items():
        OrgUnit.objects.filter(code=code).update(name_en=name_en)
    for unit in (org.store_a, org.branch, org.billing):
        unit.refresh_from_db()
    for user in (org.agent_a, org.manager, org.dept_staff):
        user.refresh_from_db()
    return org


def _client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_case_page_and_queue_in_english_show_the_english_names(named):
    org = named
    complaint = handling_case(org.agent_a)
    complaint_analyse(number=complaint.number, actor=org.agent_a, changes={"category": "billing_dispute"})
    english = _client(org.agent_a, "en")

    page = english.get(f"/complaints/{complaint.number}/").content.decode()
    head = _text(page.split('data-testid="case-head"', 1)[1].split("</section>", 1)[0])
    assert "Xuhui store" in head and "徐汇门店" not in head
    analysis = page.split('id="analysis"', 1)[1].split("</section>", 1)[0]
    assert ">Billing dispute</option>" in analysis and "计费争议" not in analysis
    assert "徐汇门店" not in page  # nor in the header's badge

    timeline = _text(page.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0])
    assert "Category Billing dispute" in timeline and "计费争议" not in timeline  # the analysis, in words

    queue = english.get("/").content.decode()
    assert "Xuhui store" in queue and "徐汇门店" not in queue
    assert ">Billing dispute</option>" in queue

    chinese = _client(org.agent_a, "zh-hans").get(f"/complaints/{complaint.number}/").content.decode()
    assert "徐汇门店" in chinese and "Xuhui store" not in chinese


def test_a_name_without_an_english_one_stays_as_stored(named):
    org = named
    complaint = handling_case(org.agent_b)
    page = _client(org.agent_b, "en").get(f"/complaints/{complaint.number}/").content.decode()
    assert "浦东门店" in page  # no English name stored: the Chinese one, not an invented translation


def test_the_department_sees_its_english_name_on_the_work_order(named):
    org = named
    complaint = handling_case(org.agent_a)
    order = work_order_create(
        number=complaint.number, actor=org.agent_a, department="BILL", instructions="核查", due_working_days=2
    )
    page = _text(_client(org.dept_staff, "en").get(f"/work-orders/{order.pk}/").content.decode())
    assert "Billing dept" in page and "计费部" not in page
    assert "Xuhui store" in page
    assert "Ms 王" in page and "王Ms" not in page  # the customer addressed as in English
    panel = (
        _client(org.agent_a, "en").get(f"/complaints/{complaint.number}/work-orders/panel").content.decode()
    )
    assert "Billing dept" in panel and "计费部" not in panel


def test_the_dashboard_filters_in_english(named):
    org = named
    page = _client(org.manager, "en").get("/dashboard/").content.decode()
    filters = page.split('data-testid="analytics-filters"', 1)[1].split("</form>", 1)[0]
    assert "Shanghai branch (SH)" in filters and "上海分公司" not in filters
    assert "Billing dispute" in filters and "计费争议" not in filters


def test_the_portal_offers_the_units_by_their_english_names(named, client):
    client.cookies["django_language"] = "en"
    page = client.get("/portal/").content.decode()
    assert "Xuhui store" in page and "徐汇门店" not in page
    assert "浦东门店" in page  # none stored


def test_an_english_customer_is_told_the_level_by_its_english_name(
    ladder_org,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    org = ladder_org
    complaint = handling_case(org.agent_a, language="en")
    complaint.customer.language = "en"
    complaint.customer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求找经理")
    told = Notification.objects.filter(complaint=complaint, template_code="escalated").latest("id")
    assert "is now with the business manager" in told.body and "业务经理" not in told.body, told.body


def test_category_fixture_has_an_english_name(org):
    # The names above come from the data: the test organisation's category carries one.
    assert Category.objects.get(code="billing_dispute").name_en == "Billing dispute"
