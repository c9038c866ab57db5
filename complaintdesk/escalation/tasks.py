"""Thin tasks around the escalation app's side effects: the daily digest, a periodic job of
`tasks.periodic` at ESCALATION_DIGEST_HOUR:00 local (at most once per person and day, so a rerun or a
duplicated run sends nothing twice). `manage.py escalation_digest` sends one by hand."""

from django.utils.translation import gettext_lazy as _

from complaintdesk.tasks.periodic import periodic

from .digest import digest_time, digests_send

DIGEST_JOB = "escalation-digest"


@periodic(DIGEST_JOB, label=_("升级日报"), daily_at=digest_time)
def escalation_digest() -> dict:
    """Today's digest to each level holder."""
    return digests_send()
