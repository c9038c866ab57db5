"""Thin tasks around the escalation app's side effects: the daily digest, a periodic job of
`tasks.periodic` at ESCALATION_DIGEST_HOUR:00 local (at most once per person and day, so a rerun or a
duplicated run sends nothing twice). `manage.py escalation_digest` sends one by hand. The burst digests
(bursts.py) are sent after each SLA pass and, for anything a stopped worker left, every minute."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from complaintdesk.tasks.periodic import periodic

from .bursts import holder_digests_send
from .digest import digest_time, digests_send

DIGEST_JOB = "escalation-digest"
BURST_DIGEST_JOB = "escalation-burst-digest"


@periodic(BURST_DIGEST_JOB, label=_("升级汇总通知"), every=dt.timedelta(minutes=1))
def escalation_burst_digest() -> dict:
    """One message per holder for the cases that escalated to them in a burst."""
    return holder_digests_send()


@periodic(DIGEST_JOB, label=_("升级日报"), daily_at=digest_time)
def escalation_digest() -> dict:
    """Today's digest to each level holder."""
    return digests_send()
