"""Fill a bench database with N realistic complaints, fast.

    .venv/bin/python bench/seed.py --count 1000000 [--fresh]      # DATABASE_URL=postgres://… ; default 100000
    .venv/bin/python bench/seed.py --count 100000                  # no DATABASE_URL: var/bench.sqlite3

Rows go in with bulk writes (COPY on PostgreSQL, executemany on SQLite), one transaction per batch.
Each complaint holds what the services would have stored after the same history (demo.lifecycle):
per-stage stamps, is_open, deadlines from sla.deadlines.compute_deadlines with the unit's policy and
calendar, due_at (nearest outstanding deadline while open, NULL once finished), SLA pauses, a unique
case number with the day counters moved on, the recorder of assisted-channel intakes, and its
CREATED timeline event worded as intake words it. The intermediate timeline events are not
written. Running it again adds N more (1M, then 2M more for 3M, then 7M more for 10M: give each run
another --seed). `--last-minutes 1` files them over the last minute instead of two years: a minute of
new intake, for the incremental KPI sync bench (bench/analytics.py --sync-rate).
"""

import argparse
import datetime as dt
import enum
import itertools
import math
import operator
import queue
import random
import sys
import threading
import time
from pathlib import Path

from benchenv import bench_database_url, database_label, django_setup

BATCH = 5000
OPEN_BASE, OPEN_RECENT, OPEN_DECAY_DAYS = 0.04, 0.9, 60  # P(open) = base + recent·e^(-age/decay)
REPEAT_CUSTOMER_SHARE = 0.25
HISTORY_DAYS = 730


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000, help="complaints to add (default 100000)")
    parser.add_argument(
        "--agents", type=int, default=800, help="agents to spread the cases over (default 800)"
    )
    parser.add_argument("--batch", type=int, default=BATCH, help=f"rows per transaction (default {BATCH})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--fresh", action="store_true", help="empty the bench database first (name must contain 'bench')"
    )
    parser.add_argument(
        "--last-minutes",
        type=int,
        default=0,
        help="file the complaints over the last N minutes instead of two years (new intake, for the sync bench)",
    )
    return parser.parse_args()


def fresh_start() -> None:
    """Remove the SQLite file or flush the PostgreSQL database. Refuses anything not named *bench*."""
    url = bench_database_url()
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit(f"--fresh refuses to empty {url}: use a database whose name contains 'bench'")
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


args = parse_args()
django_setup()
if args.fresh:
    fresh_start()

# Django is set up from here on.
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from complaintdesk.accounts.models import Role, User  # noqa: E402
from complaintdesk.accounts.services import user_create  # noqa: E402
from complaintdesk.calendars.selectors import calendar_for_unit  # noqa: E402
from complaintdesk.common.time import local_zone, now  # noqa: E402
from complaintdesk.complaints import states  # noqa: E402
from complaintdesk.complaints.models import (  # noqa: E402
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Complexity,
    Customer,
    EventKind,
    Priority,
    Severity,
)
from complaintdesk.complaints.numbering import case_numbers_advance, case_numbers_used, format_case_number  # noqa: E402
from complaintdesk.complaints.services import ASSISTED_CHANNELS  # noqa: E402
from complaintdesk.complaints.states import Status  # noqa: E402
from complaintdesk.demo.lifecycle import HOUR_WEIGHTS, path_to, plan_times  # noqa: E402
from complaintdesk.demo.organisation import (  # noqa: E402
    INTAKE_UNIT_WEIGHTS,
    UNIT_BY_CODE,
    demo_organisation_ensure,
    storefront_name,
)
from complaintdesk.demo.samples import GIVEN_NAMES, SURNAMES, sample_complaint, sample_customer  # noqa: E402
from complaintdesk.sla.deadlines import CaseClockFacts, compute_deadlines  # noqa: E402
from complaintdesk.sla.models import SlaPause  # noqa: E402
from complaintdesk.sla.selectors import policy_terms, sla_policy_for  # noqa: E402

S = Status
WORKED_ON = (S.ANALYSING, S.HANDLING, S.ESCALATED)


def open_status_weights(age_days: float) -> dict[Status, int]:
    if age_days < 1:
        return {S.NEW: 40, S.ACCEPTED: 30, S.ANALYSING: 15, S.HANDLING: 15}
    if age_days < 7:
        return {S.NEW: 3, S.ACCEPTED: 12, S.ANALYSING: 15, S.HANDLING: 40, S.AWAITING_CUSTOMER: 15,
                S.ESCALATED: 10, S.REOPENED: 5}  # fmt: skip
    # What is still open weeks later is stuck: escalated, waiting for the customer, reopened.
    return {S.HANDLING: 30, S.AWAITING_CUSTOMER: 25, S.ESCALATED: 30, S.REOPENED: 15}


def finished_status_weights(age_days: float) -> dict[Status, int]:
    if age_days < 14:
        return {S.RESOLVED: 30, S.FOLLOW_UP: 20, S.CLOSED: 45, S.WITHDRAWN: 5}
    return {S.CLOSED: 94, S.WITHDRAWN: 5, S.RESOLVED: 1}


def pick(rng: random.Random, weights: dict):
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def intake_times(rng: random.Random, count: int, current: dt.datetime) -> list[dt.datetime]:
    """`count` intake times over the last two years, oldest first: the second year busier than the
    first, weekends quieter, busy hours by HOUR_WEIGHTS."""
    zone = local_zone()
    today = current.astimezone(zone).date()
    days = [today - dt.timedelta(days=back) for back in range(HISTORY_DAYS, -1, -1)]
    weights = [
        (1.5 if (today - day).days < 365 else 1.0)
        * (0.8 if day.weekday() >= 5 else 1.0)
        * rng.uniform(0.85, 1.15)
        for day in days
    ]
    weights[-1] *= (current.astimezone(zone).hour + 1) / 24  # today so far
    total = sum(weights)
    per_day = [math.floor(count * w / total) for w in weights]
    for index in rng.choices(range(len(days)), weights=weights, k=count - sum(per_day)):
        per_day[index] += 1
    times = []
    for day, n in zip(days, per_day, strict=True):
        hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        stamps = sorted(midnight + dt.timedelta(hours=h, seconds=rng.randrange(3600)) for h in hours)
        times.extend(
            min(s, current - dt.timedelta(seconds=rng.randrange(60, 3600))).astimezone(dt.UTC) for s in stamps
        )
    times.sort()
    return times


def agents_ensure(*, rng: random.Random, units: dict, count: int) -> tuple[dict, dict[int, str]]:
    """`count` agents named bench_agent_NNNN over the intake units (by intake share), each with a
    workload weight; made through accounts.services.user_create the first time. Also how each is
    named as the recorder of a case ("name employee_no")."""
    existing = {u.username: u for u in User.objects.filter(username__startswith="bench_agent_")}
    total = sum(INTAKE_UNIT_WEIGHTS.values())
    # Smooth weighted round-robin: every prefix of the plan is spread like the whole, so a later run
    # with another --agents reuses the same agents in the same units.
    plan: list[str] = []
    placed = dict.fromkeys(INTAKE_UNIT_WEIGHTS, 0)
    for number in range(1, max(count, len(INTAKE_UNIT_WEIGHTS)) + 1):
        code = max(placed, key=lambda c: INTAKE_UNIT_WEIGHTS[c] * number / total - placed[c])
        placed[code] += 1
        plan.append(code)
    by_unit: dict[str, list[tuple[int, float]]] = {code: [] for code in INTAKE_UNIT_WEIGHTS}
    labels: dict[int, str] = {}
    with transaction.atomic():
        for number, code in enumerate(plan, start=1):
            username = f"bench_agent_{number:04d}"
            user = existing.get(username) or user_create(
                username=username, password=None, role=Role.AGENT, org_unit=units[code],
                display_name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES), employee_no=f"B{number:05d}",
                extension=str(6000 + number),
            )  # fmt: skip
            by_unit[user.org_unit.code].append((user.pk, rng.uniform(0.5, 1.5)))
            labels[user.pk] = f"{user.display_name} {user.employee_no}".strip()
    return by_unit, labels


def api_user_ensure(*, units: dict) -> int:
    user = User.objects.filter(username="bench_api").first() or user_create(
        username="bench_api",
        password=None,
        role=Role.API_CLIENT,
        org_unit=units["HQ"],
        display_name="压测接口",
    )
    return user.pk


class Writer:
    """Appends rows (tuples in the model's concrete-field order) to a model's table."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, rows: list[tuple]) -> None:
        if not rows:
            return
        fields = model._meta.concrete_fields
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # SQLite stores datetimes as naive UTC text, exactly as Django writes them.
            datetimes = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
            rows = [_sqlite_row(row, datetimes) for row in rows]
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows
            )


class BatchWriter(threading.Thread):
    """Writes batches in its own thread and connection while the main thread builds the next one,
    so the database and Python each keep a core busy. Each batch is one transaction."""

    def __init__(self, *, total: int, started: float):
        super().__init__(name="bench-writer", daemon=True)
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.total, self.started, self.done = total, started, 0
        self.write_seconds = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        writer = Writer()
        try:
            while (batch := self.batches.get()) is not None:
                if self.error is None:  # after a failure keep draining, so that put() never blocks
                    self._write(writer, batch)
        finally:
            connection.close()

    def _write(self, writer: Writer, batch: list[tuple]) -> None:
        began = time.perf_counter()
        try:
            with transaction.atomic():
                for model, rows in batch:
                    writer.write(model, rows)
        except BaseException as error:  # re-raised in the main thread
            self.error = error
            return
        self.write_seconds += time.perf_counter() - began
        previous, self.done = self.done, self.done + len(batch[1][1])
        if self.done // 100_000 > previous // 100_000 or self.done == self.total:
            elapsed = time.perf_counter() - self.started
            print(
                f"  {self.done:>9,} complaints  {elapsed:7.1f} s  {self.done / elapsed:8,.0f} rows/s",
                flush=True,
            )

    def put(self, batch: list[tuple]) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(batch)

    def finish(self) -> None:
        self.batches.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _sqlite_row(row: tuple, datetimes: list[int]) -> tuple:
    values = list(row)
    for i in datetimes:
        if values[i] is not None:
            values[i] = values[i].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return tuple(values)


class Shape:
    """A model's columns in table order, each defaulting to its field's default: rows name only
    what they set, and a field added to the model later needs no change here."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.defaults = {f.attname: _plain(f.get_default()) for f in fields}
        self._tuple = operator.itemgetter(*(f.attname for f in fields))

    def row(self, values: dict) -> tuple:
        row = dict(self.defaults)
        row.update(values)
        return self._tuple(row)


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


class Seeder:
    """Builds the rows of one complaint at a time, with everything the services would have set."""

    def __init__(
        self, *, rng: random.Random, current: dt.datetime, units: dict, agents: dict, recorders: dict,
        api_user_id: int,
    ):  # fmt: skip
        self.rng, self.now, self.units, self.api_user_id = rng, current, units, api_user_id
        self.recorders = recorders
        self.zone = local_zone()
        self.unit_codes = tuple(INTAKE_UNIT_WEIGHTS)
        self.unit_weights = tuple(INTAKE_UNIT_WEIGHTS.values())
        self.agents = {
            code: ([a for a, _ in pool], list(itertools.accumulate(w for _, w in pool)))
            for code, pool in agents.items()
        }
        self.storefronts = {code: storefront_name(code) for code in self.unit_codes}
        self.category_ids = dict(Category.objects.values_list("code", "id"))
        self.calendars = {code: calendar_for_unit(unit=units[code]) for code in self.unit_codes}
        self.policies: dict = {}
        self.intake_reason = {c.value: f"通过{c.label}登记" for c in Channel}
        self.shapes = {model: Shape(model) for model in (Customer, Complaint, ComplaintEvent, SlaPause)}
        self.counters = case_numbers_used()
        self.next_complaint_id = _next_id(Complaint)
        self.first_customer_id = self.next_customer_id = _next_id(Customer)
        self.next_event_id = _next_id(ComplaintEvent)
        self.next_pause_id = _next_id(SlaPause)
        self.open_count = 0

    def _policy(self, unit_code: str, category_id: int | None):
        key = (unit_code, category_id)
        if key not in self.policies:
            policy = sla_policy_for(unit=self.units[unit_code], category_id=category_id)
            self.policies[key] = (policy_terms(policy), policy.pause_while_awaiting_customer)
        return self.policies[key]

    def _customer(self, created_at: dt.datetime, account_no: str, rows: list) -> int:
        rng = self.rng
        if self.next_customer_id > self.first_customer_id and rng.random() < REPEAT_CUSTOMER_SHARE:
            return rng.randrange(self.first_customer_id, self.next_customer_id)
        person = sample_customer(rng)
        customer_id, self.next_customer_id = self.next_customer_id, self.next_customer_id + 1
        title = "mr" if person.name.endswith("先生") else "ms" if person.name.endswith("女士") else ""
        preferred = rng.choice(
            ["phone", "phone", "sms"]
            + ["email"] * bool(person.email)
            + ["wechat"] * bool(person.wechat_openid)
        )
        rows.append(self.shapes[Customer].row({
            "id": customer_id, "name": person.name, "title": title, "phone": "+86" + person.phone,
            "email": person.email, "account_no": account_no, "wechat_openid": person.wechat_openid,
            "preferred_channel": preferred, "created_at": created_at,
        }))  # fmt: skip
        return customer_id

    def complaint(self, created_at: dt.datetime, out: dict[str, list]) -> None:
        rng = self.rng
        age_days = (self.now - created_at).total_seconds() / 86400
        still_open = rng.random() < OPEN_BASE + OPEN_RECENT * math.exp(-age_days / OPEN_DECAY_DAYS)
        status = pick(rng, open_status_weights(age_days) if still_open else finished_status_weights(age_days))
        is_open = states.is_open(status)
        unit_code = rng.choices(self.unit_codes, weights=self.unit_weights)[0]
        sample = sample_complaint(rng, city=UNIT_BY_CODE[unit_code].city, store=self.storefronts[unit_code])

        path = path_to(rng, status)
        worked_on = any(step in path for step in WORKED_ON)
        major = worked_on and (
            (sample.perceived_severity == "critical" and rng.random() < 0.5) or rng.random() < 0.04
        )
        complex_case = worked_on and rng.random() < 0.22
        times = plan_times(rng, created_at=created_at, path=path, latest=self.now, complex_case=complex_case)
        stamps = {}
        for step, at in zip(path, times, strict=True):
            stamps[f"{step.value}_at"] = at  # a later visit to the same state overwrites, as in the services
        accepted_at = next((at for step, at in zip(path, times, strict=True) if step == S.ACCEPTED), None)
        category_id = self.category_ids[sample.category_code] if worked_on or rng.random() < 0.5 else None
        terms, pauses_clock = self._policy(unit_code, category_id)
        # Waiting for the customer stops the clocks until the next step (services: sla pause / resume).
        closed_pauses, open_pause = [], None
        if pauses_clock:
            for index, step in enumerate(path):
                if step == S.AWAITING_CUSTOMER:
                    if index + 1 < len(path):
                        closed_pauses.append((times[index], times[index + 1]))
                    else:
                        open_pause = times[index]
        deadlines = compute_deadlines(
            facts=CaseClockFacts(
                created_at=created_at, severity=Severity.MAJOR if major else Severity.GENERAL,
                complexity=Complexity.COMPLEX if complex_case else Complexity.GENERAL, is_open=is_open,
                first_responded=accepted_at is not None, acknowledged=accepted_at is not None,
                resolution_started_at=stamps.get("reopened_at") or created_at, pauses=tuple(closed_pauses),
                first_responded_at=accepted_at, acknowledged_at=accepted_at,
            ),
            terms=terms,
            calendar=self.calendars[unit_code],
        )  # fmt: skip

        assignee_id = created_by_id = None
        agent_ids, agent_cum_weights = self.agents[unit_code]
        if accepted_at is not None:
            assignee_id = rng.choices(agent_ids, cum_weights=agent_cum_weights)[0]
        # Assisted channels are typed in by an agent, who is also the recorder (complaint_create does
        # the same); the others arrive through the integration's API client.
        recorded_by_id = None
        intake_reason = self.intake_reason[sample.channel]
        if sample.channel in ASSISTED_CHANNELS:
            created_by_id = recorded_by_id = assignee_id or rng.choice(agent_ids)
            intake_reason += f"（记录人：{self.recorders[recorded_by_id]}）"
        else:
            created_by_id = self.api_user_id
        day = created_at.astimezone(self.zone).date()
        sequence = self.counters[day] = self.counters.get(day, 0) + 1
        complaint_id, self.next_complaint_id = self.next_complaint_id, self.next_complaint_id + 1
        self.open_count += is_open

        row = dict(stamps)
        row.update(
            id=complaint_id, number=format_case_number(day, sequence), org_unit_id=self.units[unit_code].pk,
            customer_id=self._customer(created_at, sample.account_no, out["customers"]), channel=sample.channel,
            title=sample.title, description=sample.description, demand=sample.demand,
            occurred_at=created_at - dt.timedelta(hours=rng.uniform(1, 120)), place=sample.place,
            product=sample.product, people_involved=sample.people_involved,
            perceived_severity=sample.perceived_severity, category_id=category_id,
            complexity=(Complexity.COMPLEX if complex_case else Complexity.GENERAL).value,
            severity=(Severity.MAJOR if major else Severity.GENERAL).value,
            priority=(Priority.URGENT if major else Priority.HIGH if complex_case else Priority.NORMAL).value,
            assignee_id=assignee_id, created_by_id=created_by_id, recorded_by_id=recorded_by_id,
            status=status.value, is_open=is_open,
            created_at=created_at, received_at=created_at, updated_at=times[-1] if times else created_at,
            first_responded_at=accepted_at, acknowledged_at=accepted_at,
            first_response_due_at=deadlines.first_response_due_at, acknowledge_due_at=deadlines.acknowledge_due_at,
            resolution_due_at=deadlines.resolution_due_at, deadline_provisional=deadlines.provisional,
            due_at=deadlines.due_at, sla_paused_at=open_pause,
        )  # fmt: skip
        if worked_on:
            row.update(responsibility=sample.responsibility, root_cause=sample.root_cause,
                       amount_at_stake=sample.amount_at_stake, is_batch=rng.random() < 0.02,
                       reputation_risk=sample.channel == "weibo")  # fmt: skip
        out["complaints"].append(self.shapes[Complaint].row(row))

        out["events"].append(self.shapes[ComplaintEvent].row({
            "id": self.next_event_id, "complaint_id": complaint_id, "at": created_at, "actor_id": created_by_id,
            "kind": EventKind.CREATED.value, "new_value": Status.NEW.value, "reason": intake_reason,
        }))  # fmt: skip
        self.next_event_id += 1
        for started, ended in [*closed_pauses, *([(open_pause, None)] if open_pause else [])]:
            out["pauses"].append(self.shapes[SlaPause].row({
                "id": self.next_pause_id, "complaint_id": complaint_id, "started_at": started, "ended_at": ended,
            }))  # fmt: skip
            self.next_pause_id += 1


def verify_sample(*, size: int, seed: int) -> int:
    """Recompute the deadlines of `size` random complaints with the services' own function
    (sla.services.complaint_deadlines_refresh) and count those that differ from what was written."""
    from complaintdesk.sla.services import complaint_deadlines_refresh

    fields = (
        "first_response_due_at",
        "acknowledge_due_at",
        "resolution_due_at",
        "deadline_provisional",
        "due_at",
    )
    last_id = Complaint.objects.aggregate(m=Max("id"))["m"] or 0
    rng = random.Random(seed)
    ids = {rng.randint(1, last_id) for _ in range(size)}
    mismatches = 0
    for complaint in Complaint.objects.filter(id__in=ids).select_related("org_unit"):
        stored = [getattr(complaint, name) for name in fields]
        complaint_deadlines_refresh(complaint=complaint, at=now())
        if stored != [getattr(complaint, name) for name in fields] or complaint.is_open != states.is_open(
            complaint.status
        ):
            mismatches += 1
            print(f"  mismatch: {complaint.number} {complaint.status} stored {stored}")
    return mismatches


def main() -> None:
    started = time.perf_counter()
    rng = random.Random(args.seed)
    print(f"database: {database_label()}")
    call_command("migrate", verbosity=0)
    units = demo_organisation_ensure()
    agents, recorders = agents_ensure(rng=rng, units=units, count=args.agents)
    api_user_id = api_user_ensure(units=units)
    current = now()
    seeder = Seeder(
        rng=rng, current=current, units=units, agents=agents, recorders=recorders, api_user_id=api_user_id
    )
    if args.last_minutes > 0:
        span = args.last_minutes * 60
        times = sorted(current - dt.timedelta(seconds=rng.uniform(1, span)) for _ in range(args.count))
    else:
        times = intake_times(rng, args.count, current)
    setup_seconds = time.perf_counter() - started
    print(
        f"set-up (migrate, organisation, {sum(len(a) for a in agents.values())} agents): {setup_seconds:.1f} s"
    )

    insert_started = time.perf_counter()
    writer = BatchWriter(total=args.count, started=insert_started)
    writer.start()
    for first in range(0, args.count, args.batch):
        out: dict[str, list] = {"customers": [], "complaints": [], "events": [], "pauses": []}
        for created_at in times[first : first + args.batch]:
            seeder.complaint(created_at, out)
        writer.put([(Customer, out["customers"]), (Complaint, out["complaints"]),
                    (ComplaintEvent, out["events"]), (SlaPause, out["pauses"])])  # fmt: skip
    writer.finish()
    insert_seconds = time.perf_counter() - insert_started

    finish_started = time.perf_counter()
    with transaction.atomic():
        case_numbers_advance(seeder.counters)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Customer, Complaint, ComplaintEvent, SlaPause]
            ):
                cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would gather them soon
    finish_seconds = time.perf_counter() - finish_started

    mismatches = verify_sample(size=300, seed=args.seed)
    print(f"check: deadlines of ~300 random complaints recomputed by sla.services: {mismatches} mismatches")

    total = time.perf_counter() - started
    print(
        f"\nadded {args.count:,} complaints ({seeder.open_count:,} open, {seeder.open_count / max(args.count, 1):.1%}), "
        f"{seeder.next_customer_id - seeder.first_customer_id:,} customers, {args.count:,} events"
    )
    print(
        f"insert: {insert_seconds:.1f} s = {args.count / insert_seconds:,.0f} complaints/s "
        f"(of which the database writing took {writer.write_seconds:.1f} s, overlapping the row building)"
    )
    print(f"counters, sequences, ANALYZE: {finish_seconds:.1f} s")
    print(f"total: {total:.1f} s; table now holds {Complaint.objects.count():,} complaints")


if __name__ == "__main__":
    main()
