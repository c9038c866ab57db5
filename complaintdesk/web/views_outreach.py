"""Known incidents in the workbench (complaintdesk.outreach): the list, declaring one, its page (what customers
are told, the complaints linked, the counts, resolving it) and the case page's panel. Views parse input, call
one service or selector, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.complaints.access import access_complaint
from complaintdesk.outreach import care, selectors, services
from complaintdesk.outreach.models import IncidentKind, IncidentStatus, ResolveMode
from complaintdesk.outreach.texts import answer_text
from complaintdesk.web import refused

DECLARE_FIELDS = ("kind", "title", "explanation", "explanation_en", "district", "units", "products", "accounts",
                  "starts_at", "ends_at", "expected_end_at", "notify_customers")  # fmt: skip
RESOLVE_FIELDS = ("resolution", "mode")
CHOICE_FIELDS = ("notices", "care", "birthday", "note")


def _incident_or_404(request: HttpRequest, incident_id: int):
    try:
        return services.incident_for_user(user=request.user, incident_id=incident_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    if not services.user_may_view(request.user):
        raise Http404
    kept = refused.kept_take(request, "incident:new")
    may_declare = services.user_may_declare(request.user)
    values = (kept.values if kept else None) or {"kind": IncidentKind.OUTAGE}
    context = {
        "incidents": selectors.incident_list(),
        "may_declare": may_declare,
        "kinds": IncidentKind.choices,
        # The units a declarer may name, by name (their codes are the options' values).
        "units": selectors.units_to_declare_for(request.user) if may_declare else [],
        "chosen_units": set(values.get("units", "").split(",")),
        "values": values,
        "errors": kept.errors if kept else {},
    }
    return render(request, "web/outreach/list.html", context)


@login_required
@require_GET
def incident_dashboard_panel(request: HttpRequest) -> HttpResponse:
    """The management dashboard's panel: complaints per incident (nothing for those who may not see cases)."""
    if not services.user_may_view(request.user):
        return HttpResponse("")
    return render(request, "web/outreach/dashboard_panel.html", {"incidents": selectors.incident_dashboard()})


@login_required
@require_POST
def incident_declare(request: HttpRequest) -> HttpResponse:
    values = refused.post_values(request, DECLARE_FIELDS)
    codes = [code for code in request.POST.getlist("units") if code]  # chosen from the list, by name
    values["units"] = ",".join(codes)  # kept for the form if it is refused
    data = dict(values)
    data["units"] = codes
    data["notify_customers"] = values.get("notify_customers") == "on"
    try:
        incident = services.incident_declare(actor=request.user, **data)
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, DECLARE_FIELDS))
        return refused.answer(request, to=reverse("web:incidents"), kept=kept, key="incident:new")
    return refused.answer(
        request,
        to=reverse("web:incident", args=[incident.pk]),
        message=_("事件已登记，相关的新投诉会自动关联"),
    )


@login_required
@require_GET
def incident_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(request, incident_id)
    kept = refused.kept_take(request, f"incident:{incident_id}")
    context = {
        "incident": incident,
        "summary": selectors.incident_summary(incident=incident),
        "links": selectors.incident_links_for_user(incident=incident, user=request.user),
        "sample": answer_text(incident, language="zh-hans")
        if incident.status == IncidentStatus.ACTIVE
        else "",
        "may_resolve": services.user_may_declare(request.user) and incident.status == IncidentStatus.ACTIVE,
        "modes": ResolveMode.choices,
        "values": (kept.values if kept else None) or {"mode": ResolveMode.CONTINUE},
        "errors": kept.errors if kept else {},
    }
    return render(request, "web/outreach/incident.html", context)


@login_required
@require_POST
def incident_resolve(request: HttpRequest, incident_id: int) -> HttpResponse:
    _incident_or_404(request, incident_id)
    values = refused.post_values(request, RESOLVE_FIELDS)
    to = reverse("web:incident", args=[incident_id])
    try:
        services.incident_resolve(incident_id=incident_id, actor=request.user, **values)
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, RESOLVE_FIELDS))
        return refused.answer(request, to=to, kept=kept, key=f"incident:{incident_id}")
    return refused.answer(request, to=to, message=_("已登记事件已解决，正在逐一告知关联投诉的客户"))


@login_required
@require_GET
def incident_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The case page's panel: the incident this case is linked to (nothing when none)."""
    try:
        complaint = access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None
    return _panel(request, complaint, refused.kept_take(request, refused.case_key(number, "choices")))


def _panel(request: HttpRequest, complaint, kept) -> HttpResponse:
    """The incident the case is linked to (if any), and what its customer wants of proactive notices and care
    messages, with the form staff record it with."""
    choice, changes = care.customer_choices(customer=complaint.customer)
    if kept:
        values = kept.values
    else:
        values = {
            "notices": "" if choice and choice.notices_refused_at else "on",
            "care": "on" if care.care_agreed(choice) else "",
            "birthday": choice.birthday.isoformat() if choice and choice.birthday else "",
        }
    context = {
        "link": selectors.link_for_complaint(complaint=complaint),
        "c": complaint,
        "choice": choice,
        "care_agreed": care.care_agreed(choice),
        "changes": changes,
        "may_record": request.user.has_perm("complaints.handle_complaint"),
        "values": values,
        "errors": kept.errors if kept else {},
    }
    return render(request, "web/outreach/panel.html", context)


@login_required
@require_POST
def customer_choices_record(request: HttpRequest, number: str) -> HttpResponse:
    values = refused.post_values(request, CHOICE_FIELDS)
    try:
        care.customer_choice_record_for_case(
            number=number, actor=request.user, notices=values.get("notices") == "on",
            care=values.get("care") == "on", birthday=values.get("birthday", ""), note=values.get("note", ""),
        )  # fmt: skip
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, CHOICE_FIELDS))
        return refused.answer(
            request, to=reverse("web:complaint", args=[number]) + "#incident", kept=kept,
            key=refused.case_key(number, "choices"),
        )  # fmt: skip
    return refused.answer(
        request, to=reverse("web:complaint", args=[number]) + "#incident", message=_("已登记客户的通知意愿")
    )
