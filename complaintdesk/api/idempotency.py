"""`Idempotency-Key` on every POST of API v1.

Two decorators that every operation gets (v1.py):

- `idempotent_transaction` (around the whole operation): for a POST with the header, runs it in one
  transaction; a 2xx response is stored on the key's row before the commit, any other outcome rolls
  the row back with the work, so a refused request can be retried.
- `idempotency_claim` (after authentication and body validation, before the endpoint's code): inserts
  the (principal, key) row. If the key is taken, the insert waits for the other transaction (unique
  index) and then: same request → the stored response is replayed (IdempotentReplay); a different
  method, path or body → 409.
"""

import hashlib
import json
import re
from functools import wraps

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from complaintdesk.common import fastsql
from complaintdesk.common.errors import Conflict
from complaintdesk.common.problems import problem_response
from complaintdesk.common.time import now

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_CHUNK = 64 * 1024


class IdempotentReplay(Exception):
    def __init__(self, record: IdempotencyKey):
        super().__init__(record.key)
        self.record = record


def replay_response(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body),
        status=record.response_status,
        content_type=record.response_content_type or "application/json",
    )
    if record.response_location:
        response["Location"] = record.response_location
    response["Idempotent-Replayed"] = "true"
    return response


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what makes two requests "the same": method, path and query, and the body — JSON
    compared as data (key order and spacing do not matter), forms field by field with each file's
    content hash (multipart boundaries differ between retries)."""
    digest = hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n".encode())
    if request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        for name in sorted(request.POST):
            digest.update(json.dumps([name, request.POST.getlist(name)], ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks(_CHUNK):
                    file_digest.update(chunk)
                upload.seek(0)
                digest.update(
                    json.dumps([name, upload.name, file_digest.hexdigest()], ensure_ascii=False).encode()
                )
        return digest.hexdigest()
    body = request.body
    try:
        body = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass  # not JSON (or nested deeper than the reader goes): compared as bytes
    digest.update(body)
    return digest.hexdigest()


def idempotency_claim(view_func):
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        key = getattr(request, "idempotency_key", None)
        if key:
            request.idempotency_record = _claim(request=request, key=key)
        return view_func(request, *args, **kwargs)

    return wrapper


def _claim(*, request: HttpRequest, key: str) -> IdempotencyKey:
    fingerprint = request_fingerprint(request)
    record = IdempotencyKey(
        principal=request.auth,
        key=key,
        fingerprint=fingerprint,
        method=request.method,
        path=request.get_full_path()[:500],
        created_at=now(),
    )
    if _insert_unless_taken(record):
        return record
    # Taken: the other request has committed (the insert waited for it), so its response is stored.
    existing = IdempotencyKey.objects.filter(principal=request.auth, key=key).first()
    if existing is None or existing.response_status is None:
        raise Conflict(
            _("使用同一 Idempotency-Key 的请求正在处理，请稍后重试"), code="idempotency_in_progress"
        )
    if existing.fingerprint != fingerprint:
        raise Conflict(
            _("这个 Idempotency-Key 已用于另一个请求（方法、路径或内容不同）；新的请求请换一个键"),
            code="idempotency_key_reused",
        )
    raise IdempotentReplay(existing)


def _insert_unless_taken(record: IdempotencyKey) -> bool:
    """Insert the key's row; False when (principal, key) is taken. A concurrent insert of the same key
    waits on the unique index until the other transaction ends, whichever way it ends."""
    if connection.vendor == "postgresql":
        # ON CONFLICT DO NOTHING waits the same way, without a savepoint round trip per request.
        fields = [f for f in IdempotencyKey._meta.concrete_fields if not f.primary_key]
        table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
                "ON CONFLICT (principal_id, key) DO NOTHING RETURNING id",
                values,
            )
            row = cursor.fetchone()
        if row is None:
            return False
        record.pk = row[0]
        record._state.adding = False
        return True
    try:
        with transaction.atomic():
            record.save(force_insert=True)
        return True
    except IntegrityError:
        return False


def idempotent_transaction(run):
    @wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER) if request.method == "POST" else None
        if key is None:
            return run(request, *args, **kwargs)
        if not KEY_PATTERN.match(key):
            return problem_response(
                status=400,
                code="invalid_idempotency_key",
                title=_("Idempotency-Key 无效"),
                errors={HEADER: [_("应为 1 到 255 个可打印 ASCII 字符（不含空格），建议用 UUID")]},
            )
        request.idempotency_key = key
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            record = getattr(request, "idempotency_record", None)
            if record is not None:
                if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
                    record.response_status = response.status_code
                    record.response_body = response.content
                    record.response_content_type = response.get("Content-Type", "")
                    record.response_location = response.get("Location", "")[:500]
                    # On every POST with a key: written out rather than compiled (common.fastsql).
                    fastsql.update_by_pk(
                        IdempotencyKey,
                        record.pk,
                        {
                            "response_status": record.response_status,
                            "response_body": record.response_body,
                            "response_content_type": record.response_content_type,
                            "response_location": record.response_location,
                        },
                    )
                else:
                    transaction.set_rollback(True)
        return response

    return wrapper
