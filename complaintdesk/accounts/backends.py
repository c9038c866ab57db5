"""Permissions from the role table, without a query.

Django's ModelBackend reads a user's permissions from the database (two queries per request: the
user's own and their groups'). Here the permissions of the complaints app — the ones every request
checks — come from `roles.ROLE_PERMISSIONS` and the role on the user row, which the request has
loaded anyway (session or token). The role groups that `roles.roles_sync` keeps are the same table
written to the database, for the admin and for reports; nothing grants complaint permissions any
other way (the user admin shows no groups or permissions; `user_set_role` keeps the group in step).
So a change of role takes effect on the user's next request, in every process, with nothing cached.
Permissions of other apps (the admin's model permissions) are still ModelBackend's.
"""

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS

APP = "complaints"


def role_permissions(role: str) -> frozenset[str]:
    """`complaints.<codename>` for each permission of the role."""
    return _ROLE_PERMS.get(role, frozenset())


_ROLE_PERMS: dict[str, frozenset[str]] = {
    role: frozenset(f"{APP}.{codename}" for codename in codenames)
    for role, codenames in ROLE_PERMISSIONS.items()
}


class RolePermissionBackend(ModelBackend):
    """ModelBackend (authentication, other apps' permissions) with the complaints permissions from
    the role table. Superusers get every permission before any backend is asked (PermissionsMixin)."""

    def has_perm(self, user_obj, perm, obj=None):
        if perm.startswith(APP + "."):
            return bool(
                user_obj.is_active and obj is None and perm in role_permissions(getattr(user_obj, "role", ""))
            )
        return super().has_perm(user_obj, perm, obj=obj)

    def has_module_perms(self, user_obj, app_label):
        if app_label == APP:
            return bool(user_obj.is_active and role_permissions(getattr(user_obj, "role", "")))
        return super().has_module_perms(user_obj, app_label)

    def get_group_permissions(self, user_obj, obj=None):
        # The role's group holds exactly the role's complaints permissions (roles_sync).
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(role_permissions(getattr(user_obj, "role", "")))
