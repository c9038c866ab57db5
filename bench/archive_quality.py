"""Archive search quality: the top 10 of a fixed set of Chinese queries, saved and compared.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_1m \\
        .venv/bin/python bench/archive_quality.py --save /tmp/top10-before.json
    .venv/bin/python bench/archive_quality.py --compare /tmp/top10-before.json [--all-years]

For each user of bench/archive_search.py (HQ-wide, branch manager, store agent) and each query of
QUALITY_QUERIES (1, 2 and 3 typed words), the top 10 of `archive_search` as (kind, id, score, date).
`--compare` prints, per query and user, how many of the saved top-10 hits are still in the top 10
("same hits") and how many of the saved top-10 scores the new top 10 reaches ("same scores": ts_rank
ties are common in the seeded texts, so hits of equal score can trade places with ones of another
date). `--exhaustive --all-years` is the reference: every matching case of every year ranked (the
product ranks at most archive.backends.CANDIDATES_MAX matches, the first ones the index returns, which
on a table filled in time order are the oldest), ties broken newest first as the product does. Runs against whatever code is on sys.path first (bench/benchenv.py puts this tree's root
there), so a `git archive` of an older commit with this file copied into its bench/ measures the old
ranking on the same database.
"""

import argparse
import inspect
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

# Typed as a user types them: one, two and three words (segmentation may split a word further).
QUALITY_QUERIES = {
    1: ["光猫", "宽带", "销户", "月租", "退款", "信用卡年费"],
    2: ["宽带 断网", "套餐 流量", "快递 丢件", "话费 多扣", "光猫 红灯"],
    3: ["账单 分期 手续费", "宽带 断网 光猫", "套餐 流量 扣费", "快递员 派件 丢件", "客服 态度 恶劣"],
}


def top10(*, all_years: bool = False) -> dict:
    from archive_search import bench_users

    from complaintdesk.archive.selectors import archive_search

    takes_all_years = "all_years" in inspect.signature(archive_search).parameters
    extra = {"all_years": all_years} if takes_all_years else {}
    out: dict[str, dict] = {}
    for label, user in bench_users():
        out[label] = {}
        for words in QUALITY_QUERIES.values():
            for query in words:
                hits = archive_search(user=user, query=query, limit=10, **extra)
                out[label][query] = [[h.kind, h.id, round(h.score, 5), h.at.date().isoformat()] for h in hits]
    return out


def compare(before: dict, after: dict) -> list[str]:
    lines = ["| words | query | user | hits before | same hits | same scores | newest date before → after |"]
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    totals = {"hits": 0, "same": 0, "scores": 0}
    for count, words in QUALITY_QUERIES.items():
        for query in words:
            for label in before:
                old, new = before[label].get(query, []), after.get(label, {}).get(query, [])
                old_ids = {(k, i) for k, i, _s, _d in old}
                same = sum(1 for k, i, _s, _d in new if (k, i) in old_ids)
                new_scores = sorted((s for _k, _i, s, _d in new), reverse=True)
                scores = 0
                for s in sorted((s for _k, _i, s, _d in old), reverse=True):
                    if s in new_scores:
                        new_scores.remove(s)
                        scores += 1
                newest = (max((d for *_x, d in old), default="-"), max((d for *_x, d in new), default="-"))
                totals["hits"] += len(old)
                totals["same"] += same
                totals["scores"] += scores
                lines.append(
                    f"| {count} | {query} | {label} | {len(old)} | {same} | {scores} | {newest[0]} → {newest[1]} |"
                )
    lines.append(f"| all | | | {totals['hits']} | {totals['same']} | {totals['scores']} | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--save", help="write the top 10s to this JSON file")
    parser.add_argument("--compare", help="compare with the top 10s saved in this JSON file")
    parser.add_argument(
        "--all-years", action="store_true", help="search every year (when the code offers it)"
    )
    parser.add_argument(
        "--exhaustive",
        action="store_true",
        help="rank every match, not the first CANDIDATES_MAX the index returns (the reference ranking)",
    )
    parser.add_argument(
        "--widen-steps",
        type=int,
        help="all years: widen a window with fewer matches than are ranked at most this many times by"
        " the rate of its matches before going back to every year (default: archive.backends.WIDEN_STEPS)",
    )
    args = parser.parse_args()
    benchenv.django_setup()
    from complaintdesk.archive import backends

    if args.exhaustive:
        backends.CANDIDATES_MAX = 100_000_000
    if args.widen_steps is not None:
        backends.WIDEN_STEPS = args.widen_steps
    print(benchenv.database_label())
    result = top10(all_years=args.all_years)
    if args.save:
        Path(args.save).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"saved to {args.save}")
    if args.compare:
        print("\n".join(compare(json.loads(Path(args.compare).read_text()), result)))


if __name__ == "__main__":
    main()
