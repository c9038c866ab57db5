"""API v1: JSON over HTTP, bearer tokens, problem+json errors, OpenAPI 3 at /api/v1/openapi.json."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from complaintdesk.common.errors import DomainError

from . import problems
from .auth import BearerToken
from .complaints import router as complaints_router

api = NinjaAPI(
    title="ComplaintDesk API",
    version="1",
    description="客户投诉处理系统接口。认证：`Authorization: Bearer <token>`（`manage.py issue_api_token 用户名`）。"
    "时间为带时区偏移的 ISO 8601；错误为 application/problem+json，`errors` 按字段列出原因。",
    auth=BearerToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_exception_handler(ValidationError, problems.on_validation_error)
api.add_exception_handler(DomainError, problems.on_domain_error)
api.add_exception_handler(HttpError, problems.on_http_error)
api.add_exception_handler(Http404, problems.on_not_found)
api.add_router("/", complaints_router)
