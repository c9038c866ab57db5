"""A department's way in to the cases handed to it (转办): the department's staff land on their work orders,
and that page and the header lead to the cases their department holds, those to accept first, with counts.
Another department sees none of it."""

import re

import pytest
from django.core.cache import caches
from django.test import Client

from complaintdesk.accounts.models import Role, SystemUser
from complaintdesk.accounts.system import system_user
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.transfers import complaint_transfer
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def desk(org):
    """The shared organisation with a customer service centre and its agent, and a network department with its
    engineer (the billing department BILL and its staff member come with it)."""
    org.centre = orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    org.desk_agent = org.user("desk_agent", Role.AGENT, org.centre)
    org.network = orgunit_create(code="NET", name="网络部", kind="department", parent=org.hq)
    org.engineer = org.user("engineer", Role.DEPARTMENT_STAFF, org.network)
    return org


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def _nav(html: str) -> str:
    start = html.index('aria-label="主导航"')
    return html[start : html.index("</nav>", start)]


@pytest.fixture
def handed(desk):
    """A case the centre took in (not yet accepted) handed to the billing department."""
    case = intake(desk.desk_agent, title="账单多扣了宽带费")
    complaint_transfer(
        number=case.number, actor=desk.desk_agent, unit_code="BILL", reason="扣费争议，请计费部核查"
    )
    return case


def test_the_department_lands_on_its_work_orders_and_finds_the_case_handed_to_it_first(desk, handed):
    client = _client(desk.dept_staff)

    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == "/work-orders/"
    page = landing.content.decode()
    # The header leads to the department's cases, with the number waiting to be accepted.
    nav = _nav(page)
    assert 'href="/queues/new/" data-testid="nav-department-cases"' in nav
    assert _text(nav).count("本部门案件 1") == 1
    # The landing page lists the case to accept, with the counts of the department's queues.
    card = _section(page, "department-cases")
    assert f'href="/complaints/{handed.number}/"' in card and "账单多扣了宽带费" in card
    assert "待受理 1" in _text(card) and "我在办 0" in _text(card) and "本部门未办结 1" in _text(card)

    queue = client.get("/queues/new/").content.decode()
    assert handed.number in queue
    tabs = _text(
        queue[queue.index('aria-label="队列"') : queue.index("</nav>", queue.index('aria-label="队列"'))]
    )
    assert "待受理" in tabs and "团队" in tabs
    assert "未分派" not in tabs and "待回访" not in tabs  # they assign nothing and make no follow-up call
    assert handed.number in client.get("/queues/team/").content.decode()


def test_the_department_opens_and_accepts_the_case_and_then_finds_it_in_its_own_queue(desk, handed):
    client = _client(desk.dept_staff)
    page = client.get(f"/complaints/{handed.number}/")
    assert page.status_code == 200 and 'data-testid="to-accepted"' in page.content.decode()

    client.post(f"/complaints/{handed.number}/transition", {"to": Status.ACCEPTED, "reason": ""})

    case = Complaint.objects.get(pk=handed.pk)
    assert (case.status, case.assignee_id) == (Status.ACCEPTED, desk.dept_staff.pk)
    mine = client.get("/queues/mine/")  # their own queue, not sent back to the work orders
    assert mine.status_code == 200 and handed.number in mine.content.decode()
    landing = client.get("/work-orders/").content.decode()
    assert "待受理 0" in _text(_section(landing, "department-cases"))
    assert "我在办 1" in _text(_section(landing, "department-cases"))
    nav = _nav(landing)
    assert 'href="/queues/team/" data-testid="nav-department-cases"' in nav  # nothing left to accept
    assert 'data-testid="department-to-accept"' not in nav


def test_another_department_does_not_see_the_case(desk, handed):
    client = _client(desk.engineer)

    landing = client.get("/work-orders/").content.decode()
    assert handed.number not in landing
    assert "待受理 0" in _text(_section(landing, "department-cases"))
    assert 'data-testid="department-to-accept"' not in _nav(landing)
    for queue in ("new", "team", "mine"):
        assert handed.number not in client.get(f"/queues/{queue}/").content.decode()
    assert client.get(f"/complaints/{handed.number}/").status_code == 404


def test_people_who_do_not_work_for_a_department_keep_their_workbench(desk, handed):
    client = _client(desk.agent_a)
    page = client.get("/").content.decode()
    assert 'data-testid="nav-department-cases"' not in page
    tabs = page[page.index('aria-label="队列"') : page.index("</nav>", page.index('aria-label="队列"'))]
    assert "未分派" in tabs and "待回访" in tabs and "待受理" not in tabs


def test_an_english_reader_finds_the_same_way_in(desk, handed):
    client = _client(desk.dept_staff)
    client.cookies["django_language"] = "en"
    page = client.get("/work-orders/").content.decode()
    card = _text(_section(page, "department-cases"))
    assert "Cases handed to your department" in card and "Open in the department 1" in card
    assert "Accept first" in card and not re.search(r"[\u4e00-\u9fff]", card.replace("账单多扣了宽带费", ""))
    nav = page[page.index('data-testid="nav-department-cases"') :]
    assert nav[: nav.index("</a>")].split(">", 1)[1].startswith("Department cases")


def test_a_case_accepted_at_the_centre_and_then_handed_on_is_taken_by_whoever_starts_work_on_it(desk):
    """The centre accepts a case (it becomes the centre agent's), then hands it to billing: it arrives
    accepted, with no handler. The department's staff assign nothing, so starting work on it takes it."""
    case = intake(desk.desk_agent, title="发票抬头开错了")
    client = _client(desk.desk_agent)
    client.post(f"/complaints/{case.number}/transition", {"to": Status.ACCEPTED, "reason": ""})
    complaint_transfer(number=case.number, actor=desk.desk_agent, unit_code="BILL", reason="请计费部重开发票")
    arrived = Complaint.objects.get(pk=case.pk)
    assert (arrived.status, arrived.assignee_id) == (Status.ACCEPTED, None)

    staff = _client(desk.dept_staff)
    page = staff.get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="to-handling"' in page
    staff.post(f"/complaints/{case.number}/transition", {"to": Status.HANDLING, "reason": ""})

    taken = Complaint.objects.get(pk=case.pk)
    assert (taken.status, taken.assignee_id) == (Status.HANDLING, desk.dept_staff.pk)
    assert case.number in staff.get("/queues/mine/").content.decode()
    assert "我在办 1" in _text(_section(staff.get("/work-orders/").content.decode(), "department-cases"))


def test_a_system_account_moving_an_unheld_case_back_to_handling_does_not_take_it(desk):
    """A survey or the ladder reopens a case to 处理中 as a system account: a case nobody holds stays in
    the unit's queue rather than held by the system."""
    case = intake(desk.desk_agent, title="发票抬头开错了")
    _client(desk.desk_agent).post(
        f"/complaints/{case.number}/transition", {"to": Status.ACCEPTED, "reason": ""}
    )
    complaint_transfer(number=case.number, actor=desk.desk_agent, unit_code="BILL", reason="请计费部重开发票")
    complaint_transition(number=case.number, actor=system_user(SystemUser.SURVEYS), to=Status.HANDLING)

    moved = Complaint.objects.get(pk=case.pk)
    assert (moved.status, moved.assignee_id) == (Status.HANDLING, None)


def test_the_regulator_referral_queue_is_linked_only_for_those_it_opens_to(desk, handed):
    """A department's staff neither see the 监管转办 link nor reach the page; the centre's agent does both."""
    engineer = _client(desk.dept_staff)
    assert 'data-testid="nav-regulator"' not in _nav(engineer.get("/work-orders/").content.decode())
    assert engineer.get("/regulation/referrals/").status_code == 404

    agent = _client(desk.desk_agent)
    assert 'href="/regulation/referrals/" data-testid="nav-regulator"' in _nav(
        agent.get("/").content.decode()
    )
    assert agent.get("/regulation/referrals/").status_code == 200


def test_the_queue_to_accept_is_named_as_a_queue_not_as_the_status(desk, handed):
    """The tab, the department card's link and the header badge say what to do ("To accept"); the case's status
    keeps its own label. In Chinese both stay 待受理."""
    client = _client(desk.dept_staff)
    client.cookies["django_language"] = "en"
    queue = client.get("/queues/new/").content.decode()
    tabs = _text(queue[queue.index('class="tabs"') : queue.index("</nav>", queue.index('class="tabs"'))])
    assert "To accept" in tabs and "New (awaiting acceptance)" not in tabs
    assert 'data-testid="department-to-accept" title="To accept"' in queue  # the header's badge
    rows = _text(queue[queue.index("<tbody") :])
    assert "New (awaiting acceptance)" in rows  # the case's status
    card = _text(_section(client.get("/work-orders/").content.decode(), "department-cases"))
    assert "To accept 1" in card

    client.cookies["django_language"] = "zh-hans"
    queue = client.get("/queues/new/").content.decode()
    assert "待受理" in _text(
        queue[queue.index('class="tabs"') : queue.index("</nav>", queue.index('class="tabs"'))]
    )
