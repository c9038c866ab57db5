"""Post/Redirect/Get for refused forms.

A form the service refused (an illegal transition, a missing reason, bad input) is not rendered in
answer to the POST: pressing F5 on such a page would send the form again. Instead what the user typed
and why it was refused are kept in the session under a key naming the form, and the browser is sent
back (302) to the page that shows the form; that page's GET takes them out once and shows the form
with the input and the messages, as before. HTMX posts keep getting their partial in answer: HTMX
never puts such an answer in the browser's history, so there is nothing to re-post.

One helper for every page of the workbench: `answer` in the POST view, refused or done (`reasons` says
why a service refused; `case_panel_answer` is `answer` for the case page's panels), `kept_take` (and
`form_restore` for a Django form) in the GET view.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from complaintdesk.common.errors import DomainError

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
        (GENERAL if name == forms.forms.NON_FIELD_ERRORS else name): [str(m) for m in texts]
        for name, texts in form.errors.items()
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


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def reasons(
    error: DomainError, names: Collection[str] | None = None, *, rename: Callable[[str], str] | None = None
) -> dict[str, list[str]]:
    """Why the service refused, by the form's fields: a service field name goes through `rename` and is
    kept when it is one of `names` (every name when `names` is None); anything else is shown with the
    whole form (GENERAL), as is the error's message when it names no field."""
    flat: dict[str, list[str]] = {}
    for name, texts in (error.fields or {}).items():
        key = rename(name) if rename else name
        flat.setdefault(key if names is None or key in names else GENERAL, []).extend(texts)
    if not flat:
        flat[GENERAL] = [error.message]
    return flat


def answer(
    request: HttpRequest,
    *,
    to: str,
    kept: Kept | None = None,
    key: str = "",
    panel: Callable[[Kept | None], HttpResponse] | None = None,
    message: str = "",
    hx_trigger: str = "",
) -> HttpResponse:
    """The answer to a workbench form's POST: refused (`kept`: what was typed and why) or done (no `kept`).

    An HTMX post of a form that lives in a `panel` gets `panel(kept)` to swap in place: the panel with
    the input and the messages, or afresh once done (then with `hx_trigger` as its HX-Trigger event).
    Any other post is sent to `to` (Post/Redirect/Get): refused, with `kept` stored under `key` for that
    page's GET (`kept_take`); done, with `message` as a success message when there is one."""
    if panel is not None and is_htmx(request):
        response = panel(kept)
        if kept is None and hx_trigger:
            response["HX-Trigger"] = hx_trigger
        return response
    if kept is not None:
        kept_keep(request, key, kept)
    elif message:
        messages.success(request, message)
    return redirect(to)


def case_panel_answer(
    request: HttpRequest,
    complaint,
    kept: Kept | None = None,
    *,
    name: str,
    anchor: str,
    render: Callable[[HttpRequest, object, Kept | None], HttpResponse],
) -> HttpResponse:
    """`answer` for a panel of the case page whose forms all answer alike (work orders, solutions):
    HTMX gets the panel in place, `render(request, complaint, kept)`, and once done a "case-updated"
    event (the case page may reload its timeline and header); a plain form goes back to the panel
    (`anchor`) on the case page, what a refused one kept under the panel's `name` (`case_key`)."""
    number = complaint.number
    return answer(
        request,
        to=reverse("web:complaint", args=[number]) + f"#{anchor}",
        kept=kept,
        key=case_key(number, name),
        panel=lambda kept: render(request, complaint, kept),
        hx_trigger="case-updated",
    )


def form_restore(form: forms.Form, kept: Kept | None) -> forms.Form:
    """`form`, bound to the kept values by the caller, with the kept messages on it (the form's own
    checks run again and say the same; the service's are added once)."""
    if kept is None:
        return form
    form.is_valid()
    for name, texts in kept.errors.items():
        target = name if name in form.fields else None
        present = form.errors.get(target or forms.forms.NON_FIELD_ERRORS, [])
        for text in texts:
            if text not in present:
                form.add_error(target, text)
    return form


def case_key(number: str, form_name: str) -> str:
    return f"case:{number}:{form_name}"
