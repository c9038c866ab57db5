"""Work orders in the workbench: the case page's work-orders panel (HTMX partial: every order of the case,
the overdue flag, dispatching a new one, withdrawing one), the department's queue page (/work-orders/:
accept, complete, send back) and one order's page (/work-orders/<id>/: the case as the department sees it,
read-only, with the order's actions). Views parse input, call one service, and render; the rules are
dispatch.services'."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.common.time import now
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.complaints.access import access_complaint
from complaintdesk.dispatch import services
from complaintdesk.dispatch.models import UNFINISHED_STATUSES, WorkOrderStatus
from complaintdesk.dispatch.selectors import (
    QueueFilters,
    departments_for_dispatch,
    work_order_attachment,
    work_order_case,
    work_order_department_side,
    work_order_queue,
    work_orders_for_case,
    work_orders_openable,
)
from complaintdesk.web import refused
from complaintdesk.web import selectors as web_selectors

PANEL_FIELDS = {"department", "instructions", "due_working_days", "owner", "reason", "result", "status"}


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _render_panel(request: HttpRequest, complaint, kept: refused.Kept | None = None) -> HttpResponse:
    orders = work_orders_for_case(complaint=complaint)
    can_handle = request.user.has_perm("complaints.handle_complaint")
    context = {
        "c": complaint,
        "orders": orders,
        "unfinished": [o for o in orders if o.status in UNFINISHED_STATUSES],
        "unfinished_statuses": UNFINISHED_STATUSES,
        "departments": departments_for_dispatch() if can_handle and complaint.is_open else [],
        "can_handle": can_handle,
        "can_dispatch": can_handle and complaint.is_open,
        "now": now(),
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
        "error_id": kept.extra.get("error_id") if kept else None,
    }
    # A refused form's panel is a 200 too: it is the panel, with the messages next to the fields.
    return render(request, "web/dispatch/panel.html", context)


def _answer(request: HttpRequest, complaint, kept: refused.Kept | None = None) -> HttpResponse:
    return refused.case_panel_answer(
        request, complaint, kept, name="work_orders", anchor="work-orders", render=_render_panel
    )


def _refusal(error: DomainError, values: dict, error_id: int | None = None) -> refused.Kept:
    return refused.Kept(
        values=values, errors=refused.reasons(error, PANEL_FIELDS), extra={"error_id": error_id}
    )


@login_required
@require_GET
def work_orders_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    return _render_panel(
        request, complaint, refused.kept_take(request, refused.case_key(number, "work_orders"))
    )


@login_required
@require_POST
def work_order_create(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = {
        name: request.POST.get(name, "")
        for name in ("department", "instructions", "due_working_days", "owner")
    }
    raw_days = values["due_working_days"].strip()
    days = whole_number_typed(raw_days)
    days = raw_days if days is None else days  # anything else: the service says what is wrong
    try:
        services.work_order_create(
            number=complaint.number,
            actor=request.user,
            department=values["department"],
            instructions=values["instructions"],
            due_working_days=days,
            owner=values["owner"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values))
    return _answer(request, complaint)


@login_required
@require_POST
def work_order_cancel(request: HttpRequest, number: str, work_order_id: int) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = {"reason": request.POST.get("reason", "")}
    if not any(o.pk == work_order_id for o in work_orders_for_case(complaint=complaint)):
        raise Http404
    try:
        services.work_order_cancel(work_order_id=work_order_id, actor=request.user, reason=values["reason"])
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, work_order_id))
    return _answer(request, complaint)


# --- the department's queue -------------------------------------------------------------------------------

QUEUE_VIEWS = ("unfinished", "mine", "overdue", "done")
QUEUE_KEY = "work_orders:queue"


def _queue_filters(view: str) -> QueueFilters:
    if view == "mine":
        return QueueFilters(mine=True)
    if view == "overdue":
        return QueueFilters(overdue=True)
    if view == "done":
        return QueueFilters(
            status=(WorkOrderStatus.DONE, WorkOrderStatus.REJECTED, WorkOrderStatus.CANCELLED)
        )
    return QueueFilters()


def _render_queue(request: HttpRequest, kept: refused.Kept | None = None) -> HttpResponse:
    view = request.GET.get("view", "unfinished")
    view = view if view in QUEUE_VIEWS else "unfinished"
    orders = work_order_queue(user=request.user, filters=_queue_filters(view), limit=100)
    context = {
        "orders": orders,
        "view": view,
        "views": QUEUE_VIEWS,
        "department_side": {o.pk for o in orders if work_order_department_side(user=request.user, order=o)},
        "openable": work_orders_openable(user=request.user, orders=orders),
        # A department's staff land here: the cases handed to their department (转办) to accept come first (their
        # counts are the header's, web.context).
        "department_new": web_selectors.department_to_accept_first(user=request.user),
        "open_status": WorkOrderStatus.OPEN,
        "unfinished_statuses": UNFINISHED_STATUSES,
        "now": now(),
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
        "error_id": kept.extra.get("error_id") if kept else None,
    }
    return render(request, "web/dispatch/queue.html", context)


@login_required
@require_GET
def work_orders_page(request: HttpRequest) -> HttpResponse:
    return _render_queue(request, refused.kept_take(request, QUEUE_KEY))


@login_required
@require_POST
def work_order_act(request: HttpRequest, work_order_id: int) -> HttpResponse:
    """The department's side: accept, complete (with the result) or send back (with a reason)."""
    action = request.POST.get("action", "")
    text = request.POST.get("text", "")
    try:
        if action == "accept":
            services.work_order_accept(work_order_id=work_order_id, actor=request.user)
        elif action == "complete":
            services.work_order_complete(work_order_id=work_order_id, actor=request.user, result=text)
        elif action == "reject":
            services.work_order_reject(work_order_id=work_order_id, actor=request.user, reason=text)
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        # Back to the page the form was on, with the message next to the order (Post/Redirect/Get).
        kept = refused.Kept(
            values={"text": text}, errors=refused.reasons(error, ()), extra={"error_id": work_order_id}
        )
        return refused.answer(
            request, to=_back_url(request, work_order_id), kept=kept, key=_back_key(request, work_order_id)
        )
    return redirect(_back_url(request, work_order_id))


def _queue_url(request: HttpRequest) -> str:
    view = request.GET.get("view", "")
    return reverse("web:work_orders") + (f"?view={view}" if view in QUEUE_VIEWS else "")


def _from_order_page(request: HttpRequest) -> bool:
    return request.POST.get("from") == "order"


def _back_url(request: HttpRequest, work_order_id: int) -> str:
    if _from_order_page(request):
        return reverse("web:work_order", args=[work_order_id])
    return _queue_url(request)


def _back_key(request: HttpRequest, work_order_id: int) -> str:
    return f"work_orders:{work_order_id}" if _from_order_page(request) else QUEUE_KEY


# --- one order, with its case as the department sees it ------------------------------------------------


@login_required
@require_GET
def work_order_page(request: HttpRequest, work_order_id: int) -> HttpResponse:
    try:
        seen = work_order_case(user=request.user, work_order_id=work_order_id)
    except NotFound:
        raise Http404 from None
    kept = refused.kept_take(request, f"work_orders:{work_order_id}")
    order = seen.order
    context = {
        "seen": seen,
        "o": order,
        "c": seen.complaint,
        "can_act": seen.department_side and order.status in UNFINISHED_STATUSES,
        "open_status": WorkOrderStatus.OPEN,
        "overdue": order.status in UNFINISHED_STATUSES and order.due_at <= now(),
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
    }
    return render(request, "web/dispatch/order.html", context)


@login_required
@require_GET
def work_order_attachment_download(
    request: HttpRequest, work_order_id: int, attachment_id: int
) -> FileResponse:
    try:
        attachment = work_order_attachment(
            user=request.user, work_order_id=work_order_id, attachment_id=attachment_id
        )
    except NotFound:
        raise Http404 from None
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
