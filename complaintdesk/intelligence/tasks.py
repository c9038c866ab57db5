"""Thin tasks around the intelligence services: enrichment after intake, training from the admin."""

from django_tasks import task

from complaintdesk.accounts.models import User
from complaintdesk.tasks.intake import outbox_claim

from . import grouping, selectors
from .services import enrichment, training


@task()
def enrich_complaint(complaint_id: int) -> int | None:
    """Run after the complaint is committed. Returns the id of the insight recorded."""
    insight = enrichment.complaint_enrich(complaint_id=complaint_id)
    return insight.pk if insight else None


def case_analysed(complaint_id: int) -> bool:
    """Whether the case's automatic analysis has been recorded (the enrichment step is done)."""
    return selectors.insight_exists(complaint_id=complaint_id)


@task()
def enrich_after_intake(complaint_id: int) -> str:
    """The after-intake step "enrichment" (registered in IntelligenceConfig.ready()): category, emotion,
    severity, group detection, done once per case (`tasks.intake.outbox_claim`). The acknowledgement's job
    may already have run it for its case (`tasks.intake.after_intake_settle`): then this does nothing."""
    with outbox_claim(task_obj=enrich_after_intake, complaint_id=complaint_id) as mine:
        # On the database queue the claim is the task row itself: look whether the case is analysed.
        if not mine or case_analysed(complaint_id):
            return "done already or running elsewhere"
        insight = enrichment.complaint_enrich(complaint_id=complaint_id)
        return f"insight {insight.pk}" if insight else "no such complaint"


@task()
def train_classifier(actor_id: int | None = None, folds: int = 5, activate: bool = True) -> int:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return training.classifier_train(actor=actor, folds=folds, activate=activate).version


WARM_UP_TEXT = "宽带连续三天断网，客服一直推脱不处理，我要投诉"


def enrichment_warm_up() -> None:
    """What enrichment loads on first use — jieba's dictionaries, the classifier, the emotion model (trained
    and stored on the first use of a new installation: tens of seconds) — loaded when the worker starts,
    not inside the first job's transaction (tasks.worker.worker_warm_up_register, from IntelligenceConfig)."""
    selectors.category_predict(WARM_UP_TEXT)
    selectors.emotion_assess(WARM_UP_TEXT)
    grouping.fingerprint(WARM_UP_TEXT, product="", place="")
    selectors.policy_get()
