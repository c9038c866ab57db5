"""Timeline events in words, for people: the one function (`events_for_people`) the case page, the API,
e-mails and exports use to say what an event changed. People see labels in their language, never the
stored field names, enum values or template codes (`first_response_due_at`, `new`, `acknowledgement`).

The event row keeps codes (`field`, `old_value`, `new_value`) for machines. Here a field of the complaint
is named by its model field's verbose_name and its values by the field's choices; an ISO time becomes
local "2026-11-23 18:00"; an id in `field` (a proposal, a work order) is not shown. Fields and values
that other apps write (escalation levels, SLA clocks, work order states …) are named by those apps
through `timeline_field_register` / `timeline_values_register` in their AppConfig.ready(). A message sent
to the customer shows its text (`notifications`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from complaintdesk.common.catalogue_text import in_reader_language
from complaintdesk.common.configcache import config_snapshot
from complaintdesk.common.names import english_wanted, name_for_people
from complaintdesk.common.time import to_local
from complaintdesk.common.validation import choice_values
from complaintdesk.orgs.models import OrgUnit

from .models import Category, Channel, Complaint, ComplaintEvent, Customer, EventKind
from .states import ContactKind, Status, status_label

ValueText = Callable[[str], str]

_FIELDS: dict[str, object] = {}  # field → label (lazy string)
_FIELD_VALUES: dict[str, ValueText] = {}  # field → value in words
_KIND_VALUES: dict[str, ValueText] = {}  # event kind → value in words (fields that are ids)


def timeline_field_register(*, field: str, label, values: ValueText | dict | None = None) -> None:
    """Name a `field` that an app writes on the timeline (and, optionally, its values: a function or
    a choices dict). Called from an AppConfig.ready()."""
    _FIELDS[field] = label
    if values is not None:
        _FIELD_VALUES[field] = _as_function(values)


def timeline_values_register(*, kind: str, values: ValueText | dict) -> None:
    """The words for the old/new values of events of `kind` (e.g. a work order's states), whatever the
    field (often an id). Called from an AppConfig.ready()."""
    _KIND_VALUES[kind] = _as_function(values)


def _as_function(values: ValueText | dict) -> ValueText:
    if callable(values):
        return values
    table = {str(k): v for k, v in dict(values).items()}
    return lambda value: str(table.get(value, value))


# Fields that complaints' own services write and that are not model fields of the complaint.
_OWN_FIELDS = {
    "status": lambda: _("状态"),
    "result": lambda: _("处理结果"),
    "due": lambda: _("时限"),
    "linked_from": lambda: _("来自投诉"),
    "linked_complaint": lambda: pgettext("timeline event", "关联投诉"),
    "summary": lambda: _("归档总结版本"),
    "knowledge_article": lambda: _("知识库文章"),
}

# Kinds whose name says what changed: "转办 客服中心 → 上海分公司", no field named.
KIND_SAYS_WHAT = frozenset({EventKind.TRANSFERRED})

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
# Kinds whose new_value is free text written by a person (shown as a paragraph, not "old → new").
TEXT_KINDS = frozenset({
    EventKind.NOTE, EventKind.CUSTOMER_MESSAGE, EventKind.CUSTOMER_WITHDREW, EventKind.CUSTOMER_OBJECTION,
    EventKind.RESULT_SENT, EventKind.SURVEY,
})  # fmt: skip
# Kinds whose `field` is the channel a message came or went by.
CHANNEL_KINDS = frozenset({
    EventKind.CUSTOMER_MESSAGE, EventKind.CUSTOMER_WITHDREW, EventKind.NOTIFIED, EventKind.NOTIFY_FAILED,
    EventKind.RESULT_SENT,
})  # fmt: skip


@dataclass(frozen=True)
class EventLine:
    """One timeline event as people read it."""

    event: ComplaintEvent
    kind: str  # what happened: "状态变更"
    what: str  # which field or clock: "首次响应时限" ("" when the kind says it all)
    old: str  # old value in words ("" when there was none)
    new: str  # new value in words
    text: str  # free text: a note, what the customer said, the message sent to the customer
    reason: str  # why, with ISO times in local time
    channel: str  # the channel in words, for messages ("短信")


def time_text(value: dt.datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def _iso_text(value: str) -> str | None:
    if not _ISO.match(value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return time_text(parsed) if parsed.tzinfo else parsed.strftime("%Y-%m-%d %H:%M")


_ISO_IN_TEXT = re.compile(
    r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?\b"
)


def times_in_text(text: str) -> str:
    """Every ISO date-time inside `text` as local "2026-11-23 18:00"."""
    return _ISO_IN_TEXT.sub(lambda m: _iso_text(m.group(0)) or m.group(0), text or "")


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(field: str, *, kind: str = "") -> str:
    """The words for a timeline `field`; "" when it is an id or unknown (never the code itself)."""
    if not field or field.isdigit() or kind in KIND_SAYS_WHAT:
        return ""
    if kind in CHANNEL_KINDS or (kind in (EventKind.NOTE,) and field in choice_values(Channel)):
        return ""
    if field in _FIELDS:
        label = _FIELDS[field]
        return str(label() if callable(label) else label)
    if field in _OWN_FIELDS:
        return str(_OWN_FIELDS[field]())
    model = Customer if kind in (EventKind.CUSTOMER_UPDATED, EventKind.PERSONAL_DATA_REVEALED) else Complaint
    model_field = _model_field(model, field) or _model_field(Complaint, field)
    if model_field is not None and getattr(model_field, "verbose_name", None):
        return str(model_field.verbose_name)
    return ""


def _category_text(stored: str) -> str:
    """A category as the timeline stored it (its Chinese name at the time), by its English name where the
    category has one."""
    category = Category.objects.filter(name=stored).only("name", "name_en").first()
    return name_for_people(category) if category is not None else stored


def _unit_text(stored: str) -> str:
    """A unit as the timeline stored it (its Chinese name at the time), by its English name where it has one."""
    unit = OrgUnit.objects.filter(name=stored).only("name", "name_en").order_by("id").first()
    return name_for_people(unit) if unit is not None else stored


def value_text(value: str, *, field: str = "", kind: str = "") -> str:
    """A stored value in words: a choice's label, a local time, 是/否; other text as it is."""
    if value in (None, ""):
        return ""
    value = str(value)
    if kind == EventKind.TRANSFERRED and english_wanted():
        return _unit_text(value)
    if field in _FIELD_VALUES:
        return _FIELD_VALUES[field](value)
    if field == "category" and english_wanted():
        return _category_text(value)
    if (
        field == "status"
        or kind in (EventKind.TRANSITION, EventKind.CREATED)
        and value in choice_values(Status)
    ):
        return str(Status(value).label) if value in choice_values(Status) else value
    if kind in _KIND_VALUES and (not field or field.isdigit() or field not in _FIELDS):
        return _KIND_VALUES[kind](value)
    iso = _iso_text(value)
    if iso is not None:
        return iso
    model_field = _model_field(Complaint, field) if field else None
    if model_field is not None:
        if model_field.choices:
            labels = {str(k): v for k, v in model_field.flatchoices}
            if value in labels:
                return str(labels[value])
        if model_field.get_internal_type() == "BooleanField":
            return _("是") if value == "True" else _("否") if value == "False" else value
    return value


@dataclass(frozen=True)
class MessageTexts:
    """What the app that sends messages to the customer (notifications) says about its timeline events
    (kinds NOTIFIED / NOTIFY_FAILED): `texts(events)` → {event id: the text sent}, `label(code)` → which
    message it was in words ("" when unknown)."""

    texts: Callable[[list[ComplaintEvent]], dict[int, str]]
    label: Callable[[str], str]


_MESSAGE_TEXTS: list[MessageTexts] = []


def timeline_messages_register(texts: MessageTexts) -> None:
    """Called from the notifications app's AppConfig.ready(); one provider."""
    _MESSAGE_TEXTS[:] = [texts]


def _message_texts(events: list[ComplaintEvent]) -> dict[int, str]:
    notified = [e for e in events if e.kind in (EventKind.NOTIFIED, EventKind.NOTIFY_FAILED)]
    if not notified or not _MESSAGE_TEXTS:
        return {}
    return _MESSAGE_TEXTS[0].texts(notified)


def _template_label(code: str) -> str:
    return (_MESSAGE_TEXTS[0].label(code) if _MESSAGE_TEXTS else "") or _("消息")


def events_for_people(events: Iterable[ComplaintEvent]) -> list[EventLine]:
    """`events` (one case's or several) in words, in the order given."""
    events = list(events)
    sent = _message_texts(events)
    with config_snapshot():  # the names in reasons (common.catalogue_text): configuration read once
        return [_line(event, sent.get(event.pk, "")) for event in events]


def event_for_people(event: ComplaintEvent) -> EventLine:
    return events_for_people([event])[0]


def _contact_kind(event: ComplaintEvent) -> str:
    """The case's contact type when the event came with its case loaded (a case's own timeline), for the
    status in that kind's words; else a complaint's words (no query for it)."""
    if ComplaintEvent.complaint.is_cached(event):
        return event.complaint.kind
    return ContactKind.COMPLAINT


def _status_words(line: EventLine, event: ComplaintEvent) -> EventLine:
    kind = _contact_kind(event)
    if kind == ContactKind.COMPLAINT or not (event.field == "status" or event.kind == EventKind.CREATED):
        return line
    old = status_label(event.old_value, kind) if event.old_value in choice_values(Status) else line.old
    new = status_label(event.new_value, kind) if event.new_value in choice_values(Status) else line.new
    if event.kind == EventKind.CREATED:  # "登记投诉" is a complaint's: an inquiry is 登记咨询
        return dataclasses.replace(
            line, kind=_("登记%(kind)s") % {"kind": ContactKind(kind).label}, old=old, new=new
        )
    return dataclasses.replace(line, old=old, new=new)


def _line(event: ComplaintEvent, sent_text: str) -> EventLine:
    return _status_words(_line_words(event, sent_text), event)


def _line_words(event: ComplaintEvent, sent_text: str) -> EventLine:
    kind, field = event.kind, event.field or ""
    kind_label = str(EventKind(kind).label) if kind in choice_values(EventKind) else _("其他")
    channel = str(Channel(field).label) if kind in CHANNEL_KINDS and field in choice_values(Channel) else ""
    reason = times_in_text(in_reader_language(event.reason))  # stored in its writer's language
    if kind in (EventKind.NOTIFIED, EventKind.NOTIFY_FAILED):
        return EventLine(
            event, kind_label, "", "", _template_label(event.new_value), sent_text, reason, channel
        )
    if kind in TEXT_KINDS or kind == EventKind.CREATED:
        new = value_text(event.new_value, field=field, kind=kind) if kind == EventKind.CREATED else ""
        text = "" if kind == EventKind.CREATED else times_in_text(event.new_value)
        what = field_label(field, kind=kind) if kind not in (EventKind.SURVEY,) else ""
        reason = "" if reason == text else reason  # an objection's reason is the customer's words, shown once
        return EventLine(event, kind_label, what, "", new, text, reason, channel)
    return EventLine(
        event=event, kind=kind_label, what=field_label(field, kind=kind),
        old=value_text(event.old_value, field=field, kind=kind), new=value_text(event.new_value, field=field, kind=kind),
        text="", reason=reason, channel=channel,
    )  # fmt: skip
