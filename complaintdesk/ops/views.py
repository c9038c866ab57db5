"""/readyz and /metrics. /healthz (liveness) stays in web."""

import hmac

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .metrics import metrics_render
from .readiness import readiness_check


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    result = readiness_check()
    return JsonResponse(
        result.as_dict(), status=200 if result.ready else 503, json_dumps_params={"ensure_ascii": False}
    )


def _token_matches(request: HttpRequest) -> bool:
    expected = getattr(settings, "METRICS_TOKEN", "")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(expected and offered) and hmac.compare_digest(offered.encode(), expected.encode())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """For the monitoring system (Authorization: Bearer METRICS_TOKEN) and staff users; signed-in
    others are refused (403), everyone else sees nothing here (404)."""
    if not _token_matches(request):
        user = request.user
        if not user.is_authenticated:
            raise Http404
        if not user.is_staff:
            raise PermissionDenied
    body, content_type = metrics_render()
    return HttpResponse(body, content_type=content_type)
