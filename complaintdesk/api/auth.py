from django.http import HttpRequest
from ninja.security import HttpBearer

from complaintdesk.accounts.services import api_token_authenticate
from complaintdesk.common.ratelimit import RateLimited, client_ip, ratelimit_hit

# Failed authentication attempts per client address (settings.RATE_LIMITS).
AUTH_FAILURE_SCOPE = "api-auth-failure"


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `manage.py issue_api_token`.

    Every request without valid credentials counts against its address; past the limit the answer is
    429 with Retry-After instead of 401. Valid tokens are never limited here.
    """

    def __call__(self, request: HttpRequest):
        user = super().__call__(request)
        if user:
            return user
        retry_after = ratelimit_hit(scope=AUTH_FAILURE_SCOPE, key=client_ip(request))
        if retry_after:
            raise RateLimited(scope=AUTH_FAILURE_SCOPE, retry_after=retry_after)
        return None

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token=token)
        if user is not None:
            request.user = user
        return user
