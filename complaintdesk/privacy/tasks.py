"""The daily anonymisation job: a thin task around privacy.services.cases_anonymise."""

from django.conf import settings
from django_tasks import task

from .services import cases_anonymise

# A run does at most this many batches; what is left waits for the next day (the first run after a
# backlog of years is spread over days rather than holding the worker for hours).
MAX_BATCHES = 50


def anonymise_expired(*, batch: int | None = None) -> dict:
    """Anonymise the cases whose retention has ended, batch after batch, up to MAX_BATCHES."""
    batch = batch or getattr(settings, "PRIVACY_ANONYMISE_BATCH", 200)
    totals = {"runs": 0, "cases": 0, "customers": 0, "attachments": 0, "held": 0, "remaining": False}
    for _ in range(MAX_BATCHES):
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


@task()
def privacy_anonymise_task() -> dict:
    return anonymise_expired()
