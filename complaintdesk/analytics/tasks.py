"""Thin tasks around the analytics services: the incremental sync of facts and rollups, a periodic job of
`tasks.periodic` every ANALYTICS_SYNC_INTERVAL_SECONDS (default 300). `manage.py analytics_sync` runs one
by hand."""

from django.utils.translation import gettext_lazy as _

from complaintdesk.tasks.periodic import periodic

from . import services

SYNC_JOB = "analytics-sync"


@periodic(SYNC_JOB, label=_("统计数据同步"), every=services.sync_interval)
def analytics_sync() -> dict:
    return services.analytics_sync().as_dict()
