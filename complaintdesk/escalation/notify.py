"""What the ladder tells people about a move between levels.

Both are written in the escalation's own transaction (rows that commit with it, delivered after it).

- The customer: who now holds the case and by when they will hear — the `escalated` notification on
  their preferred channel (notifications app, retried there). "By when" is the case's own result deadline,
  the one date every message and the portal promise (the regulator's deadline does not move with an
  internal escalation); the level's resolve clock is for staff. When it has been sent, the notifications
  app calls `services.customer_told_delivered` (registered in AppConfig.ready): that, not the escalation, meets
  the level's acknowledge deadline. With no way to reach the customer (no contact details, no
  template) the holder tells them by phone and records it (`escalation_customer_acknowledged`).
- Members of staff: a notice per person through the staff notifier (`alerts.py` → `inbox.staff_notify`,
  which queues the e-mails as tasks, so a slow mail server never holds up the sweep).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import translation

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Complaint
from complaintdesk.notifications.content import message_language
from complaintdesk.notifications.services import NotificationImpossible, notification_send

from .alerts import StaffAlert, staff_alert_send, staff_alerts_send_many
from .engine import LevelRule
from .models import EscalationHandOff
from .selectors import ladder_rules_for, level_name_for_people, level_name_in_sentence

logger = logging.getLogger(__name__)

ESCALATED_TEMPLATE = "escalated"


def _level_name_in(language: str, *, complaint: Complaint, hand_off_id: int, fallback: str) -> str:
    """The level's name in the customer's language (its English name, where the ladder has one): the
    hand-off keeps the name as it was written, in the language of whoever was working."""
    hand_off = EscalationHandOff.objects.filter(pk=hand_off_id).only("to_level_position").first()
    rule = ladder_rules_for(unit=complaint.org_unit).level(hand_off.to_level_position) if hand_off else None
    with translation.override(language):
        return level_name_for_people(rule, fallback=fallback)


def customer_told_new_holder(
    *,
    complaint_id: int,
    hand_off_id: int,
    level_name: str,
    holder_name: str,
    holder_extension: str,
    acknowledge_due_at: dt.datetime | None,
    reason: str,
    complaint: Complaint | None = None,
    level: LevelRule | None = None,
) -> None:
    """Queue the `escalated` message to the customer: the level, the holder and their extension, and the
    case's result deadline as the time they will hear by ({deadline}, filled as for every other message to
    the customer: scripts.services.script_values), never the level's own clock. Inside the escalation's transaction the case
    and the level are given (no query for them); the message row commits with the escalation."""
    if complaint is None:
        complaint = Complaint.objects.select_related("customer", "org_unit").filter(pk=complaint_id).first()
    if complaint is None:
        return
    language = message_language(complaint)
    if level is not None:
        with translation.override(language):
            level_name = level_name_for_people(level, fallback=level_name)
    else:
        level_name = _level_name_in(
            language, complaint=complaint, hand_off_id=hand_off_id, fallback=level_name
        )
    extra = {
        "level": level_name_in_sentence(level_name, language=language),
        "agent_name": holder_name,
        "extension": holder_extension,
    }
    try:
        notification_send(complaint=complaint, template_code=ESCALATED_TEMPLATE, extra=extra)
    except (NotificationImpossible, InvalidInput) as error:
        logger.warning(
            "escalation: customer of complaint %s cannot be told of hand-off %s (%s); "
            "the holder tells them and records it",
            complaint_id,
            hand_off_id,
            error,
        )


def staff_notified(
    *,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    clock: str = "",
    due_at: dt.datetime | None = None,
) -> None:
    """Tell members of staff about a case: `what` is "warning", "breach", "new_holder", "hand_back",
    "risk_flag" or "holder_missing" (then `user_ids` is empty and `unit_id` names the queue, whose
    managers are told). A notice each through the staff notifier, which queues their e-mails."""
    try:
        staff_alert_send(
            complaint_id=complaint_id,
            user_ids=list(user_ids),
            unit_id=unit_id,
            what=what,
            clock=clock,
            due_at=due_at,
        )
    except Exception:  # the case has moved and is on the holder's queue; a lost notice is only logged
        logger.exception("escalation: could not notify staff (%s) of complaint %s", what, complaint_id)


def staff_notified_many(*, alerts: list[StaffAlert]) -> None:
    """`staff_notified` for many cases at once (the holders' notices of an SLA batch's hand-offs): all the
    notices in one statement, in the caller's transaction; if they cannot be written it is only logged."""
    if not alerts:
        return
    try:
        with transaction.atomic():
            staff_alerts_send_many(alerts)
    except Exception:  # the cases have moved and are on the holders' queues; lost notices are only logged
        logger.exception("escalation: could not notify the holders of %d cases", len(alerts))
