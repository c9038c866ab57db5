"""The jobs intake queues for a new case (`channels.intake.after_intake_queue`), each on its own.

Enrichment (intelligence: category, emotion, severity, group detection) and the acknowledgement to the
customer (`channels.acknowledge`: case number, next steps, deadlines) are separate jobs, so that the
acknowledgement — a few milliseconds — never waits behind the analysis, nor fails with it. Enrichment
is queued first: with a free worker it has normally run (≈0.2 s) when the acknowledgement states the
deadlines; when it has not, the acknowledgement states the deadlines as they stand, and an analysis
that later finds the case major only brings them forward (we are early, never late, on a promise).

Each does its work in `tasks.intake.outbox_claim`: on Redis, exactly once per case whatever the queue
does (a job sent twice does the work once; a run killed half-way is rolled back and sent again). The
acknowledgement is also unique per case in the notifications (one row per case and template).
"""

from django_tasks import task

from complaintdesk.intelligence import grouping
from complaintdesk.intelligence import selectors as intelligence_selectors
from complaintdesk.intelligence import services as intelligence
from complaintdesk.tasks.intake import outbox_claim

from .acknowledge import complaint_acknowledge


@task()
def enrich_after_intake(complaint_id: int) -> str:
    with outbox_claim(task_obj=enrich_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        insight = intelligence.complaint_enrich(complaint_id=complaint_id)
        return f"insight {insight.pk}" if insight else "no such complaint"


@task()
def acknowledge_after_intake(complaint_id: int) -> str:
    with outbox_claim(task_obj=acknowledge_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        return complaint_acknowledge(complaint_id).status


AFTER_INTAKE_JOBS = (enrich_after_intake, acknowledge_after_intake)

WARM_UP_TEXT = "宽带连续三天断网，客服一直推脱不处理，我要投诉"


def enrichment_warm_up() -> None:
    """What enrichment loads on first use — jieba's dictionaries, the classifier, the emotion model (trained
    and stored on the first use of a new installation: tens of seconds) — loaded when the worker starts,
    not inside the first job's transaction (tasks.worker.worker_warm_up_register, from ChannelsConfig)."""
    intelligence_selectors.category_predict(WARM_UP_TEXT)
    intelligence_selectors.emotion_assess(WARM_UP_TEXT)
    grouping.fingerprint(WARM_UP_TEXT, product="", place="")
    intelligence_selectors.policy_get()
