"""The daily digest to each level holder (issue 5 item 7): the escalated cases they hold with their
clocks, the deadlines breached yesterday-to-now in their units, and the cases at risk.

`digest_for` reads (bounded lists with totals); `digests_send` sends at most one per person per day
through the staff notifier (a `DigestDelivery` row claimed in the same transaction as the notice, so a
rerun or a second worker never sends twice; the notifier retries a mail that could not be sent).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import User
from complaintdesk.common.time import local_zone, now, to_local
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.selectors import ComplaintFilters, complaint_page
from complaintdesk.inbox.services import recipient_language, staff_notify
from complaintdesk.tasks.periodic import next_daily_at

from .defaults import DEFAULT_LEVELS
from .models import CaseEscalation, DigestDelivery, EscalationLevel

logger = logging.getLogger(__name__)

LIST_MAX = 30
DIGEST_LINK = "/supervisor/"


@dataclass
class Digest:
    user: User
    day: dt.date
    held: list[CaseEscalation] = field(default_factory=list)
    held_total: int = 0
    breaches: list[ComplaintEvent] = field(default_factory=list)
    breaches_total: int = 0
    at_risk: list[Complaint] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.held_total or self.breaches_total or self.at_risk)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=local_zone())
    return start, start + dt.timedelta(days=1)


def level_holder_roles() -> set[str]:
    """Roles that hold a level above the front line in any ladder (default: the built-in one)."""
    roles = set(
        EscalationLevel.objects.filter(position__gt=0)
        .exclude(holder_role="")
        .values_list("holder_role", flat=True)
        .distinct()
    )
    return roles or {
        level.holder_role for level in DEFAULT_LEVELS if level.position > 0 and level.holder_role
    }


def digest_recipients() -> list[User]:
    """Everyone who holds an escalated case or a level role (in the workbench; by e-mail too when they
    have an address)."""
    holding = CaseEscalation.objects.filter(
        complaint__is_open=True, level_position__gt=0, holder__isnull=False
    )
    return list(
        User.objects.filter(is_active=True).filter(pk__in=holding.values("holder_id"))
        | User.objects.filter(is_active=True).filter(role__in=level_holder_roles())
    )


def digest_for(*, user: User, day: dt.date) -> Digest:
    """What `user` should know on the morning of `day` (local): the cases they hold above the front line,
    the breaches recorded from the start of the previous day until now in their units, and their units'
    cases with less than a fifth of their window left."""
    digest = Digest(user=user, day=day)
    held = (
        CaseEscalation.objects.filter(holder=user, level_position__gt=0, complaint__is_open=True)
        .select_related("complaint", "holder_unit")
        .order_by("resolve_due_at", "id")
    )
    digest.held_total = held.count()
    digest.held = list(held[:LIST_MAX])
    start, _end = _day_bounds(day - dt.timedelta(days=1))
    visible = complaints_visible_to(user)
    breaches = (
        ComplaintEvent.objects.filter(
            kind=EventKind.SLA_BREACH, at__gte=start, at__lt=now(), complaint__in=visible.filter(is_open=True)
        )
        .select_related("complaint")
        .order_by("-at", "-id")
    )
    digest.breaches_total = breaches.count()
    digest.breaches = list(breaches[:LIST_MAX])
    digest.at_risk = complaint_page(
        user=user, filters=ComplaintFilters(at_risk=True, open_only=True), limit=LIST_MAX
    ).items
    return digest


def _when(value: dt.datetime | None) -> str:
    return to_local(value).strftime("%m-%d %H:%M") if value else "—"


def digest_message(digest: Digest) -> tuple[str, str]:
    """(title, body) of the digest in the recipient's language."""
    with translation.override(recipient_language(digest.user)):
        subject = _("升级投诉日报 %(day)s：承接 %(held)d 件，超时 %(breaches)d 次，即将超时 %(risk)d 件") % {
            "day": digest.day.isoformat(),
            "held": digest.held_total,
            "breaches": digest.breaches_total,
            "risk": len(digest.at_risk),
        }
        lines = [_("%(name)s，您好：") % {"name": digest.user.display_name or digest.user.username}, ""]
        lines.append(_("一、您承接的升级投诉（%(n)d 件，按本层级解决时限排序）") % {"n": digest.held_total})
        for state in digest.held:
            told = (
                _("已告知客户")
                if state.customer_acknowledged_at
                else _("未告知客户，时限 %(due)s") % {"due": _when(state.acknowledge_due_at)}
            )
            lines.append(
                _("- %(number)s %(level)s · 解决时限 %(due)s · %(told)s · %(title)s")
                % {
                    "number": state.complaint.number,
                    "level": state.level_name,
                    "due": _when(state.resolve_due_at),
                    "told": told,
                    "title": state.complaint.title[:40],
                }
            )
        lines += ["", _("二、昨日以来的超时（%(n)d 次）") % {"n": digest.breaches_total}]
        for event in digest.breaches:
            lines.append(f"- {event.complaint.number} {_when(event.at)} {event.reason[:60]}")
        lines += ["", _("三、即将超时的投诉（剩余时间不足 20%%）：%(n)d 件") % {"n": len(digest.at_risk)}]
        for complaint in digest.at_risk:
            lines.append(
                _("- %(number)s 到期 %(due)s · %(title)s")
                % {"number": complaint.number, "due": _when(complaint.due_at), "title": complaint.title[:40]}
            )
    return subject, "\n".join(lines)


def digests_send(*, day: dt.date | None = None) -> dict[str, int]:
    """Send the day's digest to every recipient who has something to read and has not had it yet: a notice
    in the workbench and an e-mail (through the staff notifier, which retries the mail on its own)."""
    day = day or to_local(now()).date()
    counts = {"sent": 0, "empty": 0, "already": 0, "failed": 0}
    for user in digest_recipients():
        if DigestDelivery.objects.filter(user=user, day=day).exists():
            counts["already"] += 1
            continue
        digest = digest_for(user=user, day=day)
        if digest.empty:
            counts["empty"] += 1
            continue
        title, body = digest_message(digest)
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(
                    user=user,
                    day=day,
                    sent_at=now(),
                    cases_held=digest.held_total,
                    breaches=digest.breaches_total,
                    at_risk=len(digest.at_risk),
                )
                staff_notify(
                    recipients=[user], kind="escalation_digest", title=title, body=body, link=DIGEST_LINK
                )
        except IntegrityError:  # another worker took it
            counts["already"] += 1
            continue
        except Exception:
            logger.exception("escalation digest for %s on %s could not be written", user.username, day)
            counts["failed"] += 1
            continue
        counts["sent"] += 1
    return counts


def digest_time() -> dt.time:
    """When the daily digest goes out: ESCALATION_DIGEST_HOUR:00 local (default 8)."""
    return dt.time(hour=int(getattr(settings, "ESCALATION_DIGEST_HOUR", 8)))


def next_digest_at(*, after: dt.datetime) -> dt.datetime:
    """The next ESCALATION_DIGEST_HOUR:00 local after `after`."""
    return next_daily_at(after=after, time_of_day=digest_time())
