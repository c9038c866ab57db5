"""Precision and recall of group detection on real complaint texts, against our own labels.

    .venv/bin/python bench/group_precision.py              # one JSON line with the figures
    .venv/bin/python bench/group_precision.py --verbose    # also every detected group, for reading

The texts are negative reviews from ../shared/data/online_shopping_10_cats, read from there (never
copied into the repository). bench/group_labels.json holds only our labels: which rows describe one
and the same problem (an incident: 蒙牛's tampered production dates, pirated-looking books, clothes
losing colour, phones that freeze, fruit arriving rotten, fake-looking shampoo), and how the
background of reviews that should be grouped with nothing is drawn (80 that share the function words
of the issue's failure — 另外/编号/购买/订单/发票/退货/客服 — and 120 at random).

Every review is one complaint from its own customer, in one region, all within one window (the
hardest case: every complaint is compared with every earlier one), in a seeded random order. Each is
decided as the service does (`grouping.fingerprint`, the candidates sharing a token — at most
GROUP_CANDIDATES_MAX, most shared tokens first — plus the members of a group among them,
`grouping.decide`, join or open), with the product's default rules.

Figures, over pairs of complaints: precision = of the pairs put into one group, how many are in one
incident; recall = of the pairs in one incident, how many were put into one group. Also: groups
detected, complaints grouped with the wrong ones (not in their group's main incident, or background),
and how many groups would have acted without a supervisor (strong evidence: reviews name no place, so
none is expected).
"""

import argparse
import csv
import json
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
    lookalike = {inc["category"]: re.compile(inc["exclude"]) for inc in labels["incidents"]}
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
    }


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
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not SHOPPING.exists():
        sys.exit(f"{SHOPPING} not found: the development data lives in ../shared/data beside the checkout")
    with SHOPPING.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    items = labelled_set(rows, labels)
    random.Random(args.seed).shuffle(items)
    texts = [text for _row, text, _label in items]
    labels_of = [label for _row, _text, label in items]
    products = [rows[row]["cat"] if args.product_field else "" for row, _text, _label in items]
    rules = grouping.Rules(min_customers=args.min_customers)
    groups, strong = detect(texts, products, rules=rules, strong=grouping.StrongRules())
    result = {
        "product_field": args.product_field,
        "min_customers": args.min_customers,
        **figures(labels_of, groups),
    }
    result["groups_acting_without_a_supervisor"] = len(strong)
    result |= link_figures(texts, products, labels_of, rules)
    if args.verbose:
        for gid, members in groups.items():
            print(
                f"G{gid}: {Counter(labels_of[m] or '（背景）' for m in members).most_common()}",
                file=sys.stderr,
            )
            for m in members:
                print(f"   [{items[m][0]}] {labels_of[m] or '—'} | {texts[m][:70]}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
