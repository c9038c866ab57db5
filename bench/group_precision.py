"""Precision and recall of group detection on real complaint texts, against our own labels.

    .venv/bin/python bench/group_precision.py                  # one JSON line with the figures
    .venv/bin/python bench/group_precision.py --product-field  # each complaint's product field filled
    .venv/bin/python bench/group_precision.py --verbose        # also every detected group, for reading
    .venv/bin/python bench/group_precision.py --volume 5000    # the groups 5 000 random reviews make
    DATABASE_URL=… .venv/bin/python bench/group_precision.py --cost 5000 --cost-hours 168   # cost per complaint

The texts are negative reviews from ../shared/data/online_shopping_10_cats, read from there (never
copied into the repository). bench/group_labels.json holds only our labels: which rows describe one
and the same problem of one product (an incident: 蒙牛's tampered production dates, pirated-looking
books, clothes losing colour, phones that freeze, fruit arriving rotten, fake-looking shampoo; held
out — chosen after the fault lexicon was written — tablets that lag, tablets whose battery drains,
water heaters' installation fees), and how the background of reviews that should be grouped with
nothing is drawn (80 that share the function words of the issue's failure — 另外/编号/购买/订单/发票/
退货/客服 — and 120 at random, leaving out each incident's look-alikes in its category).

Every review is one complaint from its own customer, in one region, all within one window (the
hardest case: every complaint is compared with every earlier one), in a seeded random order. Each is
decided as the service does (`grouping.fingerprint`, the candidates sharing a token — at most
GROUP_CANDIDATES_MAX, most shared tokens first — plus the members of a group among them,
`grouping.decide`, join or open), with the product's default rules (`--fault-alone`, `--min-customers`
vary them).

Figures, over pairs of complaints: precision = of the pairs put into one group, how many are in one
incident; recall = of the pairs in one incident, how many were put into one group; the same for pairs
linked (what groups are built from); per incident, the pairs grouped. Also: groups detected,
complaints grouped with the wrong ones (not in their group's main incident, or background), and how
many groups would have acted without a supervisor (strong evidence: reviews name no place, so none is
expected). docs/intelligence.md has the figures and how the set was labelled.
"""

import argparse
import csv
import dataclasses
import json
import os
import random
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from complaintdesk.intelligence import grouping  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHOPPING = DATA / "online_shopping_10_cats" / "online_shopping_10_cats.csv"
LABELS = Path(__file__).resolve().parent / "group_labels.json"
CANDIDATES_MAX = 200  # as intelligence.selectors.GROUP_CANDIDATES_MAX


def _clean(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split())


def labelled_set(rows: list[dict], labels: dict) -> list[tuple[int, str, str | None]]:
    """(row, text, incident name or None for background) for every complaint of the set."""
    items: list[tuple[int, str, str | None]] = []
    taken: set[int] = set()
    for incident in labels["incidents"]:
        for row in incident["rows"]:
            items.append((row, _clean(rows[row]["review"]), incident["name"]))
            taken.add(row)
    patterns: dict[str, list[str]] = {}
    for inc in labels["incidents"]:
        patterns.setdefault(inc["category"], []).append(inc["exclude"])
    lookalike = {cat: re.compile("|".join(f"(?:{p})" for p in pats)) for cat, pats in patterns.items()}
    spec = labels["background"]
    rng = random.Random(spec["seed"])
    pool = [
        i
        for i, r in enumerate(rows)
        if r["label"] == "0"
        and i not in taken
        and 8 <= len(_clean(r["review"])) <= 300
        and not (r["cat"] in lookalike and lookalike[r["cat"]].search(r["review"]))
    ]
    words = spec["function_words"]
    function_rich = [
        i for i in pool if sum(w in rows[i]["review"] for w in words) >= spec["function_word_min"]
    ]
    chosen = rng.sample(function_rich, min(spec["function_word_reviews"], len(function_rich)))
    rest = [i for i in pool if i not in set(chosen)]
    chosen += rng.sample(rest, spec["random_reviews"])
    items += [(i, _clean(rows[i]["review"]), None) for i in chosen]
    return items


def detect(texts: list[str], products: list[str], *, rules: grouping.Rules, strong: grouping.StrongRules):
    """Run detection over the complaints in the given order, as `complaint_group_detect` does."""
    fingerprints = [
        frozenset(grouping.fingerprint(t, product=p)) for t, p in zip(texts, products, strict=True)
    ]
    group_of: dict[int, int] = {}
    groups: dict[int, list[int]] = {}
    strong_groups: set[int] = set()
    index: dict[str, list[int]] = {}
    for me, tokens in enumerate(fingerprints):
        shared = Counter(other for token in tokens for other in index.get(token, ()))
        best = [cid for cid, _n in sorted(shared.items(), key=lambda kv: (-kv[1], -kv[0]))[:CANDIDATES_MAX]]
        in_groups = {group_of[c] for c in best if c in group_of}
        ids = list(dict.fromkeys([*best, *(m for g in in_groups for m in groups[g])]))
        candidates = [
            grouping.Candidate(
                complaint_id=c + 1, customer_id=c + 1, tokens=fingerprints[c], group_id=group_of.get(c)
            )
            for c in ids
        ]
        decision = grouping.decide(
            tokens=tokens, customer_id=me + 1, candidates=candidates, rules=rules, complaint_id=me + 1
        )
        members = [m - 1 for m in decision.members if m - 1 not in group_of]
        if decision.join is not None:
            gid = decision.join
        elif decision.open:
            gid = len(groups) + 1
            groups[gid] = []
        else:
            gid = None
        if gid is not None:
            for c in [me, *members]:
                group_of[c] = gid
                groups[gid].append(c)
            together = groups[gid]
            evidence = grouping.evidence(
                [fingerprints[c] for c in together],
                customers=len(together),
                similarities=[grouping.similarity(tokens, fingerprints[c]) for c in together if c != me],
                rules=strong,
            )
            if evidence.strong:
                strong_groups.add(gid)
        for token in tokens:
            index.setdefault(token, []).append(me)
    return groups, strong_groups


def link_figures(texts: list[str], products: list[str], labels_of: list[str | None], rules) -> dict:
    """Every pair of complaints, linked or not by `rules.linked` (what groups are built from)."""
    fingerprints = [
        frozenset(grouping.fingerprint(t, product=p)) for t, p in zip(texts, products, strict=True)
    ]
    linked = true = both = 0
    for a, b in combinations(range(len(texts)), 2):
        is_true = labels_of[a] is not None and labels_of[a] == labels_of[b]
        is_linked = rules.linked(fingerprints[a], fingerprints[b])
        true += is_true
        linked += is_linked
        both += is_true and is_linked
    return {
        "pairs": len(texts) * (len(texts) - 1) // 2,
        "link_pairs": linked,
        "link_precision": round(both / linked, 4) if linked else None,
        "link_recall": round(both / true, 4) if true else None,
    }


def figures(labels_of: list[str | None], groups: dict[int, list[int]]) -> dict:
    grouped_pairs = {frozenset(p) for members in groups.values() for p in combinations(members, 2)}
    true_pairs = {
        frozenset((a, b))
        for a, b in combinations(range(len(labels_of)), 2)
        if labels_of[a] is not None and labels_of[a] == labels_of[b]
    }
    correct = grouped_pairs & true_pairs
    wrong_members = 0
    pure = 0
    for members in groups.values():
        main, count = Counter(labels_of[m] for m in members).most_common(1)[0]
        wrong = len(members) - (count if main is not None else 0)
        wrong_members += wrong
        pure += wrong == 0
    incidents = Counter(label for label in labels_of if label is not None)
    per_incident = {}
    for name in incidents:
        pairs = {p for p in true_pairs if labels_of[next(iter(p))] == name}
        per_incident[name] = f"{len(pairs & correct)}/{len(pairs)}"
    return {
        "complaints": len(labels_of),
        "incidents": len(incidents),
        "incident_complaints": sum(incidents.values()),
        "background_complaints": labels_of.count(None),
        "groups_detected": len(groups),
        "pure_groups": pure,
        "complaints_grouped": sum(len(m) for m in groups.values()),
        "complaints_grouped_wrongly": wrong_members,
        "pairs_grouped": len(grouped_pairs),
        "pairs_true": len(true_pairs),
        "pair_precision": round(len(correct) / len(grouped_pairs), 4) if grouped_pairs else None,
        "pair_recall": round(len(correct) / len(true_pairs), 4) if true_pairs else None,
        "pairs_grouped_per_incident": per_incident,
    }


def cost(args, rows: list[dict]) -> None:
    """Per-complaint cost of detection in one unit holding `--cost` open cases (see --help)."""
    import datetime as dt
    import statistics
    import time

    from benchenv import database_label, django_setup

    django_setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import Complaint, Customer
    from complaintdesk.intelligence import selectors
    from complaintdesk.intelligence.models import ComplaintFingerprint, FingerprintKey
    from complaintdesk.intelligence.services.fingerprints import complaint_fingerprint_record
    from complaintdesk.intelligence.services.groups import complaint_group_detect
    from complaintdesk.orgs.models import OrgUnit
    from complaintdesk.orgs.services import orgunit_create

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    texts = [_clean(r["review"]) for r in rows if r["label"] == "0" and 8 <= len(_clean(r["review"])) <= 300]
    rng.shuffle(texts)
    stored, arriving = texts[: args.cost], texts[args.cost : args.cost + args.cost_runs]
    policy = selectors.policy_get()
    at = now()
    tag = f"GC{args.cost}H{round(args.cost_hours)}"
    unit = OrgUnit.objects.filter(code=f"{tag}-BR").first()
    if unit is None:  # one region with one branch holding every case; kept for the next run
        hq = OrgUnit.objects.filter(parent=None).first() or orgunit_create(
            code="GCHQ", name="总部", kind="hq"
        )
        region = orgunit_create(code=f"{tag}-RG", name="大区", kind="region", parent=hq)
        unit = orgunit_create(code=f"{tag}-BR", name="分公司", kind="branch", parent=region)
        customers = Customer.objects.bulk_create([Customer(name=f"客户{i}") for i in range(args.cost)])
        span = dt.timedelta(hours=args.cost_hours)
        complaints = Complaint.objects.bulk_create(
            [
                Complaint(
                    number=f"{tag}-{i}", org_unit=unit, customer=customers[i], channel="web", title=text[:30],
                    description=text, created_at=at - span * (i + 1) / (args.cost + 1), updated_at=at,
                    received_at=at - span * (i + 1) / (args.cost + 1),
                )
                for i, text in enumerate(stored)
            ]
        )  # fmt: skip
        scope = selectors.group_scope_unit_id(unit=unit, kind=policy.group_scope_kind)
        fingerprints, keys = [], []
        for c in complaints:
            tokens = grouping.fingerprint(c.description)
            fingerprints.append(
                ComplaintFingerprint(
                    complaint=c, created_at=c.created_at, scope_unit_id=scope, customer_id=c.customer_id,
                    tokens=grouping.dump(tokens),
                )
            )  # fmt: skip
            keys += [
                FingerprintKey(complaint=c, scope_unit_id=scope, created_at=c.created_at, token=k)
                for k in grouping.keys(tokens)
            ]
        ComplaintFingerprint.objects.bulk_create(fingerprints, batch_size=2000)
        FingerprintKey.objects.bulk_create(keys, batch_size=5000)
        # Detection as each case arrived, oldest first (each sees only the cases before it): the
        # groups a later complaint joins exist, as they would.
        setup = []
        for fingerprint in sorted(fingerprints, key=lambda f: f.created_at):
            t0 = time.perf_counter()
            complaint_group_detect(complaint=fingerprint.complaint, fingerprint=fingerprint, policy=policy)
            setup.append((time.perf_counter() - t0) * 1000)
        print(f"set-up: detection of the {len(setup)} stored cases as they arrived, ms p50/p95/max "
              f"{statistics.median(setup):.1f}/{statistics.quantiles(setup, n=100)[94]:.1f}/{max(setup):.1f}",
              file=sys.stderr)  # fmt: skip
    open_cases = Complaint.objects.filter(org_unit=unit, is_open=True).count()
    window = dt.timedelta(hours=policy.group_window_hours)
    in_window = ComplaintFingerprint.objects.filter(
        complaint__org_unit=unit, created_at__gte=at - window
    ).count()
    customer = Customer.objects.create(name="新客户")
    timings: dict[str, list[float]] = {
        "fingerprint": [],
        "record": [],
        "candidates": [],
        "decide": [],
        "detect": [],
    }
    statements, candidates_seen, outcomes, server_ms = [], [], Counter(), []
    for i, text in enumerate(arriving):
        with transaction.atomic():
            complaint = Complaint.objects.create(
                number=f"{tag}-new-{i}", org_unit=unit, customer=customer, channel="web", title=text[:30],
                description=text, created_at=now(), updated_at=now(), received_at=now(),
            )  # fmt: skip
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                tokens = grouping.fingerprint(text)
                t1 = time.perf_counter()
                fingerprint = complaint_fingerprint_record(
                    complaint=complaint, tokens=tokens, topic="", policy=policy
                )
                t2 = time.perf_counter()
                candidates = selectors.group_candidates(fingerprint=fingerprint, window=window)
                t3 = time.perf_counter()
                decision = grouping.decide(
                    tokens=frozenset(tokens), customer_id=customer.pk, candidates=candidates,
                    rules=selectors.group_rules(policy), complaint_id=complaint.pk,
                )  # fmt: skip
                t4 = time.perf_counter()
            if i < 30 and connection.vendor == "postgresql":  # the server's own time for the query
                plan = selectors.group_candidates_query(fingerprint=fingerprint, window=window).explain(
                    analyze=True
                )
                server_ms.append(float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
            group = complaint_group_detect(complaint=complaint, fingerprint=fingerprint, policy=policy)
            t5 = time.perf_counter()
            transaction.set_rollback(True)
        for name, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            timings[name].append(seconds * 1000)
        statements.append(len(queries))
        candidates_seen.append(len(candidates))
        outcomes["joins" if decision.join else "opens" if decision.open else "none"] += 1
        outcomes["group written"] += group is not None

    def p(values: list[float], q: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(q) - 1], 2) if len(values) > 1 else values[0]

    print(
        json.dumps(
            {
                "database": database_label(),
                "open_cases_in_unit": open_cases,
                "spread_over_hours": args.cost_hours,
                "in_window": in_window,
                "window_hours": policy.group_window_hours,
                "arrivals_timed": len(arriving),
                "candidates_median_max": [statistics.median(candidates_seen), max(candidates_seen)],
                "decisions": dict(outcomes),
                "statements_fingerprint_to_decision_max": max(statements),
                "ms_p50_p95": {name: [p(v, 50), p(v, 95)] for name, v in timings.items()},
                "candidate_query_server_ms_p50_max": [p(server_ms, 50), max(server_ms)]
                if server_ms
                else None,
                "load_average": list(os.getloadavg()),
            },
            ensure_ascii=False,
        )
    )


def read_rows() -> list[dict]:
    with SHOPPING.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def evaluate(
    *,
    product_field: bool = False,
    min_customers: int | None = None,
    seed: int = 20261206,
    rules: grouping.Rules | None = None,
    verbose: bool = False,
    rows: list[dict] | None = None,
) -> dict:
    """The figures for the labelled set with the product's default rules (or `rules`)."""
    rows = rows if rows is not None else read_rows()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    items = labelled_set(rows, labels)
    random.Random(seed).shuffle(items)
    texts = [text for _row, text, _label in items]
    labels_of = [label for _row, _text, label in items]
    products = [rows[row]["cat"] if product_field else "" for row, _text, _label in items]
    rules = rules or grouping.Rules()
    if min_customers is not None:
        rules = dataclasses.replace(rules, min_customers=min_customers)
    groups, strong = detect(texts, products, rules=rules, strong=grouping.StrongRules())
    result = {
        "product_field": product_field,
        "min_customers": rules.min_customers,
        **figures(labels_of, groups),
    }
    result["groups_acting_without_a_supervisor"] = len(strong)
    result |= link_figures(texts, products, labels_of, rules)
    if verbose:
        for gid, members in groups.items():
            print(
                f"G{gid}: {Counter(labels_of[m] or '（背景）' for m in members).most_common()}",
                file=sys.stderr,
            )
            for m in members:
                print(f"   [{items[m][0]}] {labels_of[m] or '—'} | {texts[m][:70]}", file=sys.stderr)
    return result


def volume(n: int, rows: list[dict], *, product_field: bool, seed: int, rules: grouping.Rules) -> None:
    rng = random.Random(seed)
    pool = [i for i, r in enumerate(rows) if r["label"] == "0" and 8 <= len(_clean(r["review"])) <= 300]
    chosen = rng.sample(pool, min(n, len(pool)))
    texts = [_clean(rows[i]["review"]) for i in chosen]
    products = [rows[i]["cat"] if product_field else "" for i in chosen]
    groups, _strong = detect(texts, products, rules=rules, strong=grouping.StrongRules())
    fingerprints = [
        frozenset(grouping.fingerprint(t, product=p)) for t, p in zip(texts, products, strict=True)
    ]
    print(
        json.dumps(
            {
                "reviews": len(texts),
                "product_field": product_field,
                "groups": len(groups),
                "complaints_grouped": sum(len(m) for m in groups.values()),
                "largest": [
                    {
                        "size": len(members),
                        "title": [
                            grouping.display_token(t)
                            for t in grouping.group_title([fingerprints[m] for m in members])
                        ],
                        "categories": Counter(rows[chosen[m]]["cat"] for m in members).most_common(3),
                    }
                    for members in sorted(groups.values(), key=len, reverse=True)[:15]
                ],
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=20261206, help="order of arrival")
    parser.add_argument(
        "--product-field",
        action="store_true",
        help="fill each complaint's product field with its review's category (书籍, 衣服 …), as an agent "
        "recording 涉及产品/业务 would; without it the product is only in the text",
    )
    parser.add_argument(
        "--min-customers", type=int, default=grouping.Rules().min_customers,
        help="customers a new group needs (the policy's group_min_customers; default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--fault-alone", type=float, default=grouping.Rules().fault_alone,
        help="similarity a shared fault needs with nothing else shared (Rules.fault_alone; default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--volume", type=int, metavar="N",
        help="instead: detection over N random negative reviews (seeded) in one region and window, "
        "each its own customer; prints the groups (size, title, categories) — what a region receiving N "
        "complaints a day would be shown",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--cost", type=int, metavar="N",
        help="instead: the per-complaint cost of detection (needs a database: DATABASE_URL, else "
        "var/bench.sqlite3, migrated here) in one unit holding N open cases of real review text, "
        "spread over --cost-hours before now; --cost-runs new complaints each timed in a transaction "
        "rolled back (fingerprint, its record, candidate query, decision, the whole detection)",
    )  # fmt: skip
    parser.add_argument(
        "--cost-hours", type=float, default=24.0, help="the N cases arrived over this many hours"
    )
    parser.add_argument("--cost-runs", type=int, default=200, help="new complaints timed (default 200)")
    args = parser.parse_args()
    if not SHOPPING.exists():
        sys.exit(f"{SHOPPING} not found: the development data lives in ../shared/data beside the checkout")
    rows = read_rows()
    if args.cost:
        cost(args, rows)
        return
    rules = grouping.Rules(fault_alone=args.fault_alone)
    if args.volume:
        volume(args.volume, rows, product_field=args.product_field, seed=args.seed, rules=rules)
        return
    result = evaluate(
        product_field=args.product_field, min_customers=args.min_customers, seed=args.seed, rules=rules,
        verbose=args.verbose, rows=rows,
    )  # fmt: skip
    result["fault_alone"] = rules.fault_alone
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
