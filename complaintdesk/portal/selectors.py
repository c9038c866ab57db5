"""Reads of the customer portal: the case behind a number or a grant, and what of it a customer sees.

The portal has no staff user to scope by: a customer proves the case is theirs with a one-time code sent
to the contact on file (services.portal_code_verify), and until then nothing of a case is read for them
but whether the number and contact match — which is never shown. After that, only the public part: the
status, deadlines, what they said and sent, what we sent them, the result. Never internal notes,
analysis, SLA or escalation detail, nor who on the staff handles it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from complaintdesk.common.masking import mask_email, mask_phone
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.customers import case_contact
from complaintdesk.complaints.models import Attachment, Channel, Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.states import (
    ContactKind,
    Status,
    allowed_targets,
    customer_status_label,
    runs_complaint_process,
)
from complaintdesk.escalation.selectors import OBJECTION_STATUSES  # the customer may object to a result given
from complaintdesk.notifications.models import Notification, NotificationStatus, TemplateCode
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.surveys.models import ResultFeedback

from . import codes
from .models import AccessGrant

NUMBER_MAX = 32
TIMELINE_LIMIT = 200
MESSAGES_LIMIT = 50
ATTACHMENTS_LIMIT = 50
# The timeline a customer sees: what they did and the states the case went through.
PUBLIC_EVENT_KINDS = (
    EventKind.CREATED,
    EventKind.TRANSITION,
    EventKind.CUSTOMER_MESSAGE,
    EventKind.ATTACHMENT_ADDED,
    EventKind.CUSTOMER_OBJECTION,
    EventKind.CUSTOMER_WITHDREW,
    EventKind.RESULT_SENT,
)


def number_clean(raw: str) -> str:
    """A case number as people type it: spaces (and anything else that is not a letter or digit, such as a
    pasted NUL character) dropped, letters upper-cased (ts2026… → TS2026…)."""
    return "".join(ch for ch in (raw or "") if ch.isascii() and ch.isalnum()).upper()[:NUMBER_MAX]


def portal_complaint_find(*, number: str) -> Complaint | None:
    """The case with this number, whatever its unit (a customer tracks a case wherever it was filed).
    Only the verification services call this; what it finds is not shown until a code is verified."""
    number = number_clean(number)
    if not number:
        return None
    return Complaint.objects.select_related("customer").filter(number=number).first()


def portal_grant_find(*, number: str, token: str) -> AccessGrant | None:
    """The live grant that `token` (from the visitor's session) holds for case `number`, else None."""
    if not (number and token):
        return None
    return (
        AccessGrant.objects.select_related("complaint")
        .filter(
            key_hash=codes.token_hash(token),
            complaint__number=number_clean(number),
            revoked_at__isnull=True,
            expires_at__gt=now(),
        )
        .first()
    )


@dataclass(frozen=True)
class PublicEntry:
    at: dt.datetime  # local
    who: str  # "customer" (you did it), "us" (we did or sent it), "case" (the case itself changed)
    title: str
    text: str = ""


@dataclass(frozen=True)
class PublicCase:
    number: str
    kind: str  # states.ContactKind: the page's words follow it (portal.words)
    status: str
    status_label: str
    is_open: bool
    title: str
    description: str
    demand: str
    unit_name: str
    created_at: dt.datetime
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    deadline_provisional: bool
    contact: str  # masked
    access_until: dt.datetime
    result: str  # the result as we told it, "" before there is one
    can_object: bool
    can_withdraw: bool
    timeline: list[PublicEntry] = field(default_factory=list)
    # The result's parts in full, (label, text) — an SMS shortens them ("更换了老…"), a page need not.
    result_parts: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return to_local(value) if value else None


def _entry(
    event: ComplaintEvent, channel_labels: dict, kind: str = ContactKind.COMPLAINT
) -> PublicEntry | None:
    """One line of the customer's timeline, in the words of the contact's `kind` (咨询已登记, 已答复)."""
    at = to_local(event.at)
    kind_word = ContactKind(kind or ContactKind.COMPLAINT).label
    if event.kind == EventKind.CREATED:
        return PublicEntry(at=at, who="customer", title=_("%(kind)s已登记") % {"kind": kind_word})
    if event.kind == EventKind.TRANSITION:
        label = (
            customer_status_label(event.new_value, kind)
            if event.new_value in Status.values
            else event.new_value
        )
        return PublicEntry(at=at, who="case", title=_("状态变为“%(status)s”") % {"status": label})
    if event.kind == EventKind.CUSTOMER_MESSAGE:
        return PublicEntry(
            at=at,
            who="customer",
            text=event.new_value,
            title=_("您补充了信息（%(channel)s）")
            % {"channel": channel_labels.get(event.field, event.field)},
        )
    if event.kind == EventKind.ATTACHMENT_ADDED:
        return PublicEntry(at=at, who="case", title=_("附件已加入"), text=event.new_value)
    if event.kind == EventKind.CUSTOMER_OBJECTION:
        return PublicEntry(at=at, who="customer", title=_("您对处理结果提出了异议"), text=event.new_value)
    if event.kind == EventKind.CUSTOMER_WITHDREW:
        return PublicEntry(
            at=at, who="customer", title=_("您撤回了%(kind)s") % {"kind": kind_word}, text=event.new_value
        )
    if event.kind == EventKind.RESULT_SENT:
        return PublicEntry(at=at, who="us", title=_("已向您反馈处理结果"))
    return None


def _said_again(event: ComplaintEvent, following: ComplaintEvent | None) -> bool:
    """An objection made on the portal is the customer's message and then the ladder's objection event,
    with the same words: the customer sees it once."""
    return (
        event.kind == EventKind.CUSTOMER_MESSAGE
        and following is not None
        and following.kind == EventKind.CUSTOMER_OBJECTION
        and following.new_value == event.new_value
    )


RESULT_PARTS = ("cause", "measures", "outcome", "compensation", "verified", "basis", "routes")


def _result_parts(complaint: Complaint) -> list[tuple[str, str]]:
    """The result last told to the customer, part by part and in full (one that could not be told, the
    customer being unreachable, is not theirs to read)."""
    told = (
        ResultFeedback.objects.filter(complaint=complaint)
        .exclude(message="")
        .only(*RESULT_PARTS)
        .order_by("-sent_at", "-id")
        .first()
    )
    if told is None:
        return []
    fields = ResultFeedback._meta
    return [
        (str(fields.get_field(name).verbose_name), text)
        for name in RESULT_PARTS
        if (text := (getattr(told, name) or "").strip())
    ]


def portal_case_view(*, grant: AccessGrant) -> PublicCase:
    """What the customer sees of the granted case. Bounded: the latest 200 events, 50 messages, 50 files."""
    # Read afresh: the grant may have been loaded before the customer's own action changed the case.
    complaint = Complaint.objects.select_related("customer", "org_unit").get(pk=grant.complaint_id)
    labels = dict(Channel.choices)
    events = list(
        ComplaintEvent.objects.filter(complaint=complaint, kind__in=PUBLIC_EVENT_KINDS).order_by(
            "-at", "-id"
        )[:TIMELINE_LIMIT]
    )
    events.reverse()
    entries = [
        entry
        for index, event in enumerate(events)
        if not _said_again(event, events[index + 1] if index + 1 < len(events) else None)
        and (entry := _entry(event, labels, complaint.kind)) is not None
    ]
    sent = list(
        Notification.objects.filter(complaint=complaint, status=NotificationStatus.SENT).order_by(
            "-sent_at", "-id"
        )[:MESSAGES_LIMIT]
    )
    for message in sent:
        entries.append(
            PublicEntry(
                at=to_local(message.sent_at or message.created_at),
                who="us",
                text=message.body,
                title=_("我们通过%(channel)s给您发送了%(what)s")
                % {"channel": message.get_channel_display(), "what": message.get_template_code_display()},
            )
        )
    entries.sort(key=lambda entry: entry.at)
    result = next((message.body for message in sent if message.template_code == TemplateCode.RESULT), "")
    attachments = list(
        Attachment.objects.filter(complaint=complaint)
        .order_by("uploaded_at", "id")
        .values_list("original_name", flat=True)[:ATTACHMENTS_LIMIT]
    )
    phone, email = case_contact(complaint, "phone"), case_contact(complaint, "email")
    contact = mask_phone(phone) if phone else (mask_email(email) if email else "")
    return PublicCase(
        number=complaint.number,
        kind=complaint.kind,
        status=complaint.status,
        status_label=customer_status_label(complaint.status, complaint.kind),
        is_open=complaint.is_open,
        title=complaint.title,
        description=complaint.description,
        demand=complaint.demand,
        unit_name=name_for_people(complaint.org_unit),
        created_at=to_local(complaint.created_at),
        first_response_due_at=_local(complaint.first_response_due_at) if complaint.is_open else None,
        resolution_due_at=_local(complaint.resolution_due_at) if complaint.is_open else None,
        deadline_provisional=complaint.deadline_provisional,
        contact=contact,
        access_until=to_local(grant.expires_at),
        result=result,
        result_parts=_result_parts(complaint),
        # An objection climbs the complaint ladder: an answered inquiry is followed up by adding information.
        can_object=complaint.status in OBJECTION_STATUSES and runs_complaint_process(complaint.kind),
        can_withdraw=Status.WITHDRAWN in allowed_targets(complaint.status, complaint.kind),
        timeline=entries,
        attachments=attachments,
    )


def portal_acknowledgement_complaint(*, number: str) -> Complaint | None:
    """The case just filed from this session (the view checks the session named it), for its
    acknowledgement page: number, next steps, deadlines — nothing the customer did not just type."""
    return portal_complaint_find(number=number)


UNITS_LIMIT = 300


def portal_units() -> list[tuple[str, str]]:
    """(code, name) of the places a customer can say the complaint is about: branches and stores (their
    English names on English pages, where stored)."""
    kinds = (UnitKind.BRANCH, UnitKind.STORE, UnitKind.FRANCHISE)
    units = (
        OrgUnit.objects.filter(is_active=True, kind__in=kinds)
        .order_by("path")
        .only("code", "name", "name_en")
    )
    return [(unit.code, name_for_people(unit)) for unit in units[:UNITS_LIMIT]]
