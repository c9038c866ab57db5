"""Thin tasks around the analytics services: the periodic sync of facts and rollups.

One task that re-enqueues itself (as the SLA sweep does), kept to one chain by the lease in SyncState;
started by `manage.py analytics_sync --schedule` (bin/run). Without a deferring task backend (tests,
the in-process backend) the sync runs only when asked.
"""

from django_tasks import task

from complaintdesk.common.time import now
from complaintdesk.tasks.sla import periodic_sweep_supported

from . import services


@task()
def analytics_sync(periodic: bool = False) -> dict:
    result = services.analytics_sync()
    at = now()
    if periodic and periodic_sweep_supported() and services.sync_lease_take(at=at):
        analytics_sync.using(run_after=at + services.sync_interval()).enqueue(periodic=True)
    return result.as_dict()
