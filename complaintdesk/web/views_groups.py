"""Group complaints (群体性投诉) page: /groups/ lists the detected groups by view — waiting for a
supervisor's confirmation, confirmed and open, closed (resolved or dismissed) — with the evidence and the
cases of each; supervisors confirm or dismiss a pending group there (/groups/<id>/confirm, /dismiss).
Views parse input, call one service or selector, and render; the rules are intelligence.services'."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.common.errors import DomainError
from complaintdesk.intelligence import selectors
from complaintdesk.intelligence.services import group_actions
from complaintdesk.web import refused

VIEWS = ("pending", "open", "closed")


def _key(group_id: int) -> str:
    return f"groups:{group_id}"


@login_required
@require_GET
def groups_page(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "pending")
    view = view if view in VIEWS else "pending"
    rows = []
    for group, members in selectors.groups_page(user=request.user, view=view):
        kept = refused.kept_take(request, _key(group.pk))
        rows.append({"group": group, "members": members, "kept": kept})
    context = {
        "rows": rows,
        "view": view,
        "pending_total": selectors.groups_pending_count(user=request.user),
        "may_decide": request.user.has_perm("complaints.assign_complaint"),
        "limit": selectors.GROUP_PAGE_LIMIT,
    }
    return render(request, "web/groups/list.html", context)


def _back(view: str = "pending") -> str:
    return f"{reverse('web:groups')}?view={view}"


@login_required
@require_POST
def group_confirm(request: HttpRequest, group_id: int) -> HttpResponse:
    values = refused.post_values(request, ("reason",))
    try:
        group = group_actions.group_confirm(
            group_id=group_id, actor=request.user, reason=values.get("reason", "")
        )
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, ("reason",)))
        return refused.answer(request, to=_back(), kept=kept, key=_key(group_id))
    message = _("已确认群体性投诉 G%(id)s：相关投诉已标记并进入升级流程") % {"id": group.pk}
    return refused.answer(request, to=_back("open"), message=message)


@login_required
@require_POST
def group_dismiss(request: HttpRequest, group_id: int) -> HttpResponse:
    values = refused.post_values(request, ("reason",))
    try:
        group = group_actions.group_dismiss(
            group_id=group_id, actor=request.user, reason=values.get("reason", "")
        )
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, ("reason",)))
        return refused.answer(request, to=_back(), kept=kept, key=_key(group_id))
    message = _("已否决群体性投诉 G%(id)s：相关投诉已移出，不再自动归组") % {"id": group.pk}
    return refused.answer(request, to=_back(), message=message)
