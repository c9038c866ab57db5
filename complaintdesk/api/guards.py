"""Checks every API request passes before anything reads its body."""

from functools import wraps

from django.conf import settings

from complaintdesk.complaints.attachments import attachment_max_bytes

from .problems import body_too_large

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
