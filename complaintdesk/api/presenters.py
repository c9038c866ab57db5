"""Complaints as API dictionaries: local times with offset, personal data masked by role."""

from django.urls import reverse

from complaintdesk.common.masking import mask_email, mask_phone, mask_text
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import complaint_visible_to
from complaintdesk.complaints.event_text import EventLine, events_for_people
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent
from complaintdesk.complaints.selectors import (
    complaint_attachments,
    complaint_timeline,
    complaint_transitions_for_user,
)
from complaintdesk.complaints.states import STAMP_FIELDS, ContactKind, status_label
from complaintdesk.complaints.transfers import Transferred
from complaintdesk.escalation.selectors import CaseLadder, case_ladder_for
from complaintdesk.privacy.selectors import anonymised_customer_hidden
from complaintdesk.privacy.services import access_log_views_record

PERSONAL_FIELDS = ("phone", "email", "account_no")  # masked for roles without view_personal_data


def _local(value):
    return to_local(value) if value else None


def customer_view(*, complaint: Complaint, user) -> dict:
    anonymised_customer_hidden(complaint)  # anonymised: the stand-in, whatever the record still holds
    customer = complaint.customer
    full = user.has_perm("complaints.view_personal_data")
    if full:  # shown whole without a click: logged once per user, case, detail and day (privacy)
        shown = [f for f in PERSONAL_FIELDS if getattr(customer, f) or getattr(complaint, f"contact_{f}", "")]
        access_log_views_record(user=user, complaint=complaint, fields=shown)
    return {
        "name": customer.name,
        "title": customer.get_title_display() if customer.title else "",
        "phone": customer.phone if full or not customer.phone else mask_phone(customer.phone),
        "email": customer.email if full or not customer.email else mask_email(customer.email),
        "account_no": customer.account_no
        if full or not customer.account_no
        else mask_text(customer.account_no, 2),
        "preferred_channel": customer.preferred_channel,
        "masked": not full,
        "given_with_case": given_with_case_view(complaint=complaint, full=full),
    }


def given_with_case_view(*, complaint: Complaint, full: bool) -> dict:
    """The contact details the case was filed with, where they differ from the customer's record: on an
    unverified channel they never change the record, so staff see them here and can adopt them."""
    customer = complaint.customer
    shown = {}
    for field, mask in (("name", None), ("phone", mask_phone), ("email", mask_email)):
        value = getattr(complaint, f"contact_{field}", "")
        if value and value != getattr(customer, field):
            shown[field] = value if full or mask is None else mask(value)
    return shown


def complaint_summary(complaint: Complaint) -> dict:
    return {
        "number": complaint.number,
        "status": complaint.status,
        "status_label": status_label(complaint.status, complaint.kind),
        "kind": complaint.kind,
        "kind_label": str(ContactKind(complaint.kind).label),
        "title": complaint.title,
        "channel": complaint.channel,
        "org_unit": complaint.org_unit.code,
        "category": complaint.category.code if complaint.category_id else None,
        "severity": complaint.severity,
        "complexity": complaint.complexity,
        "priority": complaint.priority,
        "assignee": complaint.assignee.username if complaint.assignee_id else None,
        "created_at": _local(complaint.created_at),
        "due_at": _local(complaint.due_at),
        "first_response_due_at": _local(complaint.first_response_due_at),
        "acknowledge_due_at": _local(complaint.acknowledge_due_at),
        "resolution_due_at": _local(complaint.resolution_due_at),
        "deadline_provisional": complaint.deadline_provisional,
        "sla_paused": complaint.sla_paused_at is not None,
    }


def complaint_detail(
    *,
    complaint: Complaint,
    user,
    events: list[ComplaintEvent] | None = None,
    attachments: list[Attachment] | None = None,
) -> dict:
    """The case with its timeline and attachments; `events` / `attachments` when the caller has them
    already (intake has just written the whole timeline of a new case)."""
    if events is None:
        events = complaint_timeline(complaint=complaint)
    if attachments is None:
        attachments = complaint_attachments(complaint=complaint)
    ladder_view = escalation_view(complaint=complaint)
    return complaint_summary(complaint) | {
        "customer": customer_view(complaint=complaint, user=user),
        "description": complaint.description,
        "demand": complaint.demand,
        "occurred_at": _local(complaint.occurred_at),
        "received_at": _local(complaint.received_at),
        "place": complaint.place,
        "product": complaint.product,
        "people_involved": complaint.people_involved,
        "perceived_severity": complaint.perceived_severity,
        "owner_unit": complaint.owner_unit.code if complaint.owner_unit_id else None,
        "credited_user": complaint.credited_user.username if complaint.credited_user_id else None,
        "credited_unit": complaint.credited_unit.code if complaint.credited_unit_id else None,
        "is_batch": complaint.is_batch,
        "reputation_risk": complaint.reputation_risk,
        "responsibility": complaint.responsibility,
        "root_cause": complaint.root_cause,
        "impact": complaint.impact,
        "amount_at_stake": complaint.amount_at_stake,
        "stage_times": {name: _local(getattr(complaint, name)) for name in STAMP_FIELDS},
        "allowed_transitions": complaint_transitions_for_user(complaint=complaint, user=user),
        "running_clocks": ladder_view["running_clocks"],
        "escalation": ladder_view,
        "recorded_by": complaint.recorded_by.username if complaint.recorded_by_id else None,
        "recorded_by_name": complaint.recorded_by_name,
        "timeline": [_event_dict(line) for line in events_for_people(events)],
        "attachments": [attachment_view(attachment, number=complaint.number) for attachment in attachments],
    }


def event_view(event: ComplaintEvent) -> dict:
    return _event_dict(events_for_people([event])[0])


def _event_dict(line: EventLine) -> dict:
    """The stored codes for machines, and the same event in words for people (complaints.event_text)."""
    event = line.event
    return {
        "at": _local(event.at),
        "actor": event.actor.username if event.actor_id else None,
        "kind": event.kind,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
        "kind_label": line.kind,
        "field_label": line.what,
        "old_label": line.old,
        "new_label": line.new,
        "channel_label": line.channel,
        "text": line.text,
    }


def transfer_view(*, transferred: Transferred, user) -> dict:
    """What a transfer answers (complaints.transfers.complaint_transfer): where the case is now, its
    deadlines (unchanged) and the timeline event; whether the caller still sees the case."""
    complaint = transferred.complaint
    return {
        "number": complaint.number,
        "org_unit": complaint.org_unit.code,
        "org_unit_name": name_for_people(complaint.org_unit),
        "assignee": None,
        "due_at": _local(complaint.due_at),
        "resolution_due_at": _local(complaint.resolution_due_at),
        "visible": complaint_visible_to(user, complaint),
        "event": event_view(transferred.event),
    }


def attachment_view(attachment: Attachment, *, number: str) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "channel": attachment.channel,
        "uploaded_by": attachment.uploaded_by.username if attachment.uploaded_by_id else None,
        "uploaded_at": _local(attachment.uploaded_at),
        "url": reverse(
            "api-v1:complaint_attachment_download", kwargs={"number": number, "attachment_id": attachment.pk}
        ),
    }


def _clocks_view(ladder: CaseLadder) -> list[dict]:
    return [
        {"kind": c.kind, "label": c.label, "level": c.level, "level_name": c.level_name,
         "started_at": _local(c.started_at), "due_at": _local(c.due_at), "warned": c.warned,
         "provisional": c.provisional}
        for c in ladder.clocks
    ]  # fmt: skip


def escalation_view(*, complaint: Complaint) -> dict:
    """Where the case stands on its ladder and the clocks that run now (the level's, once escalated)."""
    ladder = case_ladder_for(complaint=complaint)
    state = ladder.state
    return {
        "level": ladder.level, "level_code": ladder.level_code, "level_name": ladder.level_name,
        "holder": state.holder.username if state and state.holder_id else None,
        "holder_unit": state.holder_unit.code if state and state.holder_unit_id else None,
        "holder_missing": bool(state and state.holder_missing),
        "level_started_at": _local(state.level_started_at) if state else None,
        "acknowledge_due_at": _local(state.acknowledge_due_at) if state else None,
        "customer_acknowledged_at": _local(state.customer_acknowledged_at) if state else None,
        "resolve_due_at": _local(state.resolve_due_at) if state else None,
        "running_clocks": _clocks_view(ladder),
    }  # fmt: skip
