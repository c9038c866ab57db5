"""The staff's own notifications (the header's count links here) and the approvals queue (待审批).
Views parse input, call one selector or service, and render; the rules are inbox's and solutions'."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintdesk.accounts.services import user_language_set
from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.common.time import now
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.inbox.selectors import staff_notification_of, staff_notifications_for
from complaintdesk.inbox.services import staff_notifications_mark_read
from complaintdesk.inbox.text import when
from complaintdesk.solutions import selectors as solution_selectors
from complaintdesk.solutions import services as solution_services
from complaintdesk.solutions.models import ApprovalStatus

from . import refused

APPROVAL_FIELDS = {"decision", "reason"}


@login_required
@require_http_methods(["GET", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    """A person's notices, newest first; a POST sets the language their notices and e-mails come in."""
    if request.method == "POST":
        values = refused.post_values(request, {"language"})
        try:
            user_language_set(user=request.user, language=values.get("language", ""))
        except DomainError as error:
            kept = refused.Kept(values=values, errors=refused.reasons(error, {"language"}))
            return refused.answer(request, to=reverse("web:notifications"), kept=kept, key="notifications")
        return refused.answer(request, to=reverse("web:notifications"), message=_("已保存通知语言"))
    kept = refused.kept_take(request, "notifications")
    unread_only = request.GET.get("view") == "unread"
    rows = staff_notifications_for(user=request.user, unread_only=unread_only)
    return render(
        request,
        "web/inbox/notifications.html",
        {
            "rows": rows,
            "unread_only": unread_only,
            "languages": settings.LANGUAGES,
            "errors": kept.errors if kept else {},
        },
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notice read and go where it points (a workbench path only)."""
    notification = staff_notification_of(user=request.user, notification_id=notification_id)
    if notification is None:
        raise Http404
    staff_notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.link or reverse("web:notifications")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:notifications")
    return redirect(target)


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    ids = [n for v in request.POST.getlist("id") if (n := whole_number_typed(v)) is not None] or None
    staff_notifications_mark_read(user=request.user, ids=ids)
    return redirect(
        reverse("web:notifications") + ("?view=unread" if request.POST.get("view") == "unread" else "")
    )


@login_required
@require_GET
def approvals_page(request: HttpRequest) -> HttpResponse:
    """待审批: the requests waiting for this person's decision, nearest expiry first."""
    kept = refused.kept_take(request, "approvals")
    approvals = solution_selectors.approvals_pending_for(user=request.user)
    for approval in approvals:  # a deadline as people say it: 12月7日 24:00, not 12-08 00:00
        approval.expiry_label = when(approval.due_at)
    return render(
        request,
        "web/inbox/approvals.html",
        {
            "approvals": approvals,
            "errors": kept.errors if kept else {},
            "values": kept.values if kept else {},
            "error_id": (kept.extra.get("approval") if kept else None),
            "now": now(),
        },
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    values = refused.post_values(request, APPROVAL_FIELDS)
    try:
        approval = solution_services.approval_decide(
            approval_id=approval_id,
            actor=request.user,
            decision=values.get("decision", ""),
            reason=values.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept = refused.Kept(
            values=values,
            errors=refused.reasons(error, APPROVAL_FIELDS),
            extra={"approval": approval_id},
        )
        return refused.answer(request, to=reverse("web:approvals"), kept=kept, key="approvals")
    done = (
        _("已批准，方案已可提供给客户")
        if approval.status == ApprovalStatus.APPROVED
        else _("已驳回，申请人会收到通知")
    )
    return refused.answer(
        request,
        to=reverse("web:approvals"),
        message=_("%(number)s：%(done)s") % {"number": approval.complaint.number, "done": done},
    )
