"""Who may place a legal hold and who may read the access log.

The complaints permissions come from the role table (accounts.backends), which does not read the
permissions of other groups; so the privacy permissions are asked here: a superuser, a permission given
to the user, a group holding it (the 审计员 auditor group made by migration 0002), or — for holds — a
role that answers for the cases of its units anyway (supervisor, 综合管理部, executive)."""

from django.contrib.auth.models import Permission

from complaintdesk.accounts.models import Role

AUDITOR_GROUP = "审计员 auditor"
HOLD_PERMISSION = "hold_case"
LOG_PERMISSION = "view_accesslog"
HOLDS_VIEW_PERMISSION = "view_legalhold"
# Roles that place and release holds without a grant of their own: those who answer for a unit's cases
# (主管) and the compliance side of the organisation (综合管理部, 管理层). Administrators are superusers.
HOLD_ROLES = frozenset({Role.SUPERVISOR, Role.GENERAL_MANAGEMENT, Role.EXECUTIVE})


def _granted(user, codename: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.has_perm(f"privacy.{codename}"):  # superusers, a permission given to the user
        return True
    cache = user.__dict__.setdefault("_privacy_perms", {})
    if codename not in cache:
        cache[codename] = Permission.objects.filter(
            content_type__app_label="privacy", codename=codename, group__user=user
        ).exists()
    return cache[codename]


def user_may_hold(user) -> bool:
    """Place and release legal holds (privacy.hold_case)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return getattr(user, "role", "") in HOLD_ROLES or _granted(user, HOLD_PERMISSION)


def user_may_audit(user) -> bool:
    """Read the personal-data access log (the auditor; privacy.view_accesslog)."""
    return _granted(user, LOG_PERMISSION)


def user_may_view_holds(user) -> bool:
    return user_may_hold(user) or _granted(user, HOLDS_VIEW_PERMISSION)
