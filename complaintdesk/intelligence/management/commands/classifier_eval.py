"""Train on one labelled file exactly as train_classifier does, test on another, print one JSON line.

    manage.py classifier_eval --train TRAIN.tsv --test TEST.tsv

Files are UTF-8 `text<TAB>label` lines without a header. predict_ms is the latency of one
prediction of one text (the path intake's enrichment takes), over every test text.
"""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.intelligence import classifier

from ._tsv import read_tsv


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


class Command(BaseCommand):
    help = "Train on --train, evaluate on --test; print n, accuracy, macro-F1, training and prediction times."

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True)
        parser.add_argument("--test", required=True)
        parser.add_argument("--seed", type=int, default=classifier.DEFAULT_SEED)

    def handle(self, *args, train, test, seed, **options):
        train_texts, train_labels = read_tsv(train)
        test_texts, test_labels = read_tsv(test)
        if not test_texts:
            raise CommandError(f"{test}: no examples")
        started = time.perf_counter()
        try:
            # The same function train_classifier calls; its k-fold step is for stored cases only.
            model = classifier.train(train_texts, train_labels, folds=0, seed=seed)
        except classifier.NotEnoughData as error:
            raise CommandError(str(error)) from None
        train_seconds = time.perf_counter() - started
        predicted, latencies = [], []
        for text in test_texts:
            began = time.perf_counter()
            suggestion = classifier.predict(model, text)
            latencies.append((time.perf_counter() - began) * 1000)
            predicted.append(suggestion.category_code or "")
        figures = classifier.scores(test_labels, predicted)
        self.stdout.write(
            json.dumps(
                {
                    "n_train": model.trained_on,
                    "n_test": len(test_texts),
                    "accuracy": figures["accuracy"],
                    "macro_f1": figures["macro_f1"],
                    "train_seconds": round(train_seconds, 2),
                    "predict_ms_p50": round(_percentile(latencies, 50), 3),
                    "predict_ms_p95": round(_percentile(latencies, 95), 3),
                }
            )
        )
