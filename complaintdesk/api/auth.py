from django.http import HttpRequest
from ninja.security import HttpBearer

from complaintdesk.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `manage.py issue_api_token`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token=token)
        if user is not None:
            request.user = user
        return user
