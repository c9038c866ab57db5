"""What the current request is about, for log lines written while it runs: its id, the user, the case.

Set by `middleware.RequestObservation`; read by `logs.RequestContextFilter`. A context variable, so each
gunicorn thread sees its own request."""

import contextvars
from dataclasses import dataclass


@dataclass
class RequestContext:
    request_id: str
    user: str = ""
    case_number: str = ""


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "complaintdesk_request", default=None
)
