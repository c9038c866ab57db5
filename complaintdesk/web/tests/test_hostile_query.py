"""Query values no column can hold (a NUL character; PostgreSQL refuses it) in the filters of every staff
list page, a NUL in a case number's URL and in a note: never a server error (issue 18 item 1)."""

import pytest
from django.test import Client

from complaintdesk.testing import handling_case

PAGES = [
    "/",
    "/work-orders/",
    "/follow-ups/",
    "/groups/",
    "/quality/",
    "/quality/calibration/",
    "/archive/",
    "/dashboard/",
    "/dashboard/cases/",
    "/scorecards/",
    "/notifications/",
    "/approvals/",
]
QUERIES = [
    "q=%00",
    "status=%00&unit=%00&category=%00&channel=%00",
    "from=%00&to=0&month_from=0&month_to=-1&start=0001-01-01",
    "page=%00&cursor=%00",
    "assignee=%00&agent=%00&severity=%00",
]


@pytest.mark.parametrize("username", ["manager", "agent_a"])
def test_staff_pages_with_nul_in_the_query_are_never_a_server_error(org, username):
    case = handling_case(org.agent_a)
    client = Client(raise_request_exception=False)
    client.force_login(getattr(org, username))
    failures = []
    for page in PAGES:
        for query in QUERIES:
            response = client.get(f"{page}?{query}")
            if response.status_code >= 500:
                failures.append((page, query, response.status_code))
    for path in ("/complaints/TS2026%00", f"/complaints/{case.number}?tab=%00"):
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    response = client.post(f"/complaints/{case.number}/notes", {"text": "内部\x00备注"})
    if response.status_code >= 500:
        failures.append(("note", response.status_code))
    assert not failures


# Numbers typed where an id, a level, a count of stars or days goes: "²" and "①" are digits to
# str.isdigit() but not to int(); 20 digits are more than any integer column holds (SQLite cannot even
# be asked: OverflowError); 5,000 digits are more than int() reads.
NOT_NUMBERS = ["²", "①", "99999999999999999999", "9223372036854775808", "1" * 5000]
NUMBER_QUERIES = [
    "/dashboard/?agent={v}",
    "/dashboard/cases/?agent={v}&measure=complaints",
    "/scorecards/?agent={v}",
    "/learning/log/?agent={v}",
    "/privacy/access-log/?before={v}",
    "/quality/calibration/?period={v}",
]


@pytest.mark.parametrize("username", ["manager", "inspector"])
def test_numbers_no_column_holds_in_staff_queries_and_forms_are_never_a_server_error(org, username):
    case = handling_case(org.agent_a)
    client = Client(raise_request_exception=False)
    client.force_login(getattr(org, username))
    failures = []
    for value in NOT_NUMBERS:
        for page in NUMBER_QUERIES:
            response = client.get(page.format(v=value))
            if response.status_code >= 500:
                failures.append((page, value[:20], response.status_code))
        for path, data in [
            (f"/complaints/{case.number}/escalation/escalate", {"level": value, "reason": "客户不满意"}),
            (f"/complaints/{case.number}/feedback/rating", {"stars": value, "solved": "yes"}),
            (
                f"/complaints/{case.number}/work-orders/create",
                {"department": "NET", "instructions": "查线路", "due_working_days": value},
            ),
            ("/notifications/read", {"id": value}),
        ]:
            response = client.post(path, data)
            if response.status_code >= 500:
                failures.append((path, value[:20], response.status_code))
    assert not failures


def test_the_dashboard_with_an_agent_no_one_has_is_the_dashboard(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.manager)
    for value in ("²", "99999999999999999999"):
        assert client.get(f"/dashboard/?agent={value}").status_code == 200
