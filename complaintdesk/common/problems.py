"""Errors over HTTP as RFC 9457 problem details (application/problem+json): the one shape the API, the
WeChat callback and the staff pages' JSON errors answer with."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

PROBLEM_TYPE_BASE = "https://complaintdesk.dev/problems/"


def problem_response(
    *, status: int, code: str, title: str, detail: str = "", errors: dict | None = None
) -> JsonResponse:
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def too_many_requests(*, retry_after: int) -> HttpResponse:
    response = problem_response(
        status=429,
        code="rate_limited",
        title=_("请求过于频繁"),
        detail=_("请在 %(seconds)d 秒后重试") % {"seconds": retry_after},
    )
    response["Retry-After"] = str(retry_after)
    return response
