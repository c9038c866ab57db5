"""Errors as RFC 9457 problem details (application/problem+json), with per-field messages. The shape itself
(problem_response, too_many_requests) is complaintdesk.common.problems."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from complaintdesk.common.errors import DomainError
from complaintdesk.common.problems import problem_response, too_many_requests
from complaintdesk.common.ratelimit import RateLimited
from complaintdesk.common.validation import pydantic_message

from .idempotency import IdempotentReplay, replay_response


def _field_path(loc) -> str:
    parts = [str(p) for p in loc]
    # ninja prefixes ("body", "<param name>", ...) — the client only knows the JSON path.
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        # A body error at ("body", "payload") is about the whole body (not an object, empty).
        if parts[0] == "body":
            parts = parts[2:]
        else:
            # Query, path and header parameters are flat: the name is the last non-index part
            # (a list parameter's error is at ("query", <schema>, name, index)).
            names = [p for p in parts[1:] if not p.isdigit()]
            parts = names[-1:]
    return ".".join(parts) or "body"


def on_validation_error(request: HttpRequest, exc: ValidationError) -> JsonResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_path(error.get("loc", ())), []).append(pydantic_message(error))
    return problem_response(status=422, code="invalid_input", title=_("提交的数据有误"), errors=errors)


def on_domain_error(request: HttpRequest, exc: DomainError) -> JsonResponse:
    return problem_response(status=exc.status, code=exc.code, title=exc.message, errors=exc.fields or None)


def on_http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        response = problem_response(status=401, code="unauthenticated", title=_("需要有效的访问令牌"))
        response["WWW-Authenticate"] = 'Bearer realm="complaintdesk"'
        return response
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return problem_response(
            status=400,
            code="malformed_json",
            title=_("请求体不是合法的 JSON"),
            errors={"body": [_("请求体不是合法的 JSON")]},
        )
    return problem_response(status=exc.status_code, code="http_error", title=str(exc))


def on_not_found(request: HttpRequest, exc: Exception) -> JsonResponse:
    return problem_response(status=404, code="not_found", title=_("未找到"))


def body_too_large(*, limit: int) -> JsonResponse:
    return problem_response(
        status=413,
        code="body_too_large",
        title=_("请求体太大"),
        detail=_("请求体不能超过 %(limit)s 字节") % {"limit": f"{limit:,}"},
        errors={"body": [_("请求体太大（上限 %(mb)s MB）") % {"mb": f"{limit / 1024 / 1024:.1f}"}]},
    )


def unsupported_media_type(*, accepted: list[str]) -> JsonResponse:
    return problem_response(
        status=415,
        code="unsupported_media_type",
        title=_("不支持的请求体类型"),
        detail=_("请求体应为 %(types)s（Content-Type 头）") % {"types": " / ".join(accepted)},
        errors={"body": [_("请求体应为 %(types)s（Content-Type 头）") % {"types": " / ".join(accepted)}]},
    )


def unstorable_text(*, fields: list[str]) -> JsonResponse:
    message = _("不能包含空字符（NUL）或无效的 Unicode 字符")
    return problem_response(
        status=422,
        code="invalid_input",
        title=_("提交的数据有误"),
        errors={field: [message] for field in fields},
    )


def service_unavailable(*, retry_after: int) -> JsonResponse:
    response = problem_response(
        status=503,
        code="service_unavailable",
        title=_("服务暂时不可用，请稍后重试"),
        detail=_("数据库暂时无法连接；%(seconds)s 秒后可重试（POST 请带同一个 Idempotency-Key）")
        % {"seconds": retry_after},
    )
    response["Retry-After"] = str(retry_after)
    return response


def on_request_too_big(request: HttpRequest, exc: Exception) -> JsonResponse:
    return body_too_large(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return too_many_requests(retry_after=exc.retry_after)


def on_idempotent_replay(request: HttpRequest, exc: IdempotentReplay) -> HttpResponse:
    return replay_response(exc.record)
