"""Staff pages (the agent workbench). Views parse input, call one selector or service, and render;
the rules live in the services and selectors of the domain apps."""

from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.accounts.access import units_visible_to
from complaintdesk.api.presenters import customer_view
from complaintdesk.channels.intake import intake_receive
from complaintdesk.channels.phone.adapter import PhoneAdapter
from complaintdesk.common.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import now
from complaintdesk.complaints import services as complaint_services
from complaintdesk.complaints.access import access_complaint, complaint_visible_to
from complaintdesk.complaints.contacts import complaint_kind_change, praise_credit, suggestion_route
from complaintdesk.complaints.models import EventKind, Priority, Severity
from complaintdesk.complaints.selectors import (
    ComplaintFilters,
    attachment_for_download,
    complaint_attachments,
    complaint_timeline,
    complaint_transitions_for_user,
    transfer_units,
)
from complaintdesk.complaints.states import ContactKind, Status, status_label, transitions_for
from complaintdesk.complaints.transfers import (
    TRANSFER_MANY_MAX,
    complaint_transfer,
    complaint_transfer_many,
    transfer_refusal,
)
from complaintdesk.dispatch.selectors import work_order_for_case_number
from complaintdesk.notifications.replies import ReplyNeedsOverride, customer_reply_send
from complaintdesk.privacy.models import AccessField, AccessKind
from complaintdesk.privacy.reveals import customer_contact_reveal
from complaintdesk.privacy.selectors import anonymised_customer_hidden
from complaintdesk.privacy.services import access_log_record
from complaintdesk.scripts.checking import apply_suggestions
from complaintdesk.scripts.models import ScriptStage
from complaintdesk.scripts.rendering import customer_title
from complaintdesk.scripts.rendering import render as render_script
from complaintdesk.scripts.selectors import scripts_for
from complaintdesk.scripts.services import ReplyBlocked, script_render, script_values
from complaintdesk.scripts.services import reply_check as reply_check_text
from complaintdesk.surveys.follow_ups import follow_up_recordable
from complaintdesk.surveys.selectors import open_follow_up_for_case

from . import refused, selectors
from .forms import (
    AnalysisForm,
    BulkAssignForm,
    ContactKindForm,
    CreditForm,
    CustomerMessageForm,
    LoginForm,
    NoteForm,
    PhoneIntakeForm,
    QueueFilterForm,
    ReplyForm,
    RouteForm,
    TransferForm,
    TransitionForm,
    domain_errors_apply,
)
from .process import step_of, steps_for


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def _load(request: HttpRequest, number: str):
    try:
        complaint = access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None
    anonymised_customer_hidden(complaint)  # an anonymised case shows and quotes no customer details
    return complaint


# --- queues ----------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest, code: str = "mine") -> HttpResponse:
    # `/` only: a department's staff who open their own queue (/queues/mine/: the cases they accepted) get it.
    landing = selectors.landing_url(user=request.user)
    if landing and request.resolver_match.url_name == "home":
        return redirect(landing)
    current = selectors.QUEUES.get(code)
    if current is None:
        raise Http404
    categories = selectors.active_categories()
    units = list(units_visible_to(request.user).order_by("path")[:200])
    form = QueueFilterForm(request.GET or None, categories=categories, units=units)
    page, error = None, None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        search = ComplaintFilters(
            q=data.get("q", ""),
            status=tuple(data.get("status") or ()),
            channel=(data["channel"],) if data.get("channel") else (),
            kind=(data["kind"],) if data.get("kind") else (),
            category=data.get("category", ""),
            unit=data.get("unit", ""),
        )
        try:
            page = selectors.queue_page(
                user=request.user, queue=current, search=search, cursor=data.get("cursor")
            )
        except InvalidInput as problem:
            domain_errors_apply(form, problem)
            error = problem
    can_assign = request.user.has_perm("complaints.assign_complaint")
    assign_form = None
    if can_assign and page is not None and page.items:  # nothing to tick on an empty page
        assign_form = BulkAssignForm(
            numbers=[c.number for c in page.items],
            assignees=selectors.assignable_users(user=request.user, complaints=page.items),
        )
    can_transfer = request.user.has_perm("complaints.transfer_complaint")
    transferable = page is not None and any(transfer_refusal(c) is None for c in page.items)
    bulk_transfer_units = transfer_units() if can_transfer and transferable else []  # none on 待回访
    next_query = None
    if page is not None and page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_query = query.urlencode()
    context = {
        "queues": selectors.queues_for(user=request.user),
        "queue": current,
        "form": form,
        "page": page,
        "error": error,
        "assign_form": assign_form,
        "bulk_transfer_units": bulk_transfer_units,
        "bulk": bool(assign_form or bulk_transfer_units),  # rows with a checkbox
        "next_query": next_query,
        "now": now(),
    }
    template = (
        "web/_queue_rows.html" if refused.is_htmx(request) and request.GET.get("cursor") else "web/queue.html"
    )
    return render(request, template, context, status=422 if error or (request.GET and form.errors) else 200)


def _queue_back(request: HttpRequest) -> str:
    """Where a queue's bulk action returns: the queue it was posted from (`next`), if it is ours."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("web:home")
    return back


@login_required
@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    back = _queue_back(request)
    numbers = request.POST.getlist("numbers")[:100]
    assignees = selectors.assignable_users(
        user=request.user, complaints=selectors.complaints_for_assign(user=request.user, numbers=numbers)
    )
    form = BulkAssignForm(request.POST, numbers=numbers, assignees=assignees)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    assignee = next((u for u in assignees if u.username == form.cleaned_data["assignee"]), None)
    done, failed = 0, []
    for number in form.cleaned_data["numbers"]:
        try:
            complaint_services.complaint_assign(
                number=number, actor=request.user, assignee=assignee, reason=form.cleaned_data["reason"]
            )
            done += 1
        except DomainError as problem:
            failed.append(f"{number}: {'；'.join(problem.reasons)}")
    if done:
        messages.success(request, _("已分派 %(n)d 张投诉单") % {"n": done})
    for line in failed:
        messages.error(request, line)
    return redirect(back)


@login_required
@require_POST
def queue_transfer(request: HttpRequest) -> HttpResponse:
    """转办 of the cases ticked in a queue to one unit with one reason (complaint_transfer_many): the cases
    moved are counted, each refused one is named with the reasons; back to the queue."""
    back = _queue_back(request)
    try:
        result = complaint_transfer_many(
            numbers=request.POST.getlist("numbers")[: TRANSFER_MANY_MAX + 1],
            actor=request.user,
            unit_code=request.POST.get("transfer_unit", ""),
            reason=request.POST.get("transfer_reason", ""),
        )
    except DomainError as problem:
        for message in problem.reasons:
            messages.error(request, message)
        return redirect(back)
    if result.done:
        messages.success(
            request,
            _("已将 %(n)d 件转办至%(unit)s") % {"n": len(result.done), "unit": name_for_people(result.unit)},
        )
    for refusal in result.refused:
        messages.error(
            request,
            _("%(number)s 未转办：%(reasons)s")
            % {"number": refusal.number, "reasons": "；".join(refusal.reasons)},
        )
    return redirect(back)


# --- the case page ---------------------------------------------------------------------------------


def _case_context(request: HttpRequest, complaint, **forms) -> dict:
    user = request.user
    # Anonymised: the customer's record may still hold details for a live case; this page shows none of
    # them, and no list of the customer's other cases (it would say who they were).
    anonymised = anonymised_customer_hidden(complaint)
    categories = selectors.active_categories()
    events = complaint_timeline(complaint=complaint)
    # "Resolved" is reached in the feedback panel (the result told and accepted, or the customer recorded
    # as unreachable: surveys.resolution), never by a bare status change.
    allowed = [
        t for t in complaint_transitions_for_user(complaint=complaint, user=user) if t != Status.RESOLVED
    ]
    rules = transitions_for(complaint.kind).get(Status(complaint.status), {})
    analysed = complaint.category_id is not None and complaint.responsibility != "undetermined"
    can_handle = user.has_perm("complaints.handle_complaint")
    actions = selectors.case_actions(complaint=complaint, user=user, transitions=allowed)
    return {
        "actions": actions,
        "c": complaint,
        "customer": customer_view(complaint=complaint, user=user),
        "can_reveal": can_handle and not user.has_perm("complaints.view_personal_data"),
        "can_handle": can_handle,
        "earlier": None
        if anonymised
        else selectors.customer_earlier_complaints(user=user, complaint=complaint),
        "events": events,
        "event_kinds": dict(EventKind.choices),
        "status_labels": dict(Status.choices),
        "attachments": complaint_attachments(complaint=complaint),
        "steps": steps_for(status=complaint.status, analysed=analysed, kind=complaint.kind),
        "step": step_of(status=complaint.status, analysed=analysed, kind=complaint.kind),
        "transitions": [
            {"to": t, "label": status_label(t, complaint.kind), "reason_required": rules[t].reason_required}
            for t in allowed
        ],
        "status_words": status_label(complaint.status, complaint.kind),
        # Resolved, in follow-up (or archived before it): the clock that runs is the follow-up call's, and the
        # head says by when and who makes it rather than a blank deadline.
        "follow_up": open_follow_up_for_case(complaint=complaint)
        if follow_up_recordable(complaint=complaint)
        else None,
        "is_complaint": complaint.kind == ContactKind.COMPLAINT,
        # An inquiry is looked into like a complaint (analysis, a department, an incident); a suggestion and
        # praise are not: their page shows only their own process.
        "process_panels": complaint.kind in (ContactKind.COMPLAINT, ContactKind.INQUIRY),
        "kind_form": forms.get("kind_form") or ContactKindForm(current=complaint.kind),
        "route_form": forms.get("route_form") or RouteForm(),
        "credit_form": forms.get("credit_form") or CreditForm(),
        "transfer_form": forms.get("transfer_form") or TransferForm(),
        # 转办: whoever may hand the case on, while it is open and on the front line (not escalated).
        "transfer_units": transfer_units(complaint=complaint)
        if user.has_perm("complaints.transfer_complaint") and transfer_refusal(complaint) is None
        else [],
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "analysis_form": forms.get("analysis_form")
        or AnalysisForm(
            initial=AnalysisForm.initial_from(complaint), categories=categories, kind=complaint.kind
        ),
        "note_form": forms.get("note_form") or NoteForm(),
        "message_form": forms.get("message_form") or CustomerMessageForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "reply_result": forms.get("reply_result"),
        "reply_rewrite": forms.get("reply_rewrite", ""),
        "insight": selectors.insight_for(complaint=complaint, language=_language(request)),
        "escalation": selectors.escalation_for(complaint=complaint),
        "categories": {c.code: name_for_people(c) for c in categories},
        "severity_labels": dict(Severity.choices),
        "priority_labels": dict(Priority.choices),
        "now": now(),
    }


@login_required
@require_GET
def complaint_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        complaint = access_complaint(user=request.user, number=number)
    except NotFound:
        # A department member reads a dispatched case through its work order (scoped to what it needs).
        order = work_order_for_case_number(user=request.user, number=number)
        if order is None:
            raise Http404 from None
        return redirect("web:work_order", order.pk)
    return render(
        request, "web/complaint.html", _case_context(request, complaint, **_kept_forms(request, complaint))
    )


# The case page's own forms: name in the context → (form class, anchor of its section).
CASE_FORMS = {
    "transition_form": (TransitionForm, "process"),
    "analysis_form": (AnalysisForm, "analysis"),
    "note_form": (NoteForm, "notes"),
    "message_form": (CustomerMessageForm, "notes"),
    "reply_form": (ReplyForm, "reply"),
    "kind_form": (ContactKindForm, "contact-kind"),
    "route_form": (RouteForm, "contact-kind"),
    "credit_form": (CreditForm, "contact-kind"),
    "transfer_form": (TransferForm, "transfer"),
}


def _kept_forms(request: HttpRequest, complaint) -> dict:
    """The case page's forms that were refused just before (Post/Redirect/Get), as the user left them."""
    forms = {}
    for name, (form_class, _anchor) in CASE_FORMS.items():
        kept = refused.kept_take(request, refused.case_key(complaint.number, name))
        if kept is None:
            continue
        kwargs = (
            {"categories": selectors.active_categories(), "kind": complaint.kind}
            if form_class is AnalysisForm
            else {}
        )
        forms[name] = refused.form_restore(form_class(kept.values, **kwargs), kept)
        if name == "reply_form" and kept.values.get("text"):
            forms.update(_reply_findings(request, complaint, kept.values["text"], kept.extra))
    return forms


def _reply_findings(request: HttpRequest, complaint, text: str, extra: dict) -> dict:
    """What the reply checker finds in a draft that was refused, shown next to it as "check" does."""
    if not extra.get("checked"):
        return {}
    result = reply_check_text(text=text, complaint=complaint, agent=request.user)
    found = {"reply_result": result}
    if result.findings:
        found["reply_rewrite"] = apply_suggestions(text, result.findings)
    return found


def _form_kept(request: HttpRequest, form, extra: dict | None = None) -> refused.Kept:
    """A refused Django form: what was typed into its fields and its messages."""
    return refused.Kept(
        values=refused.post_values(request, set(form.fields)),
        errors=refused.form_errors(form),
        extra=extra or {},
    )


def _case_refused(request: HttpRequest, number: str, form_name: str, form, extra: dict | None = None):
    """Back to the case page (Post/Redirect/Get) with the refused form's input and messages."""
    _load(request, number)  # outside the user's units: 404, nothing kept
    return refused.answer(
        request,
        to=reverse("web:complaint", args=[number]) + f"#{CASE_FORMS[form_name][1]}",
        kept=_form_kept(request, form, extra),
        key=refused.case_key(number, form_name),
    )


def _case_post(
    request: HttpRequest, number: str, form, action, form_name: str, success: str, fields: dict | None = None
) -> HttpResponse:
    """Run `action(form)` for a valid form; on a problem go back to the case page, which shows the
    form again with the problem next to the field (Post/Redirect/Get: F5 does not post it again)."""
    if form.is_valid():
        try:
            action(form)
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            domain_errors_apply(form, problem, fields)
        else:
            return refused.answer(request, to=reverse("web:complaint", args=[number]), message=success)
    return _case_refused(request, number, form_name, form)


@login_required
@require_POST
def complaint_transition(request: HttpRequest, number: str) -> HttpResponse:
    form = TransitionForm(request.POST)
    return _case_post(
        request,
        number,
        form,
        form_name="transition_form",
        success=_("状态已更新"),
        action=lambda f: complaint_services.complaint_transition(
            number=number, actor=request.user, to=f.cleaned_data["to"], reason=f.cleaned_data["reason"]
        ),
    )


@login_required
@require_POST
def complaint_kind(request: HttpRequest, number: str) -> HttpResponse:
    form = ContactKindForm(request.POST)
    return _case_post(
        request,
        number,
        form,
        form_name="kind_form",
        success=_("联系类型已变更"),
        action=lambda f: complaint_kind_change(
            number=number, actor=request.user, to=f.cleaned_data["to"], reason=f.cleaned_data["reason"]
        ),
    )


@login_required
@require_POST
def complaint_route(request: HttpRequest, number: str) -> HttpResponse:
    form = RouteForm(request.POST)
    return _case_post(
        request,
        number,
        form,
        form_name="route_form",
        success=_("建议已转交负责部门"),
        action=lambda f: suggestion_route(
            number=number,
            actor=request.user,
            unit_code=f.cleaned_data["unit"],
            reason=f.cleaned_data["reason"],
        ),
    )


@login_required
@require_POST
def complaint_transfer_post(request: HttpRequest, number: str) -> HttpResponse:
    """转办: the case goes to another unit. Done, the user is back on the case when they still see it, else
    on their unassigned queue (the case is the receiving unit's now)."""
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            complaint = complaint_transfer(
                number=number,
                actor=request.user,
                unit_code=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
            ).complaint
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            domain_errors_apply(form, problem, None)
        else:
            unit = name_for_people(complaint.org_unit)
            still_seen = complaint_visible_to(request.user, complaint)
            to = (
                reverse("web:complaint", args=[number])
                if still_seen
                else reverse("web:queue", args=["unassigned"])
            )
            message = _("%(number)s 已转办至%(unit)s") % {"number": number, "unit": unit}
            return refused.answer(request, to=to, message=message)
    return _case_refused(request, number, "transfer_form", form)


@login_required
@require_POST
def complaint_credit(request: HttpRequest, number: str) -> HttpResponse:
    form = CreditForm(request.POST)
    return _case_post(
        request,
        number,
        form,
        form_name="credit_form",
        success=_("表扬已记入"),
        action=lambda f: praise_credit(
            number=number,
            actor=request.user,
            username=f.cleaned_data["username"],
            unit_code=f.cleaned_data["unit"],
            note=f.cleaned_data["note"],
        ),
    )


@login_required
@require_POST
def complaint_analysis(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _load(request, number)
    form = AnalysisForm(request.POST, categories=selectors.active_categories(), kind=complaint.kind)
    return _case_post(
        request,
        number,
        form,
        form_name="analysis_form",
        success=_("分析结果已保存"),
        action=lambda f: complaint_services.complaint_analyse(
            number=number, actor=request.user, changes=f.changes(complaint), reason=f.cleaned_data["reason"]
        ),
    )


@login_required
@require_POST
def complaint_note(request: HttpRequest, number: str) -> HttpResponse:
    form = NoteForm(request.POST)
    return _case_post(
        request,
        number,
        form,
        form_name="note_form",
        success=_("备注已添加"),
        action=lambda f: complaint_services.complaint_add_note(
            number=number, actor=request.user, text=f.cleaned_data["text"]
        ),
    )


@login_required
@require_POST
def complaint_message(request: HttpRequest, number: str) -> HttpResponse:
    form = CustomerMessageForm(request.POST)
    return _case_post(
        request,
        number,
        form,
        form_name="message_form",
        success=_("客户留言已记录"),
        action=lambda f: complaint_services.complaint_add_customer_message(
            number=number, actor=request.user, text=f.cleaned_data["text"], channel=f.cleaned_data["channel"]
        ),
    )


def _hx_prompt(request: HttpRequest) -> str:
    """What the user typed into an hx-prompt; HTMX sends text outside Latin-1 percent-encoded."""
    value = request.headers.get("HX-Prompt", "")
    return unquote(value) if request.headers.get("HX-Prompt-URI-AutoEncoded") == "true" else value


@login_required
@require_POST
def complaint_reveal(request: HttpRequest, number: str) -> HttpResponse:
    field = request.POST.get("field", "phone")
    try:
        revealed = customer_contact_reveal(
            number=number, actor=request.user, field=field,
            # the reason typed into the button's prompt (hx-prompt), or a form's field
            reason=request.POST.get("reason") or _hx_prompt(request),
        )  # fmt: skip
    except NotFound:
        raise Http404 from None
    except PermissionDenied as problem:
        return HttpResponse(problem.message, status=403)
    except InvalidInput as problem:
        return HttpResponse("；".join(m for ms in problem.fields.values() for m in ms), status=422)
    return render(request, "web/_revealed.html", {"revealed": revealed})


@login_required
@require_GET
def complaint_scripts(request: HttpRequest, number: str) -> HttpResponse:
    """The reply scripts of a stage for this case, filled from the case and the agent."""
    complaint = _load(request, number)
    stage = request.GET.get("stage") or "clarifying"
    if stage not in ScriptStage.values:
        stage = "clarifying"
    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    extra = {
        name: request.GET.get(name, "").strip()[:200]
        for name in ("option_a", "option_b", "cause", "result", "compensation")
        if request.GET.get(name)
    }
    scripts = scripts_for(
        stage=stage,
        category=complaint.category,
        channel=complaint.channel,
        language=complaint.language or language,
        complaint=complaint.kind == ContactKind.COMPLAINT,
    )
    rendered = [
        (s, script_render(script=s, complaint=complaint, agent=request.user, extra=extra)) for s in scripts
    ]
    # "Use this script" fills the reply form: only where the case page offers one (the reply service's guard).
    can_use = selectors.case_actions(complaint=complaint, user=request.user, transitions=()).reply
    return render(
        request,
        "web/_scripts.html",
        {
            "c": complaint,
            "rendered": rendered,
            "stage": stage,
            "stages": ScriptStage.choices,
            "can_use": can_use,
        },
    )


@login_required
@require_POST
def reply_check(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _load(request, number)
    form = ReplyForm(request.POST)
    result = None
    if form.is_valid():
        result = reply_check_text(text=form.cleaned_data["text"], complaint=complaint, agent=request.user)
    rewrite = (
        apply_suggestions(form.cleaned_data["text"], result.findings) if result and result.findings else ""
    )
    return render(
        request,
        "web/_reply_findings.html",
        {"c": complaint, "result": result, "form": form, "rewrite": rewrite},
    )


@login_required
@require_POST
def reply_send(request: HttpRequest, number: str) -> HttpResponse:
    form = ReplyForm(request.POST)
    text = ""
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            customer_reply_send(
                number=number,
                actor=request.user,
                text=text,
                override_reason=form.cleaned_data["override_reason"],
            )
        except NotFound:
            raise Http404 from None
        except ReplyBlocked as problem:
            form.add_error("text", problem.message)
        except ReplyNeedsOverride as problem:
            form.add_error("override_reason", problem.message)
        except DomainError as problem:
            domain_errors_apply(form, problem)
        else:
            return refused.answer(
                request, to=reverse("web:complaint", args=[number]), message=_("回复已发送给客户")
            )
    # The case page shows what the checker found next to the draft, as "check" does.
    return _case_refused(request, number, "reply_form", form, extra={"checked": bool(text)})


@login_required
@require_GET
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    try:
        attachment = attachment_for_download(user=request.user, number=number, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
    access_log_record(  # evidence often shows the customer (an ID card, a bill): logged (privacy)
        user=request.user, kind=AccessKind.DOWNLOAD, field=AccessField.ATTACHMENT, complaint=attachment.complaint,
        detail=f"#{attachment.pk}",
    )  # fmt: skip
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- phone intake ----------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


INTAKE_KEY = "intake:phone"


@login_required
def phone_intake(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("complaints.add_complaint"):
        return HttpResponse(_("您没有登记投诉的权限"), status=403)
    categories = selectors.active_categories()
    if request.method != "POST":
        kept = refused.kept_take(request, INTAKE_KEY)
        form = PhoneIntakeForm(kept.values if kept else None, categories=categories)
        return render(request, "web/phone_intake.html", {"form": refused.form_restore(form, kept)})
    form = PhoneIntakeForm(request.POST, categories=categories)
    if form.is_valid():
        adapter = PhoneAdapter()
        try:
            message = adapter.parse(form.intake_mapping(language=_language(request)))
            result = intake_receive(message=message, actor=request.user)
        except DomainError as problem:
            domain_errors_apply(form, problem, PhoneIntakeForm.SERVICE_FIELDS)
        else:
            reply = adapter.send_reply(complaint=result.complaint)
            return refused.answer(
                request,
                to=reverse("web:complaint", args=[result.complaint.number]),
                message=_("投诉已登记，单号 %(number)s。请告诉客户：%(text)s")
                % {"number": result.complaint.number, "text": reply.text},
            )
    # Back to the form with what was typed and what is wrong (Post/Redirect/Get).
    return refused.answer(
        request, to=reverse("web:phone_intake"), kept=_form_kept(request, form), key=INTAKE_KEY
    )


@login_required
@require_GET
def phone_lookup(request: HttpRequest) -> HttpResponse:
    matches = selectors.customers_by_phone(user=request.user, text=request.GET.get("phone", ""))
    full = request.user.has_perm("complaints.view_personal_data")
    return render(request, "web/_phone_lookup.html", {"matches": matches, "full": full})


@login_required
@require_POST
def phone_restate(request: HttpRequest) -> HttpResponse:
    """The restating script (复述确认) filled with what has been written down so far."""
    language = _language(request)
    name = request.POST.get("name", "").strip()[:100]
    extra = {
        "problem": request.POST.get("title", "").strip()[:200],
        "demand": request.POST.get("demand", "").strip()[:500],
        "product": request.POST.get("product", "").strip()[:100],
        "customer_name": name,
        "customer_title": customer_title(name=name, title="", language=language) if name else "",
    }
    values = script_values(complaint=None, agent=request.user, language=language, extra=extra)
    scripts = scripts_for(stage="clarifying", channel="phone", language=language)
    rendered = [(s, render_script(s.body, values)) for s in scripts]
    return render(request, "web/_restate.html", {"rendered": rendered})


# --- supervisor ------------------------------------------------------------------------------------


@login_required
@require_GET
def supervisor(request: HttpRequest) -> HttpResponse:
    if not selectors.user_supervises(request.user):
        raise Http404
    overview = selectors.supervisor_overview(user=request.user)
    return render(request, "web/supervisor.html", {"o": overview, "now": now()})
