"""Per request: an id (the proxy's X-Request-ID when it sent a sane one, else a new one, echoed back),
the context log lines carry (request id, user, case number), the latency histogram by view, and with
LOG_REQUESTS one log line per request."""

import logging
import re
import time
import uuid

from django.conf import settings

from .context import RequestContext, current
from .metrics import request_observe

logger = logging.getLogger("complaintdesk.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestObservation:
    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = getattr(settings, "LOG_REQUESTS", False)

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        context = RequestContext(request_id=request_id)
        token = current.set(context)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match else "unmatched"
            request_observe(view=view, method=request.method, seconds=elapsed)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                context.user = user.get_username()  # API requests are authenticated inside the view
            response["X-Request-ID"] = request_id
            if self.log_requests:
                logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                        "view": view,
                    },
                )
            return response
        finally:
            current.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        context = current.get()
        if context is None:
            return None
        if number := view_kwargs.get("number"):
            context.case_number = str(number)[:32]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.user = user.get_username()
        return None
