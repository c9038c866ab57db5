"""The product's own error pages (400, 403, 404, 500 and a refused CSRF check): in the user's language, with
a way back. Paths of the JSON API keep their problem+json answers. The 500 page touches no database (the
database may be why it is shown)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from complaintdesk.api.guards import DATABASE_RETRY_AFTER_SECONDS
from complaintdesk.api.problems import problem_response, service_unavailable

API_PREFIX = "/api/"
CUSTOMER_PREFIXES = ("/portal/", "/s/")


def _home(request: HttpRequest) -> str:
    """Where "back to the start" goes: the portal for customers' pages, the workbench for staff."""
    return "/portal/" if request.path.startswith(CUSTOMER_PREFIXES) else "/"


def _page(request: HttpRequest, *, status: int, template: str, user: bool = True) -> HttpResponse:
    context = {"home_url": _home(request), "status": status, "customer": _home(request) != "/"}
    if user:
        return HttpResponse(loader.render_to_string(template, context, request=request), status=status)
    return HttpResponse(loader.get_template(template).render(context), status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return problem_response(status=400, code="bad_request", title=_("请求无效"))
    return _page(request, status=400, template="400.html", user=False)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return problem_response(status=403, code="permission_denied", title=_("您没有权限执行此操作"))
    return _page(request, status=403, template="403.html")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return problem_response(status=404, code="not_found", title=_("没有这个地址"))
    return _page(request, status=404, template="404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database that refused or dropped the connection
    # (in a view or in a middleware) is a 503 the reader can retry after, not a fault of ours.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        if request.path.startswith(API_PREFIX):
            return service_unavailable(retry_after=DATABASE_RETRY_AFTER_SECONDS)
        return database_unavailable(request, retry_after=DATABASE_RETRY_AFTER_SECONDS)
    if request.path.startswith(API_PREFIX):
        return problem_response(status=500, code="server_error", title=_("服务器出错了，请稍后再试"))
    return _page(request, status=500, template="500.html", user=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page too old (or with cookies blocked): what to do, not Django's reason."""
    if request.path.startswith(API_PREFIX):
        return problem_response(status=403, code="csrf_failed", title=_("页面已过期，请刷新后重试"))
    return _page(request, status=403, template="403_csrf.html", user=False)


def database_unavailable(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """The database went away under this request: the page reads nothing from it."""
    response = _page(request, status=503, template="503.html", user=False)
    response["Retry-After"] = str(retry_after)
    return response
