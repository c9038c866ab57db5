"""API v1: JSON over HTTP, bearer tokens, problem+json errors, OpenAPI 3 at /api/v1/openapi.json."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from complaintdesk.common.errors import DomainError
from complaintdesk.common.ratelimit import RateLimited, ratelimited

from . import problems
from .analytics import router as analytics_router
from .archive import router as archive_router
from .auth import BearerToken
from .complaints import router as complaints_router
from .contact import router as contact_router
from .customers import router as customers_router
from .escalation import router as escalation_router
from .events import router as events_router
from .feedback import router as feedback_router
from .groups import router as groups_router
from .guards import body_size_guard, content_type_guard, database_unavailable_guard, text_guard
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import IdempotentReplay, idempotency_claim, idempotent_transaction
from .quality import router as quality_router
from .regulation import router as regulation_router
from .solutions import router as solutions_router
from .work_orders import router as work_orders_router

_PROBLEM = {"$ref": "#/components/schemas/ProblemOut"}
_STANDARD_PROBLEMS = {
    "409": "Idempotency-Key 已用于另一个请求（内容不同），或同一键的请求正在处理",
    "413": "请求体太大",
    "415": "请求体的 Content-Type 不是本接口读取的类型（JSON 接口只接受 application/json）",
    "422": "提交的数据有误：字段格式或业务规则不满足（如时间早于 2000-01-01、状态不允许此操作、文本含空字符）；"
    "`errors` 按字段列出原因",
    "429": "未认证的请求过于频繁；见 Retry-After",
    "503": "数据库暂时不可用；见 Retry-After（POST 请带同一个 Idempotency-Key 重试）",
}


class ComplaintDeskAPI(NinjaAPI):
    """Adds what decorators do to every operation to the schema: the Idempotency-Key header on each
    POST, and the problem responses they can give (409, 413, 415, 422, 429, 503)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("parameters", {})["IdempotencyKey"] = {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": False,
            "description": "同一主体用同一个键重试时返回第一次的响应（状态与内容相同），不会重复登记；"
            "同一个键配不同的请求内容返回 409。建议用 UUID。",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
        }
        components.setdefault("headers", {})["RetryAfter"] = {
            "description": "多少秒后可以重试",
            "schema": {"type": "integer"},
        }
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                responses = operation["responses"] = {
                    str(status): response for status, response in operation.get("responses", {}).items()
                }
                wanted = ["429", "503"] + (
                    ["409", "413"] if method == "post" else ["413"] if method == "patch" else []
                )
                if operation.get("parameters") or operation.get("requestBody"):
                    wanted.append("422")
                if operation.get("requestBody"):
                    wanted.append("415")
                for status in wanted:
                    responses.setdefault(
                        status,
                        {
                            "description": _STANDARD_PROBLEMS[status],
                            "content": {"application/json": {"schema": _PROBLEM}},
                        },
                    )
                if responses.get("422", {}).get("description") == "Unprocessable Entity":  # ninja's default
                    responses["422"]["description"] = _STANDARD_PROBLEMS["422"]
                for status in ("429", "503"):
                    responses[status].setdefault(
                        "headers", {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
                    )
                for status, response in responses.items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content:
                        content.setdefault("application/problem+json", content["application/json"])
                if method == "post":
                    operation.setdefault("parameters", []).append(
                        {"$ref": "#/components/parameters/IdempotencyKey"}
                    )
        return schema


api = ComplaintDeskAPI(
    title="ComplaintDesk API",
    version="1",
    description="客户投诉处理系统接口。认证：`Authorization: Bearer <token>`（`manage.py issue_api_token 用户名`）。"
    "时间为带时区偏移的 ISO 8601；错误为 application/problem+json，`errors` 按字段列出原因。"
    "每个 POST 都接受 `Idempotency-Key` 头：重试时带上同一个键，不会重复登记。"
    "列表用游标分页：把 `next_cursor` 作为 `cursor` 传回。",
    auth=BearerToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=ratelimited("api-docs"),
)
api.add_exception_handler(ValidationError, problems.on_validation_error)
api.add_exception_handler(DomainError, problems.on_domain_error)
api.add_exception_handler(HttpError, problems.on_http_error)
api.add_exception_handler(Http404, problems.on_not_found)
api.add_exception_handler(RequestDataTooBig, problems.on_request_too_big)
api.add_exception_handler(TooManyFieldsSent, problems.on_request_too_big)
api.add_exception_handler(RateLimited, problems.on_rate_limited)
api.add_exception_handler(IdempotentReplay, problems.on_idempotent_replay)
# Each view decorator wraps the ones added before it. From the outside in: a database that is away
# answers 503; the size check before anything reads the body; then its Content-Type and text no
# column can hold; then the idempotency transaction around the whole operation, and the key's claim
# after authentication and validation.
api.add_decorator(idempotent_transaction, mode="view")
api.add_decorator(text_guard, mode="view")
api.add_decorator(content_type_guard, mode="view")
api.add_decorator(body_size_guard, mode="view")
api.add_decorator(database_unavailable_guard, mode="view")
api.add_decorator(idempotency_claim, mode="operation")
api.add_router("/", complaints_router)
api.add_router("/", customers_router)
api.add_router("/", groups_router)
api.add_router("/", solutions_router)
api.add_router("/", work_orders_router)
api.add_router("/", feedback_router)
api.add_router("/", contact_router)
api.add_router("/", escalation_router)
api.add_router("/", archive_router)
api.add_router("/", quality_router)
api.add_router("/", analytics_router)
api.add_router("/", regulation_router)
api.add_router("/", events_router)
