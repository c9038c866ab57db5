"""Staff pages. Views parse input, call one selector or service, and render."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from complaintdesk.accounts.access import access_complaint
from complaintdesk.api.presenters import complaint_detail
from complaintdesk.common.errors import NotFound
from complaintdesk.common.time import now
from complaintdesk.complaints.selectors import complaint_list, complaint_open_queue_for_assignee


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "mine": complaint_open_queue_for_assignee(user=request.user, limit=50),
            "visible": complaint_list(user=request.user, open_only=True, limit=50),
            "now": now(),
        },
    )


@login_required
def complaint_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        complaint = access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None
    return render(request, "web/complaint.html", {"c": complaint, "d": complaint_detail(complaint=complaint, user=request.user)})
