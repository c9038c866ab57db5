"""Recent-first archive search (issue 20): by default a search ranks the newest archived cases of the
user's scope (backends.WINDOW_ROWS of them), says from which day, and the "all years" switch widens it:
it ranks the newest backends.CANDIDATES_MAX matches of every year, looked for from the window back.
Within the window nothing is lost: the hits are the all-years ranking's hits from that day on."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from complaintdesk.archive import backends, hot
from complaintdesk.archive.models import ArchiveEntry
from complaintdesk.archive.selectors import archive_search, archive_search_results
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint

from .conftest import case_make

pytestmark = pytest.mark.django_db

# The quality set of bench/archive_quality.py (1, 2 and 3 typed words).
QUALITY_QUERIES = [
    "光猫",
    "宽带",
    "销户",
    "月租",
    "退款",
    "信用卡年费",
    "宽带 断网",
    "套餐 流量",
    "快递 丢件",
    "话费 多扣",
    "光猫 红灯",
    "账单 分期 手续费",
    "宽带 断网 光猫",
    "套餐 流量 扣费",
    "快递员 派件 丢件",
    "客服 态度 恶劣",
]
TEXTS = [
    ("家里宽带连续三天断网", "光猫一直亮红灯，宽带断网影响上网课。", "减免月租"),
    ("套餐流量被乱扣费", "套餐里的流量还没用完就开始按流量扣费，话费多扣了80元。", "退还多扣的话费"),
    ("快递丢件没人管", "快递员派件时把包裹弄丢了，丢件后网点推诿。", "按价赔偿"),
    ("信用卡年费和分期手续费", "账单分期的手续费比说好的高，还扣了信用卡年费。", "退款"),
    ("销户后月租还在扣", "销户以后每月月租照扣，退款一直没到账，客服态度恶劣。", "退款并道歉"),
]


def _close_at(case: Complaint, at: dt.datetime) -> None:
    Complaint.objects.filter(pk=case.pk).update(closed_at=at)
    ArchiveEntry.objects.filter(complaint=case).update(at=at)


@pytest.fixture
def years(org):
    """The same five texts closed twice in store A: a year and a half ago, and three days ago; and once in
    store B, a day ago (a whole day later than store A's newest, whatever the hour: a window starts at the
    beginning of a day, so store B's oldest, up to four hours before the day, must never share a day with
    store A's newest). {"old": [...], "new": [...], "b": [...]}"""
    out = {"old": [], "new": [], "b": []}
    for label, unit, age_days in (("old", org.store_a, 540), ("new", org.store_a, 3), ("b", org.store_b, 1)):
        for index, (title, description, demand) in enumerate(TEXTS):
            summary = (title, "原因已查明", "已经处理", "加强培训")
            case = case_make(
                org, unit=unit, title=title, description=description, demand=demand, summary=summary
            )
            _close_at(case, now() - dt.timedelta(days=age_days, hours=index))
            out[label].append(case)
    return out


@pytest.fixture
def window_of_five(monkeypatch):
    monkeypatch.setattr(backends, "WINDOW_ROWS", 5)


def _ids(hits):
    return [(h.kind, h.id) for h in hits]


def _quality_differences(org, years, query) -> list[str]:
    """What is wrong with one query of the quality set (nothing: [])."""
    results = archive_search_results(user=org.agent_a, query=query, limit=10)
    if results.since is None or results.all_years:
        return ["not bounded to a window"]
    if not results.hits:
        return ["finds no recent case"]
    widest = archive_search(user=org.agent_a, query=query, limit=50, all_years=True)
    recent_of_widest = [h for h in widest if h.kind == "article" or h.at >= results.since][:10]
    wrong = []
    if _ids(results.hits) != _ids(recent_of_widest):
        wrong.append(f"hits {_ids(results.hits)} != all years' since the window {_ids(recent_of_widest)}")
    if not {h.id for h in results.hits} <= {c.pk for c in years["new"]}:
        wrong.append("a hit from before the window")
    # All years: the old cases of the same texts come back too, with the same words matched.
    if not {h.id for h in widest} & {c.pk for c in years["old"]}:
        wrong.append("all years finds none of the old cases")
    return wrong


def test_quality_set_within_the_window_the_same_hits_as_all_years(org, years, window_of_five):
    """Every query of the quality set, over one set of cases (made once: 15 closed cases)."""
    differences = {
        query: wrong for query in QUALITY_QUERIES if (wrong := _quality_differences(org, years, query))
    }
    assert not differences


def test_all_years_switch_widens_and_the_window_is_the_users_own_scope(org, years, window_of_five):
    old_broadband, new_broadband = years["old"][0], years["new"][0]
    recent = archive_search_results(user=org.agent_a, query="宽带断网")
    assert [h.id for h in recent.hits] == [new_broadband.pk]
    # Store A's newest five cases go back three days: store B's (newer) cases do not push them out.
    assert recent.since == backends.day_start(
        min(c.closed_at for c in Complaint.objects.filter(pk__in=[c.pk for c in years["new"]]))
    )
    every = archive_search_results(user=org.agent_a, query="宽带断网", all_years=True)
    assert every.since is None and every.all_years
    assert {h.id for h in every.hits} == {old_broadband.pk, new_broadband.pk}
    # HQ's newest five are store B's (a day old): store A's three-day-old case is outside its window.
    hq = archive_search_results(user=org.executive, query="宽带断网")
    assert [h.id for h in hq.hits] == [years["b"][0].pk]


def test_a_small_scope_is_searched_over_every_year(org, years):
    """Fewer archived cases than WINDOW_ROWS in scope: no bound, nothing said about one."""
    results = archive_search_results(user=org.agent_a, query="宽带断网")
    assert results.since is None and not results.all_years
    assert {h.id for h in results.hits} == {years["old"][0].pk, years["new"][0].pk}


def test_the_bound_is_in_the_index_query(org, years, window_of_five):
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        archive_search(user=org.agent_a, query="宽带断网")
    [(sql, params)] = [(s, p) for s, p in statements if "archive_fts" in s or "to_tsquery" in s]
    if connection.vendor != "postgresql":  # SQLite: the same bound, as a filter of the FTS5 matches
        assert "e.at >= %s" in sql
        return
    assert "archive_buckets(e.kind, e.org_unit_id, e.at) && %s::integer[]" in sql
    buckets = next(p for p in params if isinstance(p, list) and p and isinstance(p[0], int))
    unit = org.store_a.pk
    assert -1 in buckets  # articles
    assert buckets[1] // backends.BUCKET_UNIT == unit and all(
        b // backends.BUCKET_UNIT == unit for b in buckets if b != -1
    )
    # Both conditions are conditions of the GIN index: the table is tiny here, so the planner is kept
    # off the sequential scan and the btree indexes (dropped inside this test's transaction).
    with connection.cursor() as cursor:
        for name in ("archive_entry_kind_unit", "archive_case_at", "archive_case_unit_at"):
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # the all-years index, or the hot index of the last months that holds the same columns (hot.py)
    assert "archive_entry_search_recent_gin" in plan or hot.index_name(hot.boundary()) in plan, plan
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line and "@@" in line)
    assert "&&" in index_cond and "timezone('UTC'" in index_cond  # archive_buckets(…), inlined


def test_page_and_api_say_how_far_back_and_offer_all_years(org, years, window_of_five, api_for):
    client = Client()
    client.force_login(org.agent_a)
    page = client.get("/archive/", {"q": "宽带断网"}).content.decode()
    assert years["new"][0].number in page and years["old"][0].number not in page
    assert 'data-testid="archive-window"' in page and 'data-testid="archive-widen"' in page
    assert "all=1" in page
    wide = client.get("/archive/", {"q": "宽带断网", "all": "1"}).content.decode()
    assert years["old"][0].number in wide and years["new"][0].number in wide

    api = api_for(org.agent_a)
    body = api.get("/archive/search?q=%E5%AE%BD%E5%B8%A6%E6%96%AD%E7%BD%91").json()  # 宽带断网
    assert [i["number"] for i in body["items"]] == [years["new"][0].number]
    assert body["since"] and body["all_years"] is False
    body = api.get("/archive/search?all_years=true&q=%E5%AE%BD%E5%B8%A6%E6%96%AD%E7%BD%91").json()
    assert {i["number"] for i in body["items"]} == {years["new"][0].number, years["old"][0].number}
    assert body["since"] is None and body["all_years"] is True


def _index_queries(user, query="宽带断网", **kwargs) -> list[tuple[str, list]]:
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        archive_search(user=user, query=query, **kwargs)
    return [(s, p) for s, p in statements if "archive_fts" in s or "to_tsquery" in s]


def _index_query(user, **kwargs) -> str:
    [(sql, _params)] = _index_queries(user, **kwargs)
    return sql


def _from_the_epoch(params) -> bool:
    """The statement searches from backends.EPOCH (as a timestamp on PostgreSQL, naive text on SQLite)."""
    return backends.EPOCH in params or backends.EPOCH.replace(tzinfo=None).isoformat(" ") in params


@pytest.mark.parametrize("who", ["agent_a", "manager", "executive"])
def test_every_kind_of_user_is_bounded_and_all_years_drops_the_bound(org, years, window_of_five, who):
    """Store agent, branch manager, HQ-wide user: the index query holds the recency bound of the user's
    scope (PostgreSQL: the buckets inside the GIN index; SQLite: a filter on `at`); "all years" holds none."""
    user = getattr(org, who)
    bound = "archive_buckets(e.kind, e.org_unit_id, e.at) && %s::integer[]"
    if connection.vendor != "postgresql":
        bound = "e.at >= %s"
    assert bound in _index_query(user)
    assert archive_search_results(user=user, query="宽带断网").since is not None
    # All years: the window first; one match there, fewer than are ranked, so back to where the rate
    # of matches says enough begin, and at last from the epoch: every year.
    every = _index_queries(user, all_years=True)
    assert 2 <= len(every) <= 2 + backends.WIDEN_STEPS
    assert bound in every[0][0]
    assert _from_the_epoch(every[-1][1]) and "archive_buckets" not in every[-1][0]


def test_more_matches_in_the_window_than_are_ranked_the_newest_are_ranked(org, monkeypatch):
    """Equally ranked cases come newest first, as when every match is ranked: when the window holds more
    matches than CANDIDATES_MAX, the ones ranked are its newest, not the first the index returns (on a
    table filled in time order, the oldest)."""
    title, description, demand = TEXTS[0]
    cases = []
    for age_days in (7, 6, 5, 4, 3, 2, 1):  # oldest first, as a real table fills
        summary = (title, "原因已查明", "已经处理", "加强培训")
        case = case_make(
            org, unit=org.store_a, title=title, description=description, demand=demand, summary=summary
        )
        _close_at(case, now() - dt.timedelta(days=age_days))
        cases.append(case)
    monkeypatch.setattr(backends, "WINDOW_ROWS", 5)
    monkeypatch.setattr(backends, "CANDIDATES_MAX", 2)
    results = archive_search_results(user=org.agent_a, query="宽带断网", limit=10)
    assert results.since is not None
    assert [h.id for h in results.hits] == [cases[-1].pk, cases[-2].pk]


def test_all_years_ranks_the_newest_matches_of_every_year(org, window_of_five, monkeypatch):
    """More matches than are ranked: the ones ranked are the newest of every year (equal scores, newest
    first), found from the window back; a word only the oldest case holds is found too."""

    def closed(text, age_days):
        title, description, demand = text
        summary = (title, "原因已查明", "已经处理", "加强培训")
        case = case_make(
            org, unit=org.store_a, title=title, description=description, demand=demand, summary=summary
        )
        _close_at(case, now() - dt.timedelta(days=age_days))
        return case

    broadband = [closed(TEXTS[0], age) for age in (900, 800, 700, 540)]  # oldest first, as a table fills
    for age in (5, 4, 3, 2, 1):  # the window of five: none about broadband
        closed(TEXTS[1], age)
    assert archive_search(user=org.agent_a, query="宽带断网") == []
    monkeypatch.setattr(backends, "CANDIDATES_MAX", 2)
    every = archive_search_results(user=org.agent_a, query="宽带断网", all_years=True)
    assert every.all_years and every.since is None
    assert [h.id for h in every.hits] == [broadband[-1].pk, broadband[-2].pk]
    monkeypatch.setattr(backends, "CANDIDATES_MAX", 5000)
    every = archive_search(user=org.agent_a, query="宽带断网", all_years=True)
    assert [h.id for h in every] == [c.pk for c in reversed(broadband)]
    ArchiveEntry.objects.filter(complaint=broadband[0]).update(segmented="光纤 熔接 不良")
    assert [h.id for h in archive_search(user=org.agent_a, query="熔接", all_years=True)] == [broadband[0].pk]


def test_all_years_stops_at_a_window_that_holds_enough_matches(org, years, window_of_five, monkeypatch):
    """A common word costs all years no more than recent first: its window already holds as many
    matches as are ranked, so it is the only statement."""
    monkeypatch.setattr(backends, "CANDIDATES_MAX", 1)
    [(sql, params)] = _index_queries(org.agent_a, all_years=True)
    assert not _from_the_epoch(params)
    assert [h.id for h in archive_search(user=org.agent_a, query="宽带断网", all_years=True)] == [
        years["new"][0].pk
    ]


def test_a_window_is_widened_as_far_as_its_matches_say(monkeypatch):
    """Back to where CANDIDATES_MAX × WIDEN_MARGIN matches begin at the window's rate, at most
    WIDEN_FACTOR_MAX times as far, never before `back_to`, and not at all from there."""
    monkeypatch.setattr(backends, "CANDIDATES_MAX", 100)
    today = dt.datetime.now(dt.UTC)
    since = backends.day_start(today - dt.timedelta(days=10))
    span = today - since
    # 50 matches in the window: 125 are expected 2.5 times as far back
    assert backends._wider(since, 50, backends.EPOCH) == backends.day_start(today - span * 2.5)
    assert backends._wider(since, 0, backends.EPOCH) == backends.day_start(
        today - span * backends.WIDEN_FACTOR_MAX
    )
    back_to = since - dt.timedelta(days=3)
    assert backends._wider(since, 0, back_to) == back_to
    assert backends._wider(back_to, 0, back_to) is None
    # from inside the hot months, first to their first day (the hot index), then further
    inside = hot.boundary() + dt.timedelta(days=30)
    assert backends._wider(inside, 0, backends.EPOCH) == hot.boundary()
    assert backends._wider(hot.boundary(), 0, backends.EPOCH) < hot.boundary()
