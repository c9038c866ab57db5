"""Thin tasks of the regulation app: the after-intake step that suggests a new case's regulatory codes, and
the training of each dimension's code classifier (periodic, and from the admin's button)."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from complaintdesk.accounts.models import User
from complaintdesk.tasks.intake import outbox_claim
from complaintdesk.tasks.periodic import periodic

from .code_training import code_classifiers_train
from .services import complaint_codes_suggest_at_intake

TRAIN_JOB = "regulation-code-classifier"


@task()
def codes_suggest_after_intake(complaint_id: int) -> str:
    """Registered in RegulationConfig.ready(): the new case's codes suggested from its text (classifier,
    else keywords) in the job's own claim, so that the agent finds them on opening the case."""
    with outbox_claim(task_obj=codes_suggest_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        return f"{complaint_codes_suggest_at_intake(complaint_id=complaint_id)} codes suggested"


def _summary(results) -> dict:
    return {
        "trained": [f"{r.dimension.code} v{r.model.version}" for r in results if r.model],
        "skipped": [r.dimension.code for r in results if r.model is None],
    }


@task()
def train_code_classifiers(actor_id: int | None = None, folds: int = 5) -> dict:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return _summary(code_classifiers_train(actor=actor, folds=folds))


def train_time() -> dt.time:
    return dt.time(hour=int(getattr(settings, "REGULATION_CODE_CLASSIFIER_HOUR", 3)), minute=30)


@periodic(TRAIN_JOB, label=_("监管分类模型训练"), daily_at=train_time)
def train_code_classifiers_periodic() -> dict:
    """Once a day: each dimension whose agents confirmed more cases since its latest model learns again."""
    return _summary(code_classifiers_train(only_if_new=True))
