"""What each role may do, as Django groups and permissions. The table is the single source."""

from .models import Role

# Permission codenames are those of the Complaint model (its Meta.permissions plus Django's defaults).
# transfer_complaint: hand a case to another unit (complaints.transfers) — whoever works a queue or runs one.
_HANDLER = {
    "view_complaint",
    "add_complaint",
    "change_complaint",
    "handle_complaint",
    "escalate_complaint",
    "close_complaint",
    "reopen_complaint",
    "withdraw_complaint",
    "transfer_complaint",
}
_MANAGER = _HANDLER | {"assign_complaint", "view_personal_data"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.AGENT: _HANDLER,  # sees phone numbers masked; an audited reveal shows one (workbench)
    Role.BUSINESS_MANAGER: _MANAGER,
    Role.BRANCH_HEAD: _MANAGER,
    Role.GENERAL_MANAGEMENT: _MANAGER | {"view_all_units"},
    Role.EXECUTIVE: _MANAGER | {"view_all_units"},
    Role.SUPERVISOR: {
        "view_complaint",
        "assign_complaint",
        "escalate_complaint",
        "reopen_complaint",
        "transfer_complaint",
    },
    Role.QUALITY_INSPECTOR: {"view_complaint", "view_all_units"},
    Role.DEPARTMENT_STAFF: {"view_complaint", "handle_complaint"},
    Role.ADMINISTRATOR: _MANAGER | {"view_all_units", "assign_complaint"},
    Role.API_CLIENT: {"view_complaint", "add_complaint", "handle_complaint", "withdraw_complaint"},
}


def group_name(role: str) -> str:
    return f"role:{role}"


def roles_sync() -> None:
    """Create one group per role holding exactly the permissions of the table."""
    from django.contrib.auth.models import Group, Permission

    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="complaints")}
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set([perms[c] for c in ROLE_PERMISSIONS[role] if c in perms])


def roles_sync_on_migrate(*, app_config, **kwargs) -> None:
    if app_config.label == "complaints":
        roles_sync()
