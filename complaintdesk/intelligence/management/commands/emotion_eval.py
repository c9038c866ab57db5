"""How well the emotion analysis tells upset from content text.

    manage.py emotion_eval --test FILE.tsv            # rules + the learned model (as in enrichment)
    manage.py emotion_eval --test FILE.tsv --rules-only

FILE is UTF-8 `text<TAB>label` lines, label 0 = negative/upset, 1 = positive/content. A text
counts as upset when its level is unhappy or angry.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.intelligence import classifier, emotion, selectors

from ._tsv import read_tsv


class Command(BaseCommand):
    help = "Evaluate calm vs upset on a labelled file; print n, accuracy and macro-F1 as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--test", required=True)
        parser.add_argument("--rules-only", action="store_true", help="without the learned model")

    def handle(self, *args, test, rules_only, **options):
        texts, labels = read_tsv(test)
        if not texts:
            raise CommandError(f"{test}: no examples")
        unknown = sorted(set(labels) - {"0", "1"})
        if unknown:
            raise CommandError(f"{test}: labels must be 0 or 1, found {unknown[:5]}")
        model = None if rules_only else selectors.emotion_model()
        predicted = []
        for text in texts:
            result = emotion.assess(text, model_probability=emotion.model_negative_probability(model, text))
            predicted.append("0" if result.is_upset else "1")
        figures = classifier.scores(labels, predicted)
        self.stdout.write(json.dumps({"n": len(texts), **figures}))
