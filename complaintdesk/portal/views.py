"""The customer's pages: file a complaint, track it with a one-time code, act on it. Views parse the
request, call one service or selector, and render; rules live in services.py (and the intake)."""

from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintdesk.channels.base import IncomingFile
from complaintdesk.channels.web import WebFormAdapter
from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.masking import mask_email, mask_phone
from complaintdesk.common.ratelimit import client_ip, ratelimit_hit
from complaintdesk.complaints.states import ContactKind
from complaintdesk.outreach import care as outreach_care
from complaintdesk.outreach.models import Purpose

from . import selectors, services
from .forms import AcceptForm, ComplaintForm, MessageForm, ObjectionForm, TrackForm, VerifyForm, WithdrawForm
from .words import kind_words

SESSION_GRANTS = "portal_grants"  # {case number: access token}
SESSION_FILED = "portal_filed"  # case numbers filed from this session (their acknowledgement pages)
SESSION_ASKED = "portal_code_asked"  # the case number a code was last asked for
KEEP = 5


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _limited(request: HttpRequest, scope: str, key: str | None = None) -> HttpResponse | None:
    """Counts this request against `scope` (per client address unless `key`); over the limit, a 429 page."""
    retry_after = ratelimit_hit(scope=scope, key=key if key is not None else client_ip(request))
    if not retry_after:
        return None
    response = render(request, "portal/limited.html", {"seconds": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _errors_into(form, error: DomainError, files: Sequence[IncomingFile] = ()) -> None:
    """Each message next to its field (intake names customer fields `customer.x`, files `files.N`);
    what belongs to no field of the form goes on top."""
    fields = error.fields or {}
    for key, messages in fields.items():
        name = key.removeprefix("customer.")
        if name.startswith("files."):
            index = name.partition(".")[2]
            upload = files[int(index)].name if index.isdigit() and int(index) < len(files) else ""
            messages = [f"{upload}：{m}" if upload else m for m in messages]
            name = "files"
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if not fields:
        form.add_error(None, error.message)


def _uploads(request: HttpRequest, name: str = "files") -> list[IncomingFile]:
    return [
        IncomingFile(name=f.name or "", content=f.read(), declared_type=f.content_type or "")
        for f in request.FILES.getlist(name)
    ]


def _remember(request: HttpRequest, key: str, number: str, value=True) -> None:
    kept = dict(request.session.get(key) or {})
    kept.pop(number, None)
    kept[number] = value
    request.session[key] = dict(list(kept.items())[-KEEP:])


# --- filing -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def file_complaint(request: HttpRequest) -> HttpResponse:
    units = selectors.portal_units()
    if request.method == "GET":
        # ?kind=inquiry (a link "我要咨询") chooses the kind; the page says it.
        kind = request.GET.get("kind", "")
        kind = kind if kind in ContactKind.values else ContactKind.COMPLAINT
        form = ComplaintForm(units=units, initial={"kind": kind})
        return render(request, "portal/file.html", {"form": form, "words": kind_words(kind)})
    if limited := _limited(request, "portal-file"):
        return limited
    form = ComplaintForm(request.POST, units=units)
    raw = request.POST.copy()
    raw["language"] = _language()
    message = None
    try:
        message = WebFormAdapter().parse(raw, request.FILES.getlist("files"))
        result = services.portal_complaint_file(message=message)
    except DomainError as error:
        _errors_into(form, error, message.files if message else ())
        kind = request.POST.get("kind", "")
        return render(request, "portal/file.html", {"form": form, "words": kind_words(kind)}, status=422)
    _remember(request, SESSION_FILED, result.complaint.number)
    return redirect("portal:filed", number=result.complaint.number)


@require_GET
def filed(request: HttpRequest, number: str) -> HttpResponse:
    """The acknowledgement: number, next steps, deadlines. Only for the session that filed the case."""
    complaint = None
    if number in (request.session.get(SESSION_FILED) or {}):
        complaint = selectors.portal_acknowledgement_complaint(number=number)
    if complaint is None:
        return redirect(reverse("portal:track") + "?" + urlencode({"number": number}))
    reply = WebFormAdapter().send_reply(complaint=complaint)
    return render(
        request,
        "portal/filed.html",
        {"reply": reply, "ack": reply.detail, "words": kind_words(complaint.kind)},
    )


# --- tracking -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = TrackForm(initial={"number": selectors.number_clean(request.GET.get("number", ""))})
        # The link in a message carries the language it was written in (lang=en): the page, and the pages
        # after it (the language cookie), speak it whatever the phone's own language.
        language = request.GET.get("lang", "")
        if language not in dict(settings.LANGUAGES):
            return render(request, "portal/track.html", {"form": form})
        with translation.override(language):
            response = render(request, "portal/track.html", {"form": form})
        response.set_cookie(  # as Django's set_language sets it
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    form = TrackForm(request.POST)
    number = selectors.number_clean(request.POST.get("number", ""))
    if limited := _limited(request, "portal-code-request") or _limited(
        request, "portal-code-case", key=number
    ):
        return limited
    try:
        services.portal_code_request(
            number=number, contact=request.POST.get("contact", ""), language=_language()
        )
    except DomainError as error:
        _errors_into(form, error)
        return render(request, "portal/track.html", {"form": form}, status=422)
    # The same answer whether or not a code went out.
    request.session[SESSION_ASKED] = number
    return redirect(reverse("portal:verify") + "?" + urlencode({"number": number}))


@require_GET
def track_short(request: HttpRequest, number: str, language: str = "") -> HttpResponse:
    """The short link an SMS carries (/t/<number>, /t/<number>/en): the tracking page with the number filled
    in and, from an English message, in English (the page's own lang=, so the long address keeps working)."""
    query = {"number": selectors.number_clean(number)}
    if language in dict(settings.LANGUAGES):
        query["lang"] = language
    return redirect(reverse("portal:track") + "?" + urlencode(query))


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    asked = request.session.get(SESSION_ASKED, "")
    if request.method == "GET":
        number = selectors.number_clean(request.GET.get("number", "")) or asked
        form = VerifyForm(initial={"number": number})
        return render(
            request, "portal/verify.html", {"form": form, "asked": bool(number) and number == asked}
        )
    if limited := _limited(request, "portal-code-verify"):
        return limited
    form = VerifyForm(request.POST)
    number = selectors.number_clean(request.POST.get("number", ""))
    try:
        verified = services.portal_code_verify(number=number, code=request.POST.get("code", ""))
    except DomainError as error:
        _errors_into(form, error)
        return render(request, "portal/verify.html", {"form": form, "asked": number == asked}, status=422)
    request.session.cycle_key()  # a new session id for the session that now holds access
    _remember(request, SESSION_GRANTS, verified.grant.complaint.number, verified.token)
    request.session.pop(SESSION_ASKED, None)
    return redirect("portal:case", number=verified.grant.complaint.number)


# --- the case ------------------------------------------------------------------------------------------------


def _grant(request: HttpRequest, number: str):
    token = (request.session.get(SESSION_GRANTS) or {}).get(number, "")
    return selectors.portal_grant_find(number=number, token=token)


def _to_track(number: str) -> HttpResponse:
    return redirect(reverse("portal:track") + "?" + urlencode({"number": number}))


def _case_page(request: HttpRequest, grant, *, status: int = 200, done: str = "", **forms) -> HttpResponse:
    case = selectors.portal_case_view(grant=grant)
    context = {
        "case": case,
        "words": kind_words(case.kind),
        "message_form": forms.get("message_form") or MessageForm(),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "can_accept": services.portal_acceptable(grant=grant),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "done": done,
    }
    return render(request, "portal/case.html", context, status=status)


DONE = {
    "message": lambda: _("已收到您补充的信息。"),
    "objection": lambda: _("已收到您的异议，投诉已升级处理。"),
    "accept": lambda: _("感谢您确认处理结果。我们会在几天后回访，确认一切正常。"),
    "withdraw": lambda: _("已撤回，我们不再处理这一单。"),
}


@require_GET
def case(request: HttpRequest, number: str) -> HttpResponse:
    grant = _grant(request, number)
    if grant is None:
        return _to_track(number)
    done = request.GET.get("done", "")
    return _case_page(request, grant, done=DONE[done]() if done in DONE else "")


def _case_action(request: HttpRequest, number: str, *, form_class, form_name: str, act) -> HttpResponse:
    grant = _grant(request, number)
    if grant is None:
        return _to_track(number)
    if limited := _limited(request, "portal-action"):
        return limited
    form = form_class(request.POST, request.FILES)
    files = _uploads(request) if "files" in form.fields else []
    try:
        act(grant, files)
    except services.AccessExpired:
        return _to_track(number)
    except DomainError as error:
        _errors_into(form, error, files)
        return _case_page(request, grant, status=422, **{form_name: form})
    return redirect(
        reverse("portal:case", kwargs={"number": number}) + "?" + urlencode({"done": form_name[:-5]})
    )


@require_POST
def case_message(request: HttpRequest, number: str) -> HttpResponse:
    return _case_action(
        request,
        number,
        form_class=MessageForm,
        form_name="message_form",
        act=lambda grant, files: services.portal_message_add(
            grant=grant, text=request.POST.get("text", ""), files=files
        ),
    )


@require_POST
def case_objection(request: HttpRequest, number: str) -> HttpResponse:
    return _case_action(
        request,
        number,
        form_class=ObjectionForm,
        form_name="objection_form",
        act=lambda grant, files: services.portal_objection(
            grant=grant, reason=request.POST.get("reason", "")
        ),
    )


@require_POST
def case_accept(request: HttpRequest, number: str) -> HttpResponse:
    return _case_action(
        request,
        number,
        form_class=AcceptForm,
        form_name="accept_form",
        act=lambda grant, files: services.portal_accept(grant=grant, note=request.POST.get("note", "")),
    )


def _withdraw(request: HttpRequest):
    def act(grant, files):
        if request.POST.get("confirm") not in ("on", "true", "1"):
            raise InvalidInput({"confirm": [_("请勾选确认后再撤回")]})
        services.portal_withdraw(grant=grant, reason=request.POST.get("reason", ""))

    return act


@require_POST
def case_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    return _case_action(
        request, number, form_class=WithdrawForm, form_name="withdraw_form", act=_withdraw(request)
    )


@require_POST
def case_leave(request: HttpRequest, number: str) -> HttpResponse:
    grant = _grant(request, number)
    if grant is not None:
        services.portal_grant_revoke(grant=grant)
    grants = dict(request.session.get(SESSION_GRANTS) or {})
    grants.pop(number, None)
    request.session[SESSION_GRANTS] = grants
    return redirect("portal:track")


# --- stopping proactive notices or care messages (the link at the end of such a message) --------------------


@require_http_methods(["GET", "POST"])
def outreach_stop(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a proactive notice or a care message, opened without signing in (the token is signed). GET
    says what the customer is about to stop and asks them to confirm (a phone's link preview must not stop
    anything); POST stops it and says, in words, what has stopped."""
    limited = _limited(request, "portal-action")
    if limited:
        return limited
    found = outreach_care.customer_stop_preview(token=token)
    if found is None:
        return render(request, "portal/outreach_stop.html", {"unknown": True}, status=404)
    if request.method == "POST":
        found = outreach_care.customer_stop(token=token)
    customer, purpose = found
    context = {
        "purpose": purpose,
        "notice": purpose == Purpose.NOTICE,
        "done": request.method == "POST",
        "contact": mask_phone(customer.phone) if customer.phone else mask_email(customer.email),
    }
    return render(request, "portal/outreach_stop.html", context)
