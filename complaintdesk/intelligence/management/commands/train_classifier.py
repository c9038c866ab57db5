"""Train a new category classifier on the organisation's categorised complaints and store it.

manage.py train_classifier                    # k-fold figures, new version, activated
manage.py train_classifier --no-activate      # stored, the current model stays active
manage.py train_classifier --tsv FILE --dry-run   # figures for a labelled file, nothing stored
"""

import json

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.common.errors import DomainError
from complaintdesk.intelligence import classifier
from complaintdesk.intelligence.services import training

from ._tsv import read_tsv


class Command(BaseCommand):
    help = "Train, evaluate (k-fold) and store a new category classifier version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--folds", type=int, default=classifier.DEFAULT_FOLDS, help="k of the k-fold (0: none)"
        )
        parser.add_argument(
            "--no-activate", action="store_true", help="store without making it the active model"
        )
        parser.add_argument("--tsv", help="train on a text<TAB>label file instead of the stored complaints")
        parser.add_argument(
            "--dry-run", action="store_true", help="train and print the figures, store nothing"
        )

    def handle(self, *args, folds, no_activate, tsv, dry_run, **options):
        texts = labels = None
        if tsv:
            texts, labels = read_tsv(tsv)
        try:
            row = training.classifier_train(
                texts=texts,
                labels=labels,
                source=f"file:{tsv}" if tsv else "cases",
                folds=folds,
                activate=not no_activate,
                store=not dry_run,
            )
        except DomainError as error:
            raise CommandError(f"{error.message}: {error.fields}") from None
        kfold = row.evaluation.get("kfold") or {}
        summary = {
            "version": row.version,
            "active": row.is_active,
            "trained_on": row.trained_on,
            "labels": len(row.labels),
            "train_seconds": row.train_seconds,
            "kfold_folds": kfold.get("folds"),
            "kfold_accuracy": kfold.get("accuracy"),
            "kfold_macro_f1": kfold.get("macro_f1"),
            "at_threshold": kfold.get("at_threshold"),
            "calibration_error": kfold.get("calibration_error"),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
