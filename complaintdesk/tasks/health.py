"""Tasks that show the worker is alive. Real tasks are thin wrappers around services, like this one."""

from django_tasks import task

from complaintdesk.common.time import now


@task()
def worker_ping(*, sent_at: str) -> dict:
    return {"sent_at": sent_at, "handled_at": now().isoformat()}
