"""The daily anonymisation job: a periodic job of `tasks.periodic` around privacy.services.cases_anonymise,
daily at PRIVACY_ANONYMISE_HOUR:00 local (default 3), then the retention steps other apps registered for
records of no case (`common.anonymisation.retention_step_register`: outreach's incident and care
messages). A rerun is harmless: anonymised cases and rows are never touched again."""

import datetime as dt
import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from complaintdesk.common.anonymisation import retention_steps
from complaintdesk.common.time import now
from complaintdesk.tasks.periodic import periodic

from .services import cases_anonymise

logger = logging.getLogger(__name__)

ANONYMISE_JOB = "privacy-anonymise"
# A run does at most this many batches; what is left waits for the next day (the first run after a
# backlog of years is spread over days rather than holding the worker for hours).
MAX_BATCHES = 50


def anonymise_time() -> dt.time:
    return dt.time(hour=getattr(settings, "PRIVACY_ANONYMISE_HOUR", 3))


def anonymise_expired(*, batch: int | None = None) -> dict:
    """Anonymise the cases whose retention has ended, batch after batch, up to MAX_BATCHES; then the records
    of no case whose retention has ended (the registered retention steps: outreach's messages), each up to
    MAX_BATCHES calls of PRIVACY_RETENTION_BATCH rows (default 1000)."""
    totals = _cases_anonymise(batch=batch or getattr(settings, "PRIVACY_ANONYMISE_BATCH", 200))
    rows = getattr(settings, "PRIVACY_RETENTION_BATCH", 1000)
    for name, step in retention_steps():
        counts: dict = {}
        for _round in range(MAX_BATCHES):
            try:
                result = step(at=now(), batch=rows)
            except Exception:  # one app's records must not stop the others; tried again the next day
                logger.exception("privacy: retention step %s failed", name)
                counts["failed"] = True
                break
            for key, value in result.items():
                counts[key] = value if isinstance(value, bool) else counts.get(key, 0) + value
            done = any(v for v in result.values() if not isinstance(v, bool))
            if not result.get("remaining") or not done:
                break
        totals[name] = counts
    return totals


def _cases_anonymise(*, batch: int) -> dict:
    totals = {"runs": 0, "cases": 0, "customers": 0, "attachments": 0, "held": 0, "remaining": False}
    for _round in range(MAX_BATCHES):
        run = cases_anonymise(batch_size=batch)
        totals["runs"] += 1
        totals["cases"] += run.cases
        totals["customers"] += run.customers
        totals["attachments"] += run.attachments
        totals["held"] = run.held
        totals["remaining"] = run.remaining
        if not run.remaining or run.cases == 0:
            break
    return totals


@periodic(ANONYMISE_JOB, label=_("个人信息匿名化（保存期满）"), daily_at=anonymise_time)
def anonymise_periodic() -> dict:
    return anonymise_expired()


@task()
def privacy_anonymise_task() -> dict:
    """Run it now on the worker (the periodic job runs through tasks.periodic.periodic_run)."""
    return anonymise_expired()
