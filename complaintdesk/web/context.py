"""The header's counts on every staff page (a template context processor): unread notifications and
the approvals waiting for this person. Lazy: counted only when a template shows them, once per request."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import cached_property

from complaintdesk.inbox.selectors import staff_unread_count
from complaintdesk.solutions.selectors import approvals_pending_count, approver_roles


class HeaderCounts:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return staff_unread_count(user=self.user)

    @cached_property
    def approvals(self) -> int:
        return approvals_pending_count(user=self.user)

    @cached_property
    def approves(self) -> bool:
        """Whether the approvals queue belongs in this person's header: their role approves, or
        something waits for them anyway."""
        return self.user.role in approver_roles() or self.approvals > 0


def header_counts(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_counts": HeaderCounts(user)}
