"""The one test that reads ../shared/data: a small real sample, learned and predicted end to end."""

import csv
from pathlib import Path

import pytest

from complaintdesk.intelligence import classifier

SHOPPING = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "online_shopping_10_cats"
    / "online_shopping_10_cats.csv"
)


@pytest.mark.skipif(not SHOPPING.exists(), reason="no ../shared/data on this machine")
def test_negative_reviews_of_four_product_kinds_are_told_apart():
    kinds = {"水果", "洗发水", "酒店", "平板"}
    rows: dict[str, list[str]] = {k: [] for k in kinds}
    with SHOPPING.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["label"] == "0" and row["cat"] in kinds and len(rows[row["cat"]]) < 150:
                rows[row["cat"]].append(row["review"])
    texts = [t for k in sorted(kinds) for t in rows[k]]
    labels = [k for k in sorted(kinds) for _t in rows[k]]
    trained = classifier.train(texts, labels, folds=3)
    assert trained.evaluation["kfold"]["accuracy"]["mean"] > 0.8
