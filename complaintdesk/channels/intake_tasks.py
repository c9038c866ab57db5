"""The jobs intake queues for a new case (`channels.intake.after_intake_queue`), each on its own.

Enrichment (intelligence: category, emotion, severity, group detection) and the acknowledgement to the
customer (`channels.acknowledge`: case number, next steps, deadlines) are separate jobs, so that the
acknowledgement never waits behind the analysis, nor fails with it. The acknowledgement is queued with the
highest priority (`tasks.intake.after_intake_urgent_register`: RQ puts it at the front of the queue; the
database queue takes higher priorities first) and
sends its message in the same job, so a backlog of analyses (0.2–0.5 s each; on a loaded 2-core machine a
few per second per worker) does not hold the customer's message back. It then states the deadlines as
they stand: an analysis that later finds the case major only brings them forward (we are early, never
late, on a promise); a category whose own policy allows longer is the one case where the time told is
earlier than the deadline the case then runs to.

Each does its work in `tasks.intake.outbox_claim`: on Redis, exactly once per case whatever the queue
does (a job sent twice does the work once; a run killed half-way is rolled back and sent again). The
acknowledgement is also unique per case in the notifications (one row per case and template), and its
delivery is claimed by one conditional UPDATE (`notifications.services.notification_deliver`): sent here,
the delivery job the notification queued on its own finds it sent and does nothing.
"""

from django_tasks import task

from complaintdesk.intelligence import grouping
from complaintdesk.intelligence import selectors as intelligence_selectors
from complaintdesk.intelligence.services import enrichment as intelligence_enrichment
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.notifications.services import notification_deliver
from complaintdesk.tasks.intake import after_intake_urgent_register, outbox_claim

from .acknowledge import complaint_acknowledge


@task()
def enrich_after_intake(complaint_id: int) -> str:
    with outbox_claim(task_obj=enrich_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        insight = intelligence_enrichment.complaint_enrich(complaint_id=complaint_id)
        return f"insight {insight.pk}" if insight else "no such complaint"


@task()
def acknowledge_after_intake(complaint_id: int) -> str:
    with outbox_claim(task_obj=acknowledge_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        outcome = complaint_acknowledge(complaint_id)
    # Committed: the message is sent now, outside the claim's transaction (a provider may be slow).
    for notification in outcome.results:
        if isinstance(notification, Notification) and notification.status == NotificationStatus.QUEUED:
            notification_deliver(notification_id=notification.pk)
    return outcome.status


AFTER_INTAKE_JOBS = (enrich_after_intake, acknowledge_after_intake)
after_intake_urgent_register(acknowledge_after_intake)  # queued (and sent again) ahead of other jobs

WARM_UP_TEXT = "宽带连续三天断网，客服一直推脱不处理，我要投诉"


def enrichment_warm_up() -> None:
    """What enrichment loads on first use — jieba's dictionaries, the classifier, the emotion model (trained
    and stored on the first use of a new installation: tens of seconds) — loaded when the worker starts,
    not inside the first job's transaction (tasks.worker.worker_warm_up_register, from ChannelsConfig)."""
    intelligence_selectors.category_predict(WARM_UP_TEXT)
    intelligence_selectors.emotion_assess(WARM_UP_TEXT)
    grouping.fingerprint(WARM_UP_TEXT, product="", place="")
    intelligence_selectors.policy_get()
