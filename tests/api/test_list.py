"""GET /complaints: filters, the three orderings, cursor pagination stable under inserts, bounded queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.services import complaint_assign

from .support import assert_problem


def _create(api, payload) -> str:
    response = api.post("/complaints", payload)
    assert response.status_code == 201, response.content
    return response.json()["number"]


def _numbers(api, query: str = "") -> list[str]:
    response = api.get(f"/complaints{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return [item["number"] for item in body["items"]]


def _all_pages(api, query: str, limit: int) -> list[str]:
    numbers, cursor, pages = [], None, 0
    while True:
        separator = "&" if query else ""
        suffix = f"{query}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(f"/complaints?{suffix}")
        assert response.status_code == 200, response.content
        body = response.json()
        numbers += [item["number"] for item in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        assert pages < 100
        if cursor is None:
            return numbers


def _set(number: str, **fields) -> None:
    if "created_at" in fields:  # a case typed in as it arrived: the clocks' window starts at receipt
        fields.setdefault("received_at", fields["created_at"])
    Complaint.objects.filter(number=number).update(**fields)


@pytest.fixture
def cases(org, api_for, make_payload):
    """Six cases in store A, two in store B, with varied channel, category, priority and deadlines."""
    agent_a, agent_b = api_for(org.agent_a), api_for(org.agent_b)
    made = {
        "a_phone": _create(agent_a, make_payload(title="宽带断网")),
        "a_web": _create(
            agent_a, make_payload(channel="web", title="账单多扣费", description="本月账单多扣了 30 元")
        ),
        "a_weibo": _create(agent_a, make_payload(channel="weibo", title="微博上的投诉")),
        "a_letter": _create(agent_a, make_payload(channel="letter", title="来信投诉服务态度")),
        "a_chat": _create(agent_a, make_payload(channel="chat", title="在线客服不回复")),
        "a_walk": _create(agent_a, make_payload(channel="walk_in", title="门店排队太久")),
        "b_phone": _create(agent_b, make_payload(title="浦东门店断网")),
        "b_web": _create(agent_b, make_payload(channel="web", title="浦东账单问题")),
    }
    return made


def test_scope_status_channel_and_unit_subtree(org, api_for, cases):
    manager = api_for(org.manager)
    assert set(_numbers(manager)) == set(cases.values())
    assert set(_numbers(api_for(org.agent_a))) == {v for k, v in cases.items() if k.startswith("a_")}
    assert set(_numbers(manager, "?unit=SH-B")) == {cases["b_phone"], cases["b_web"]}
    assert set(_numbers(manager, "?unit=SH")) == set(cases.values())  # the branch and its stores
    assert set(_numbers(manager, "?channel=web&channel=weibo")) == {
        cases["a_web"],
        cases["b_web"],
        cases["a_weibo"],
    }

    api = api_for(org.agent_a)
    assert api.post(f"/complaints/{cases['a_web']}/transitions", {"to": "accepted"}).status_code == 200
    assert _numbers(api, "?status=accepted") == [cases["a_web"]]
    assert set(_numbers(api, "?status=accepted&status=new")) == {
        v for k, v in cases.items() if k.startswith("a_")
    }
    # A unit outside the user's scope is unknown to them, like one that does not exist.
    body = assert_problem(api.get("/complaints?unit=SH-B"), 422, "unit")
    other = assert_problem(api.get("/complaints?unit=NOPE"), 422, "unit")
    assert body["errors"]["unit"][0].replace("SH-B", "X") == other["errors"]["unit"][0].replace("NOPE", "X")


def test_category_assignee_and_created_range(org, api_for, cases):
    api = api_for(org.manager)
    child = Category.objects.create(code="billing_overcharge", name="多扣费", parent=org.category)
    _set(cases["a_web"], category=child)
    _set(cases["b_web"], category=org.category)
    assert set(_numbers(api, "?category=billing_dispute")) == {cases["a_web"], cases["b_web"]}
    assert _numbers(api, "?category=billing_overcharge") == [cases["a_web"]]
    assert_problem(api.get("/complaints?category=nope"), 422, "category")

    complaint_assign(number=cases["a_phone"], actor=org.manager, assignee=org.agent_a)
    complaint_assign(number=cases["b_phone"], actor=org.manager, assignee=org.manager)
    assert _numbers(api, "?assignee=agent_a") == [cases["a_phone"]]
    assert _numbers(api, "?assignee=me") == [cases["b_phone"]]
    assert _numbers(api, "?mine=true") == [cases["b_phone"]]
    assert set(_numbers(api, "?assignee=none")) == set(cases.values()) - {cases["a_phone"], cases["b_phone"]}
    assert_problem(api.get("/complaints?assignee=nobody_here"), 422, "assignee")

    earlier = now() - dt.timedelta(days=10)
    _set(cases["a_letter"], created_at=earlier)
    start = (earlier - dt.timedelta(days=1)).isoformat()
    end = (earlier + dt.timedelta(days=1)).isoformat()
    query = f"?created_from={start.replace('+', '%2B')}&created_to={end.replace('+', '%2B')}"
    assert _numbers(api, query) == [cases["a_letter"]]
    assert cases["a_letter"] not in _numbers(api, f"?created_from={end.replace('+', '%2B')}")
    assert_problem(api.get("/complaints?created_from=2026-11-20T10:00:00"), 422, "created_from")


def test_breached_and_at_risk(org, api_for, cases):
    api = api_for(org.manager)
    current = now()
    # Window 48 h from intake: 1 h left is at risk (< 20 %), 30 h left is not, 1 h ago is breached.
    created = current - dt.timedelta(hours=47)
    _set(cases["a_phone"], created_at=created, due_at=current + dt.timedelta(hours=1))
    _set(cases["a_web"], created_at=current - dt.timedelta(hours=18), due_at=current + dt.timedelta(hours=30))
    _set(
        cases["b_phone"], created_at=current - dt.timedelta(hours=49), due_at=current - dt.timedelta(hours=1)
    )
    # Paused while awaiting the customer: the clock does not run, so not at risk.
    _set(cases["b_web"], created_at=created, due_at=current + dt.timedelta(hours=1), sla_paused_at=current)
    # Finished cases are never breached nor at risk.
    _set(
        cases["a_letter"],
        created_at=created,
        due_at=current - dt.timedelta(hours=1),
        is_open=False,
        status="closed",
    )

    assert _numbers(api, "?breached=true") == [cases["b_phone"]]
    assert _numbers(api, "?at_risk=true") == [cases["a_phone"]]
    assert cases["a_phone"] not in _numbers(api, "?at_risk=false")
    assert cases["b_phone"] not in _numbers(api, "?breached=false&limit=100")
    assert cases["a_letter"] in _numbers(api, "?breached=false&limit=100")


def test_text_search_on_number_title_and_description(org, api_for, cases):
    api = api_for(org.manager)
    assert set(_numbers(api, "?q=账单")) == {cases["a_web"], cases["b_web"]}
    assert _numbers(api, "?q=多扣了") == [cases["a_web"]]  # description only
    assert _numbers(api, f"?q={cases['a_chat']}") == [cases["a_chat"]]
    assert set(_numbers(api, f"?q={cases['a_chat'][:10]}")) == set(
        cases.values()
    )  # a number prefix (same day)
    assert_problem(api.get("/complaints?q=a"), 422, "q")
    assert_problem(api.get("/complaints?q=" + "长" * 101), 422, "q")
    # Search text is data, never SQL or a pattern.
    assert _numbers(api, "?q=%25%27%3B%20DROP") == []


def test_orderings(org, api_for, cases):
    api = api_for(org.manager)
    current = now()
    for offset, key in enumerate(["a_walk", "a_phone", "b_web", "a_chat"]):
        _set(cases[key], due_at=current + dt.timedelta(hours=offset + 1))
    _set(cases["a_letter"], due_at=None, is_open=False, status="withdrawn")
    _set(cases["a_weibo"], priority=1)
    _set(cases["b_phone"], priority=1, due_at=current + dt.timedelta(minutes=5))

    by_deadline = _numbers(api, "?ordering=deadline&limit=100")
    rows = {c.number: c for c in Complaint.objects.all()}
    due = [rows[n].due_at for n in by_deadline]
    running = [d for d in due if d is not None]
    assert running == sorted(running)
    assert due[-1] is None and by_deadline[-1] == cases["a_letter"]  # no running clock: last

    by_created = _numbers(api, "?ordering=created&limit=100")
    assert [rows[n].created_at for n in by_created] == sorted(
        (rows[n].created_at for n in by_created), reverse=True
    )
    assert by_created[0] == cases["b_web"]  # the newest

    by_priority = _numbers(api, "?ordering=priority&limit=100")
    assert by_priority[:2] == [cases["b_phone"], cases["a_weibo"]]  # urgent first, nearest deadline first
    assert by_priority[-1] == cases["a_letter"]
    assert_problem(api.get("/complaints?ordering=random"), 422, "ordering")


@pytest.mark.parametrize("ordering", ["deadline", "created", "priority"])
def test_cursor_pages_cover_everything_once_even_with_inserts(org, api_for, make_payload, cases, ordering):
    api = api_for(org.manager)
    current = now()
    _set(cases["a_letter"], due_at=None, is_open=False, status="closed")
    _set(cases["a_chat"], due_at=None, is_open=False, status="withdrawn")
    _set(cases["a_walk"], priority=2)
    # Ties on the sort keys: the id breaks them, so none is skipped or repeated.
    _set(cases["a_phone"], due_at=current + dt.timedelta(hours=3))
    _set(cases["b_phone"], due_at=current + dt.timedelta(hours=3))
    everything = _all_pages(api, f"ordering={ordering}", limit=100)
    assert len(everything) == len(set(everything)) == len(cases)

    seen, cursor = [], None
    for page_no in range(20):
        query = f"?ordering={ordering}&limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(f"/complaints{query}").json()
        seen += [item["number"] for item in body["items"]]
        if page_no == 0:
            # Cases arriving between pages do not shift the pages already promised.
            for i in range(3):
                _create(api_for(org.agent_a), make_payload(title=f"翻页期间新登记 {i}"))
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(everything) <= set(seen)
    assert seen[: len(everything)][:3] == everything[:3]


def test_cursor_is_opaque_and_tied_to_its_filters(org, api_for, cases):
    api = api_for(org.manager)
    body = api.get("/complaints?limit=2&ordering=created").json()
    cursor = body["next_cursor"]
    assert cursor and "created_at" not in cursor
    assert_problem(api.get(f"/complaints?limit=2&ordering=deadline&cursor={cursor}"), 422, "cursor")
    assert_problem(
        api.get(f"/complaints?limit=2&ordering=created&channel=web&cursor={cursor}"), 422, "cursor"
    )
    assert_problem(api.get("/complaints?cursor=not-a-cursor"), 422, "cursor")
    assert_problem(api.get(f"/complaints?ordering=created&cursor={cursor[:-2]}xx"), 422, "cursor")
    assert api.get(f"/complaints?limit=2&ordering=created&cursor={cursor}").status_code == 200


def test_limit_is_bounded(org, api_for, cases):
    api = api_for(org.manager)
    assert_problem(api.get("/complaints?limit=101"), 422, "limit")
    assert_problem(api.get("/complaints?limit=0"), 422, "limit")
    assert len(_numbers(api, "?limit=2")) == 2


def test_list_queries_do_not_grow_with_the_page(org, api_for, make_payload, django_assert_max_num_queries):
    agent = api_for(org.agent_a)
    for i in range(30):
        _create(agent, make_payload(title=f"投诉 {i}", channel=["phone", "web", "chat"][i % 3]))
    Complaint.objects.update(category=org.category, assignee=org.agent_a)
    api = api_for(org.manager)
    api.get("/complaints?limit=1")  # token touched, permissions of a fresh request cached per request anyway
    for query in (
        "?limit=100",
        "?limit=100&ordering=created&unit=SH&q=投诉",
        "?limit=100&ordering=priority&at_risk=false",
    ):
        with django_assert_max_num_queries(12):
            response = api.get(f"/complaints{query}")
        assert response.status_code == 200
        assert len(response.json()["items"]) == 30


@pytest.mark.postgres
def test_each_ordering_is_served_by_its_index(org):
    """EXPLAIN on PostgreSQL, with sequential scans off: the planner can walk each ordering's index."""
    plans = {}
    with connection.cursor() as cursor, CaptureQueriesContext(connection):
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        table = Complaint._meta.db_table
        for name, sql in {
            "created": f"SELECT id FROM {table} ORDER BY created_at DESC, id DESC LIMIT 50",
            "deadline": f"SELECT id FROM {table} WHERE due_at IS NOT NULL AND due_at >= now() "
            f"ORDER BY due_at, id LIMIT 50",
            "priority": f"SELECT id FROM {table} WHERE due_at IS NOT NULL ORDER BY priority, due_at, id LIMIT 50",
        }.items():
            cursor.execute("EXPLAIN " + sql)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    assert "cpl_created_id" in plans["created"], plans["created"]
    assert "cpl_due_id" in plans["deadline"], plans["deadline"]
    assert "cpl_priority_due_id" in plans["priority"], plans["priority"]
