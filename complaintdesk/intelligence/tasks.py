"""Thin tasks around the intelligence services: enrichment after intake, training from the admin."""

from django_tasks import task

from complaintdesk.accounts.models import User

from .services import enrichment, training


@task()
def enrich_complaint(complaint_id: int) -> int | None:
    """Run after the complaint is committed. Returns the id of the insight recorded."""
    insight = enrichment.complaint_enrich(complaint_id=complaint_id)
    return insight.pk if insight else None


@task()
def train_classifier(actor_id: int | None = None, folds: int = 5, activate: bool = True) -> int:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return training.classifier_train(actor=actor, folds=folds, activate=activate).version
