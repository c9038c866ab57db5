"""KPI dashboard at scale: the dashboard's queries over a year (and over everything) of a bench database.

    createdb -h 127.0.0.1 -U postgres cd_analytics_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_analytics_bench
    nice .venv/bin/python bench/seed.py --count 1000000 --fresh
    nice .venv/bin/python bench/analytics.py --prepare --rebuild --runs 30

`--prepare` migrates and adds what the seeder does not write: survey answers for 40 % of the resolved
cases (stars and NPS skewed to the satisfied side, as real surveys are) and customers served for every
storefront unit and month. `--rebuild` times `analytics_rebuild` (every fact and rollup row).
Then, timed for several users and filters (p50/p95/max, ms):
  * dashboard: `analytics.selectors.dashboard` — every query of the page (KPIs, trend, SLA by
    severity × complexity, category Pareto, unit comparison, channels, complaint rate) — and the
    whole page (view + template) through the Django test client;
  * the same KPIs over the raw facts (`source="facts"`), to show what the rollups save;
  * an agent's scorecards page slice (facts by agent);
  * the incremental sync after 1 000 cases changed; `--sync-new` times one sync of everything filed
    since the last one (after seed.py added millions: the sync's throughput); `--sync-rate N` files
    1 000 new complaints (seed.py --count 1000 --last-minutes 1) and syncs, N times: does the sync
    keep up with 1 000 new complaints a minute;
  * archive search (bench/archive_search.py's `archive_search_latency`) when the archive index is
    filled (`--archive-index` builds it first).
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(times: list[float]) -> str:
    return (
        f"p50 {percentile(times, 0.5):8.1f}  p95 {percentile(times, 0.95):8.1f}  "
        f"max {max(times):8.1f}  mean {statistics.mean(times):8.1f}  (n={len(times)})"
    )


def prepare() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from complaintdesk.analytics.models import CustomersServed
    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.orgs.models import OrgUnit
    from complaintdesk.surveys.models import SurveyAnswer

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    if not SurveyAnswer.objects.exists():
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO surveys_surveyinvitation
                        (complaint_id, token_hash, agent_id, org_unit_id, language, created_at, expires_at, used_at)
                    SELECT id, md5(id::text) || md5((id * 7919)::text), assignee_id, org_unit_id, 'zh-hans',
                           resolved_at + interval '1 hour', resolved_at + interval '8 days',
                           resolved_at + interval '5 hours'
                    FROM complaints_complaint WHERE resolved_at IS NOT NULL AND id % 10 < 4
                    """
                )
                cursor.execute(
                    """
                    INSERT INTO surveys_surveyanswer
                        (invitation_id, complaint_id, agent_id, org_unit_id, stars, comment, nps, solved,
                         answered_at, action, action_note, source)
                    SELECT id, complaint_id, agent_id, org_unit_id,
                           CASE WHEN h < 62 THEN 5 WHEN h < 86 THEN 4 WHEN h < 93 THEN 3 WHEN h < 97 THEN 2 ELSE 1 END,
                           '', CASE WHEN h % 3 = 0 THEN NULL ELSE LEAST(10, (h * 7) % 11 + (CASE WHEN h < 86 THEN 3 ELSE 0 END)) END,
                           h < 93, used_at, 'none', '', 'link'
                    FROM (SELECT *, (complaint_id * 2654435761) % 100 AS h FROM surveys_surveyinvitation) i
                    """
                )
        else:
            from complaintdesk.surveys.models import SurveyInvitation

            rng = random.Random(7)
            rows = Complaint.objects.filter(resolved_at__isnull=False).values_list(
                "id", "assignee_id", "org_unit_id", "resolved_at"
            )
            for cid, agent_id, unit_id, resolved_at in rows.iterator():
                if cid % 10 >= 4:
                    continue
                at = resolved_at + dt.timedelta(hours=5)
                invitation = SurveyInvitation.objects.create(
                    complaint_id=cid, token_hash=f"{cid:064d}", agent_id=agent_id, org_unit_id=unit_id,
                    created_at=at, expires_at=at + dt.timedelta(days=7), used_at=at,
                )  # fmt: skip
                stars = rng.choices([5, 4, 3, 2, 1], [62, 24, 7, 4, 3])[0]
                SurveyAnswer.objects.create(
                    invitation=invitation, complaint_id=cid, agent_id=agent_id, org_unit_id=unit_id, stars=stars,
                    nps=rng.randint(0, 10), answered_at=at,
                )  # fmt: skip
    print(f"survey answers: {SurveyAnswer.objects.count():,} ({time.perf_counter() - began:.1f} s)")
    if not CustomersServed.objects.exists():
        rng = random.Random(11)
        months = sorted(set(Complaint.objects.dates("created_at", "month")))
        units = OrgUnit.objects.filter(kind__in=["store", "franchise", "branch"])
        CustomersServed.objects.bulk_create(
            [
                CustomersServed(org_unit=u, month=m, customers=rng.randint(3000, 60000), updated_at=now())
                for u in units
                for m in months
            ],
            batch_size=2000,
        )
    print(f"customers served rows: {CustomersServed.objects.count():,}")


STANDIN_MEASURES = {
    "complaints": "count(*)",
    "complainants": "count(DISTINCT customer_id)",
    "complainants_category": "count(DISTINCT customer_id)",
    "complainants_channel": "count(DISTINCT customer_id)",
    "withdrawn": "count(*) FILTER (WHERE status = 'withdrawn')",
    "responded": "count(first_responded_at)",
    "response_seconds": "coalesce(sum(extract(epoch FROM first_responded_at - created_at)), 0)::bigint",
    "fr_decided": "count(*) FILTER (WHERE first_responded_at IS NOT NULL OR first_response_due_at < now())",
    "fr_met": "count(*) FILTER (WHERE first_responded_at <= first_response_due_at)",
    "res_decided": "count(*) FILTER (WHERE resolved_at IS NOT NULL OR resolution_due_at < now())",
    "res_met": "count(*) FILTER (WHERE resolved_at <= resolution_due_at)",
    "resolved": "count(resolved_at)",
    "handling_seconds": "coalesce(sum(extract(epoch FROM resolved_at - created_at)), 0)::bigint",
    "fcr": "count(*) FILTER (WHERE resolved_at IS NOT NULL AND reopened_at IS NULL AND escalated_at IS NULL)",
    "ever_resolved": "count(resolved_at)",
    "reopened": "count(reopened_at)",
    "escalated": "count(escalated_at)",
}


def rollups_standin() -> None:
    """PostgreSQL: fill MonthlyRollup straight from complaints_complaint with one GROUP BY — the same
    keys (local month × unit × category × channel × severity × complexity), so the same number of rows
    as analytics_rebuild would write, and counts as the complaints hold them; the measures that need
    the working calendar, surveys or compensation are approximated or 0. A timing stand-in for sizes
    where the real rebuild (Python, ~5 000–6 500 facts/s) does not fit the time at hand: the dashboard
    reads only these rows, so its cost is the real one; its KPI values are not. On a database grown by
    grow.py, `bench/grow_facts.py` gives real facts and rollups instead."""
    from django.conf import settings
    from django.db import connection, transaction

    from complaintdesk.analytics.models import MEASURE_FIELDS

    began = time.perf_counter()
    measures = {name: STANDIN_MEASURES.get(name, "0") for name in MEASURE_FIELDS}
    month = f"date_trunc('month', created_at AT TIME ZONE '{settings.TIME_ZONE}')::date"
    keys = "org_unit_id, category_id, channel, severity, complexity"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM analytics_monthlyrollup")
        cursor.execute(
            f"INSERT INTO analytics_monthlyrollup (month, {keys}, {', '.join(measures)})"
            f" SELECT {month}, {keys}, {', '.join(measures.values())} FROM complaints_complaint"
            f" GROUP BY {month}, {keys}"
        )
        rows = cursor.rowcount
    _analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('analytics_monthlyrollup'))")
        (size,) = cursor.fetchone()
    print(
        f"rollup stand-in: {rows:,} rollup rows from the complaints in {time.perf_counter() - began:.1f} s ({size})"
    )


def facts_this_month() -> None:
    """The real facts (analytics.facts) of the complaints filed this month, and their rollup rows: what
    the sync rewrites when new complaints arrive, so `--sync-rate` measures the real work."""
    from complaintdesk.analytics.facts import facts_refresh
    from complaintdesk.analytics.rollups import rollups_refresh
    from complaintdesk.common.time import local_today, local_zone
    from complaintdesk.complaints.models import Complaint

    first = dt.datetime.combine(local_today().replace(day=1), dt.time(0), tzinfo=local_zone())
    ids = list(Complaint.objects.filter(created_at__gte=first).values_list("id", flat=True))
    began = time.perf_counter()
    keys = facts_refresh(complaint_ids=ids)
    written = rollups_refresh(keys=keys)
    took = time.perf_counter() - began
    print(f"facts of this month: {len(ids):,} complaints in {took:.1f} s ({len(ids) / max(took, 1e-9):,.0f}/s),"
          f" {written:,} rollup rows rewritten")  # fmt: skip
    _analyze()


def rebuild() -> None:
    from django.db import connection

    from complaintdesk.analytics.services import analytics_rebuild

    began = time.perf_counter()

    def progress(done: int) -> None:
        if done % 100000 < 2000:
            print(f"  {done:>9,} facts  {time.perf_counter() - began:7.1f} s", flush=True)

    result = analytics_rebuild(progress=progress)
    took = time.perf_counter() - began
    print(f"rebuild: {result['facts']:,} facts, {result['rollup_rows']:,} rollup rows in {took:.1f} s "
          f"({result['facts'] / took:,.0f} facts/s)")  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE analytics_complaintfact")
            cursor.execute("ANALYZE analytics_monthlyrollup")
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('analytics_complaintfact')),"
                " pg_size_pretty(pg_total_relation_size('analytics_monthlyrollup'))"
            )
            print("sizes (with indexes): facts {}, rollups {}".format(*cursor.fetchone()))


def _branch_manager():
    """A business manager of the first branch (made if absent): the dashboard in a branch's own scope."""
    from complaintdesk.accounts.models import Role, User
    from complaintdesk.accounts.services import user_create
    from complaintdesk.orgs.models import OrgUnit

    user = User.objects.filter(username="bench_dash_branch").select_related("org_unit").first()
    if user is None:
        branch = OrgUnit.objects.filter(kind="branch").order_by("path").first()
        if branch is None:
            return None
        user = user_create(
            username="bench_dash_branch", password=None, role=Role.BUSINESS_MANAGER, org_unit=branch
        )
    return user


def scenarios():
    """(label, user, filters) for the dashboard runs: HQ-wide, a region, a branch, with filters."""
    from complaintdesk.accounts.models import Role, User
    from complaintdesk.analytics.models import ComplaintFact, MonthlyRollup
    from complaintdesk.complaints.models import Category
    from complaintdesk.orgs.models import OrgUnit

    executive = User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("id").first()
    if executive is None:
        from complaintdesk.accounts.services import user_create

        hq = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
        executive = user_create(username="bench_exec", password=None, role=Role.EXECUTIVE, org_unit=hq)
    last = MonthlyRollup.objects.order_by("-month").values_list("month", flat=True).first()
    first = MonthlyRollup.objects.order_by("month").values_list("month", flat=True).first()
    year_from = dt.date(last.year - 1, last.month, 1) + dt.timedelta(days=32)
    year_from = year_from.replace(day=1)
    regions = list(OrgUnit.objects.filter(kind="region").order_by("path")[:3])
    branches = list(OrgUnit.objects.filter(kind="branch").order_by("path")[:3])
    category = Category.objects.order_by("sort_order", "code").first()
    manager = _branch_manager()
    out = [("hq, 12 months", executive, dict(month_from=year_from, month_to=last))]
    if manager is not None:
        out.append(
            (
                f"branch manager {manager.org_unit.code}, 12 months",
                manager,
                dict(month_from=year_from, month_to=last),
            )
        )
    out.append(("hq, all months", executive, dict(month_from=first, month_to=last)))
    out += [
        (f"region {u.code}, 12 months", executive, dict(month_from=year_from, month_to=last, unit=u))
        for u in regions
    ]
    out += [
        (f"branch {u.code}, 12 months", executive, dict(month_from=year_from, month_to=last, unit=u))
        for u in branches
    ]
    if not ComplaintFact.objects.filter(month__lt=last).exists():
        # The category / channel complainants are in the rollups too (analytics migration 0004): the
        # stand-in fills them, so these scenarios read what they read on real rollups.
        print("(no facts before this month: the rollup stand-in)")
    if category:
        out.append(("hq, 12 months, one category", executive,
                    dict(month_from=year_from, month_to=last, category_id=category.id)))  # fmt: skip
    out.append(
        (
            "hq, 12 months, channel phone",
            executive,
            dict(month_from=year_from, month_to=last, channel="phone"),
        )
    )
    return out


def time_dashboard(runs: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from complaintdesk.analytics import selectors

    all_times, page_times = [], []
    for label, user, filters in scenarios():
        unit = filters.get("unit")
        s = selectors.slice_for(user=user, **filters)
        selectors.dashboard(s, unit=unit)  # warm
        times = []
        for _run in range(runs):
            began = time.perf_counter()
            selectors.dashboard(s, unit=unit)
            times.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as queries:
            selectors.dashboard(s, unit=unit)
        all_times += times
        print(f"dashboard selectors  {label:<32} {summary(times)}  queries {len(queries)}")
    print(f"dashboard selectors  {'ALL':<32} {summary(all_times)}")

    client = Client(HTTP_HOST="localhost")
    for label, user, filters in scenarios()[:3]:  # HQ 12 months, the branch manager's, HQ all months
        client.force_login(user)
        params = {"from": f"{filters['month_from']:%Y-%m}", "to": f"{filters['month_to']:%Y-%m}"}
        if filters.get("unit"):
            params["unit"] = filters["unit"].code
        response = client.get("/dashboard/", params)
        assert response.status_code == 200, response.status_code
        times = []
        for _run in range(max(5, runs // 2)):
            began = time.perf_counter()
            client.get("/dashboard/", params)
            times.append((time.perf_counter() - began) * 1000)
        page_times += times
        print(f"dashboard page       {label:<32} {summary(times)}")
    print(f"dashboard page       {'ALL':<32} {summary(page_times)}")
    reset_queries()


def time_raw(runs: int) -> None:
    from complaintdesk.analytics import selectors

    for label, user, filters in scenarios()[:3]:
        s = selectors.slice_for(user=user, **filters)
        for source in ("rollup", "facts"):
            times = []
            for _run in range(max(3, runs // 5)):
                began = time.perf_counter()
                selectors.kpis(s, source=source)
                selectors.grouped(s, by="month", source=source)
                selectors.grouped(s, by="category_id", source=source)
                selectors.grouped(s, by="org_unit_id", source=source)
                selectors.grouped(s, by=("severity", "complexity"), source=source)
                times.append((time.perf_counter() - began) * 1000)
            print(f"kpis+groupings from {source:<7} {label:<28} {summary(times)}")


def time_scorecards(runs: int) -> None:
    from complaintdesk.analytics import scorecards, selectors
    from complaintdesk.orgs.models import OrgUnit

    label, user, filters = scenarios()[0]
    branch = OrgUnit.objects.filter(kind="branch").order_by("path").first()
    s = selectors.slice_for(
        user=user, month_from=filters["month_to"], month_to=filters["month_to"], unit=branch
    )
    times = []
    for _run in range(max(3, runs // 3)):
        began = time.perf_counter()
        cards = scorecards.scorecards(s)
        times.append((time.perf_counter() - began) * 1000)
    print(f"scorecards (branch {branch.code}, 1 month, {len(cards)} agents) {summary(times)}")


def time_sync() -> None:
    from complaintdesk.analytics.services import analytics_sync
    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind

    analytics_sync()
    ids = list(Complaint.objects.order_by("-id").values_list("id", flat=True)[:20000])
    picked = random.Random(3).sample(ids, min(1000, len(ids)))
    at = now()
    ComplaintEvent.objects.bulk_create(
        [ComplaintEvent(complaint_id=cid, at=at, kind=EventKind.NOTE, new_value="bench") for cid in picked]
    )
    began = time.perf_counter()
    result = analytics_sync()
    print(
        f"incremental sync after {len(picked)} changed cases: {(time.perf_counter() - began):.2f} s {result.as_dict()}"
    )


def time_sync_new() -> None:
    """One sync of everything filed or changed since the last sync (e.g. the millions seed.py added)."""
    from complaintdesk.analytics.models import ComplaintFact, MonthlyRollup
    from complaintdesk.analytics.services import analytics_sync

    facts_before = ComplaintFact.objects.count()
    began = time.perf_counter()
    result = analytics_sync()
    took = time.perf_counter() - began
    print(
        f"sync of everything new: {took:.1f} s, {result.complaints:,} complaints"
        f" ({result.complaints / max(took, 1e-9):,.0f}/s), facts {facts_before:,} -> {ComplaintFact.objects.count():,},"
        f" rollup rows {MonthlyRollup.objects.count():,}"
    )
    _analyze()


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE analytics_complaintfact")
            cursor.execute("ANALYZE analytics_monthlyrollup")


def time_sync_rate(rounds: int) -> None:
    """`rounds` times: 1 000 complaints filed over the last minute (bench/seed.py in another process,
    as intake would write them), then one incremental sync, timed. Keeping up = each sync well under
    the minute it covers."""
    import subprocess

    from complaintdesk.analytics.services import analytics_sync

    analytics_sync()
    seed = [sys.executable, str(Path(__file__).resolve().parent / "seed.py"), "--count", "1000"]
    times = []
    for round_ in range(rounds):
        began = time.perf_counter()
        subprocess.run(
            [*seed, "--last-minutes", "1", "--seed", str(1000 + round_)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        filed = time.perf_counter() - began
        began = time.perf_counter()
        result = analytics_sync()
        took = time.perf_counter() - began
        times.append(took * 1000)
        print(
            f"round {round_ + 1}: 1 000 new complaints filed ({filed:.1f} s, seed.py), sync {took:.2f} s:"
            f" {result.complaints} complaints, {result.rollup_rows} rollup rows rewritten;"
            f" load {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}"
        )
    print(f"sync after 1 000 new complaints (ms)  {summary(times)}")


def time_archive(runs: int, build_index: bool) -> None:
    try:
        import archive_search
    except ImportError:
        print("archive search: bench/archive_search.py not found")
        return
    if build_index:
        archive_search.index(batch=5000)
    from django.apps import apps

    if not apps.is_installed("complaintdesk.archive"):
        print("archive search: complaintdesk.archive not installed")
        return
    results = archive_search.archive_search_latency(runs=runs)
    for label, r in results.items():
        print(f"archive search {label:<8} p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f}  p99 {r['p99']:7.1f}"
              + (f"  hits {r['hits']:.1f}" if "hits" in r else ""))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--prepare", action="store_true", help="migrate; add survey answers and customers served"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="time analytics_rebuild (all facts and rollups)"
    )
    parser.add_argument("--runs", type=int, default=30, help="runs per dashboard scenario (default 30)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["dashboard", "raw", "scorecards", "sync", "archive"]
    )
    parser.add_argument("--archive-index", action="store_true", help="build the archive index first")
    parser.add_argument(
        "--rollups-standin",
        action="store_true",
        help="PostgreSQL: fill the rollups from the complaints by SQL (timing stand-in, see rollups_standin)",
    )
    parser.add_argument(
        "--facts-this-month", action="store_true", help="real facts and rollups of this month's complaints"
    )
    parser.add_argument(
        "--sync-new", action="store_true", help="time one sync of everything new (after seeding more)"
    )
    parser.add_argument(
        "--sync-rate", type=int, default=0, metavar="N", help="N rounds of 1 000 new complaints + sync"
    )
    args = parser.parse_args()
    benchenv.django_setup()
    from django.db import connection

    from complaintdesk.complaints.models import Complaint

    print(f"database: {benchenv.database_label()}; {Complaint.objects.count():,} complaints")
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"load average: {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    if args.prepare:
        prepare()
    if args.rebuild:
        rebuild()
    if args.rollups_standin:
        rollups_standin()
    if args.facts_this_month:
        facts_this_month()
    if args.sync_new:
        time_sync_new()
    if "dashboard" not in args.skip:
        time_dashboard(args.runs)
    if "raw" not in args.skip:
        time_raw(args.runs)
    if "scorecards" not in args.skip:
        time_scorecards(args.runs)
    if "sync" not in args.skip:
        time_sync()
    if args.sync_rate:
        time_sync_rate(args.sync_rate)
    if "archive" not in args.skip:
        time_archive(args.runs, args.archive_index)
    print(f"load average: {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    connection.close()


if __name__ == "__main__":
    main()
