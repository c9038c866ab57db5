"""The header's counts on every staff page (a template context processor): unread notifications, the
approvals waiting for this person, the cases handed to a department's staff waiting to be accepted, and whether
they work the regulator-referral queue and read the access log. Lazy: counted only when a template shows them, once per request."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import cached_property

from complaintdesk.inbox.selectors import staff_unread_count
from complaintdesk.privacy.access import user_may_audit
from complaintdesk.regulation.referrals import referral_queue_open_to
from complaintdesk.solutions.selectors import approvals_pending_count, approver_roles

from .selectors import department_queue_counts


class HeaderCounts:
    """A page whose database has gone (an error page) still renders: the counts are then left out."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        try:
            return staff_unread_count(user=self.user)
        except DatabaseError:
            return 0

    @cached_property
    def approvals(self) -> int:
        try:
            return approvals_pending_count(user=self.user)
        except DatabaseError:
            return 0

    @cached_property
    def approves(self) -> bool:
        """Whether the approvals queue belongs in this person's header: their role approves, or
        something waits for them anyway."""
        try:
            return self.user.role in approver_roles() or self.approvals > 0
        except DatabaseError:
            return False

    @cached_property
    def department(self) -> dict[str, int] | None:
        """For a department's staff, the cases their department holds by queue ("new": to accept first, "mine",
        "team"); the header links to them, their landing page shows them. None for everyone else."""
        try:
            return department_queue_counts(user=self.user)
        except DatabaseError:
            return None

    @cached_property
    def referrals(self) -> bool:
        """Whether the queue of cases referred by a regulator (监管转办) belongs in this person's header: only for
        those the queue opens to, never a link to a page that would refuse them."""
        return referral_queue_open_to(self.user)

    @cached_property
    def audits(self) -> bool:
        """Whether the personal-data access log belongs in this person's header (the auditor)."""
        try:
            return user_may_audit(self.user)
        except DatabaseError:
            return False


def header_counts(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_counts": HeaderCounts(user)}
