"""manage.py regulation_train_classifier [--scheme CODE] [--folds 5] [--no-activate] [--only-if-new]: one
classifier per classification dimension (A, B, C …), trained on the cases whose code an agent confirmed;
prints, per dimension, the stored version and its k-fold figures, or why none was trained."""

import json

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.common.errors import DomainError
from complaintdesk.intelligence import classifier
from complaintdesk.regulation.code_training import code_classifiers_train
from complaintdesk.regulation.selectors import scheme_active


class Command(BaseCommand):
    help = "Train each dimension's regulatory code classifier on the codes agents confirmed."

    def add_arguments(self, parser):
        parser.add_argument("--scheme", help="scheme code (default: every active scheme)")
        parser.add_argument(
            "--folds", type=int, default=classifier.DEFAULT_FOLDS, help="k of the k-fold (0: none)"
        )
        parser.add_argument(
            "--no-activate", action="store_true", help="store without making it the active model"
        )
        parser.add_argument(
            "--only-if-new", action="store_true", help="skip dimensions with no newly confirmed cases"
        )

    def handle(self, *args, scheme, folds, no_activate, only_if_new, **options):
        try:
            chosen = scheme_active(code=scheme) if scheme else None
        except DomainError as error:
            raise CommandError(error.message) from None
        results = code_classifiers_train(
            scheme=chosen, folds=folds, activate=not no_activate, only_if_new=only_if_new
        )
        for result in results:
            model = result.model
            kfold = (model.evaluation.get("kfold") or {}) if model else {}
            line = {
                "dimension": result.dimension.code,
                "version": model.version if model else None,
                "active": model.is_active if model else None,
                "trained_on": model.trained_on if model else 0,
                "codes": len(model.labels) if model else 0,
                "kfold_accuracy": kfold.get("accuracy"),
                "kfold_macro_f1": kfold.get("macro_f1"),
                "at_threshold": kfold.get("at_threshold"),
                "skipped": result.skipped or None,
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
