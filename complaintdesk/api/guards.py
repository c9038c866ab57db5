"""Checks every API request passes before anything reads its body."""

import inspect
import json
import logging
import re
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError

from complaintdesk.complaints.attachments import attachment_max_bytes

from .problems import body_too_large, service_unavailable, unstorable_text, unsupported_media_type

logger = logging.getLogger(__name__)

# Room for the multipart envelope and the small form fields around one file.
MULTIPART_OVERHEAD = 1024 * 1024


def body_limit(content_type: str) -> int:
    if content_type == "multipart/form-data":
        return attachment_max_bytes() + MULTIPART_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0


def body_size_guard(run):
    """413 problem+json for a body larger than the limit, from its Content-Length, without reading it.
    (A body without a length is still bounded: Django refuses past DATA_UPLOAD_MAX_MEMORY_SIZE when
    read, which the API also answers with 413, and uploads are checked after streaming to disk.)"""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request.content_type)
        if limit and length > limit:
            return body_too_large(limit=limit)
        return run(request, *args, **kwargs)

    return wrapper


# --- content type -----------------------------------------------------------------------------------


def _operation(run):
    # A view decorator receives the operation's bound `run` (possibly already wrapped).
    return getattr(inspect.unwrap(run), "__self__", None)


def _accepted_media_types(operation) -> frozenset[str]:
    sources = {getattr(model, "__ninja_param_source__", "") for model in getattr(operation, "models", ())}
    accepted = set()
    if "body" in sources:
        accepted.add("application/json")
    if sources & {"form", "file"}:
        accepted |= {"multipart/form-data", "application/x-www-form-urlencoded"}
    return frozenset(accepted)


def content_type_guard(run):
    """415 problem+json for a body whose Content-Type the operation does not read: a JSON body sent as
    text/plain (or anything else) is refused rather than parsed on trust."""
    accepted = _accepted_media_types(_operation(run))

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        if accepted and _has_body(request):
            media_type = (request.content_type or "").lower()
            json_like = media_type.startswith("application/") and media_type.endswith("+json")
            if media_type not in accepted and not (json_like and "application/json" in accepted):
                return unsupported_media_type(accepted=sorted(accepted))
        return run(request, *args, **kwargs)

    return wrapper


def _has_body(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True


# --- text the database can store ------------------------------------------------------------------------


# NUL: PostgreSQL refuses it in text. A lone surrogate (JSON "\ud800") cannot be encoded at all.
# One regular expression rather than a Python loop over every character (every API POST checks its body).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _bad_text(value: str) -> bool:
    return _UNSTORABLE.search(value) is not None


def _printable_key(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _bad_fields(value, path: str) -> list[str]:
    """The JSON paths (`customer.name`, `items.0`) of every string in `value` that cannot be stored.
    A loop over a stack, not recursion: a body nested as deep as the JSON reader allows must not exhaust
    Python's stack here."""
    found = []
    stack = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _bad_text(value):
                found.append(path or "body")
        elif isinstance(value, dict):
            children = []
            for key, item in value.items():
                key_path = f"{path}.{_printable_key(key)}" if path else _printable_key(key)
                if _bad_text(key):
                    found.append(key_path)
                children.append((item, key_path))
            stack += reversed(children)  # popped in the body's order
        elif isinstance(value, list):
            stack += reversed([(item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(value)])
    return found


def _json_body(request):
    if not (request.content_type or "").lower().endswith("json") or not _has_body(request):
        return None
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError, RequestDataTooBig):
        # ninja answers malformed JSON — and JSON nested deeper than the reader goes — (400) and a body
        # over the limit (413) itself
        return None


def text_guard(run):
    """422 problem+json naming the field for text no database column can hold: a NUL character or an
    unpaired surrogate, anywhere in the query, the path, a JSON body or form fields. One check for
    every operation, present and future, instead of one per schema field."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        fields = []
        for name, value in kwargs.items():
            if isinstance(value, str) and _bad_text(value):
                fields.append(name)
        for name, values in request.GET.lists():
            if _bad_text(name) or any(_bad_text(v) for v in values):
                fields.append(_printable_key(name))
        if request.method in {"POST", "PUT", "PATCH"}:
            fields += _bad_fields(_json_body(request), "")
            if (request.content_type or "").startswith(("multipart/", "application/x-www-form-urlencoded")):
                for name, values in request.POST.lists():
                    if _bad_text(name) or any(_bad_text(v) for v in values):
                        fields.append(_printable_key(name))
                for name, upload in request.FILES.items():
                    if _bad_text(upload.name or ""):
                        fields.append(_printable_key(name))
        if fields:
            return unstorable_text(fields=fields)
        return run(request, *args, **kwargs)

    return wrapper


# --- the database is away -------------------------------------------------------------------------------

DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable_guard(run):
    """503 problem+json with Retry-After when the database refuses or drops the connection, instead of
    the HTML server error page: the client can retry (with the same Idempotency-Key) once it is back."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        try:
            return run(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            logger.exception("database unavailable for %s %s", request.method, request.path)
            return service_unavailable(retry_after=DATABASE_RETRY_AFTER_SECONDS)

    return wrapper
