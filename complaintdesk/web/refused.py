"""Post/Redirect/Get for refused forms.

A form the service refused (an illegal transition, a missing reason, bad input) is not rendered in
answer to the POST: pressing F5 on such a page would send the form again. Instead what the user typed
and why it was refused are kept in the session under a key naming the form, and the browser is sent
back (302) to the page that shows the form; that page's GET takes them out once and shows the form
with the input and the messages, as before. HTMX posts keep getting their partial in answer: HTMX
never puts such an answer in the browser's history, so there is nothing to re-post.

One helper for every page of the workbench: `refused_redirect` in the POST view, `kept_take` (and
`form_restore` for a Django form) in the GET view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

SESSION_KEY = "web.refused"
KEEP_MAX = 20  # forms kept at once per session; the oldest go first
VALUE_MAX = 20_000  # characters kept per value (every form field of the workbench is shorter)
GENERAL = "general"  # errors of the whole form


@dataclass
class Kept:
    """What the user typed into a refused form, and why it was refused ({field or GENERAL: [text]});
    `extra` holds plain values a page needs to show the form as it was (e.g. which row it was on)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def post_values(request: HttpRequest, names=None) -> dict[str, str]:
    """The POST's values (the last of each name), without the CSRF token; only `names` when given."""
    return {
        name: value[:VALUE_MAX]
        for name, value in request.POST.items()
        if name != "csrfmiddlewaretoken" and (names is None or name in names)
    }


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """A bound form's errors as plain text, the whole form's under GENERAL."""
    return {
        (GENERAL if name == forms.forms.NON_FIELD_ERRORS else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def kept_keep(request: HttpRequest, key: str, kept: Kept) -> None:
    store = dict(request.session.get(SESSION_KEY) or {})
    store.pop(key, None)
    store[key] = {
        "values": {k: str(v)[:VALUE_MAX] for k, v in kept.values.items()},
        "errors": {k: [str(m) for m in ms] for k, ms in kept.errors.items()},
        "extra": kept.extra,
    }
    while len(store) > KEEP_MAX:
        store.pop(next(iter(store)))
    request.session[SESSION_KEY] = store


def kept_take(request: HttpRequest, key: str) -> Kept | None:
    """The refused form kept under `key`, once (the next GET shows the page as usual)."""
    store = request.session.get(SESSION_KEY)
    if not store or key not in store:
        return None
    store = dict(store)
    raw = store.pop(key)
    request.session[SESSION_KEY] = store
    return Kept(values=raw.get("values") or {}, errors=raw.get("errors") or {}, extra=raw.get("extra") or {})


def refused_redirect(
    request: HttpRequest,
    to: str,
    *,
    key: str,
    values: dict | None = None,
    errors: dict[str, list] | None = None,
    extra: dict | None = None,
) -> HttpResponseRedirect:
    """Keep the refused form's input and messages under `key` and send the browser to `to` (a URL)."""
    kept_keep(
        request, key, Kept(values=dict(values or {}), errors=dict(errors or {}), extra=dict(extra or {}))
    )
    return redirect(to)


def form_restore(form: forms.Form, kept: Kept | None) -> forms.Form:
    """`form`, bound to the kept values by the caller, with the kept messages on it (the form's own
    checks run again and say the same; the service's are added once)."""
    if kept is None:
        return form
    form.is_valid()
    for name, messages in kept.errors.items():
        target = name if name in form.fields else None
        present = form.errors.get(target or forms.forms.NON_FIELD_ERRORS, [])
        for message in messages:
            if message not in present:
                form.add_error(target, message)
    return form


def case_key(number: str, form_name: str) -> str:
    return f"case:{number}:{form_name}"
