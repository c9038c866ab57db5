"""Texts said in the recipient's language. A caller passes what to say — a gettext_lazy msgid, or
`Words(msgid, values)` for one with values, or a list of those for several lines — and the service
renders it once per language among the recipients, under `translation.override`. Values may be texts,
numbers, lazy labels (an enum's label), other `Words`, or aware datetimes (shown in local time as
people write them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import get_language

from complaintdesk.common.time import to_local


@dataclass(frozen=True)
class Words:
    text: str | Promise
    values: Mapping[str, object] = field(default_factory=dict)

    def render(self) -> str:
        text = str(self.text)
        return text % {name: _value(value) for name, value in self.values.items()} if self.values else text


Text = str | Promise | Words | Sequence["Text"]


def when(value: dt.datetime) -> str:
    """A moment in local time, as people write it in the active language: 12月8日 17:00 / 8 Dec 17:00.
    Midnight is the end of the day before (12月8日 24:00), as a deadline is said."""
    local = to_local(value)
    clock = f"{local:%H:%M}"
    if clock == "00:00":
        local, clock = local - dt.timedelta(days=1), "24:00"
    if (get_language() or "").startswith("zh"):
        return f"{local.month}月{local.day}日 {clock}"
    return f"{local.day} {local:%b} {clock}"


def _value(value: object) -> object:
    if isinstance(value, Words):
        return value.render()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime):
        return when(value)
    return value


def render(text: Text | None) -> str:
    """The text in the active language; a list becomes lines (None items are left out)."""
    if text is None:
        return ""
    if isinstance(text, Words):
        return text.render()
    if isinstance(text, str | Promise):
        return str(text)
    return "\n".join(render(item) for item in text if item is not None)
