"""The jobs intake queues for a new case (`channels.intake.after_intake_queue`), each on its own.

Enrichment (intelligence: category, emotion, severity, group detection) and the acknowledgement to the
customer (`channels.acknowledge`: case number, next steps, deadlines) are separate jobs. The
acknowledgement is queued with the highest priority (`tasks.intake.after_intake_urgent_register`: RQ puts
it at the front of the queue; the database queue takes higher priorities first), so a backlog of analyses
(0.2–0.5 s each; on a loaded 2-core machine a few per second per worker) never holds the customer's
message back. But the message states deadlines, and the automatic analysis may change them (a category
with a policy of its own): so the acknowledgement job first analyses its own case when nobody has yet —
one case, a fraction of a second — and then tells the customer the deadlines the case actually runs to.
The enrichment job finds that case analysed and does nothing. If the inline analysis fails, the
acknowledgement still goes out and the enrichment job does the analysis later.

Each does its work in `tasks.intake.outbox_claim`: on Redis, exactly once per case whatever the queue
does (a job sent twice does the work once; a run killed half-way is rolled back and sent again). The
acknowledgement is also unique per case in the notifications (one row per case and template), and its
delivery is claimed by one conditional UPDATE (`notifications.services.notification_deliver`): sent here,
the delivery job the notification queued on its own finds it sent and does nothing.
"""

import logging

from django_tasks import task

from complaintdesk.intelligence import grouping
from complaintdesk.intelligence import selectors as intelligence_selectors
from complaintdesk.intelligence.services import enrichment as intelligence_enrichment
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.notifications.services import notification_deliver
from complaintdesk.tasks.intake import after_intake_urgent_register, outbox_claim

from .acknowledge import complaint_acknowledge

logger = logging.getLogger(__name__)


def _enrich_once(complaint_id: int) -> str:
    with outbox_claim(task_obj=enrich_after_intake, complaint_id=complaint_id) as mine:
        # On the database queue the claim is the task row itself: the case's own analysis may already
        # have been done by its acknowledgement job.
        if not mine or intelligence_selectors.insight_exists(complaint_id=complaint_id):
            return "done already or running elsewhere"
        insight = intelligence_enrichment.complaint_enrich(complaint_id=complaint_id)
        return f"insight {insight.pk}" if insight else "no such complaint"


@task()
def enrich_after_intake(complaint_id: int) -> str:
    return _enrich_once(complaint_id)


@task()
def acknowledge_after_intake(complaint_id: int) -> str:
    try:
        _enrich_once(complaint_id)  # the deadlines told are those the analysis leaves
    except Exception:
        logger.exception("analysis before the acknowledgement of case %s failed; acknowledging", complaint_id)
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
