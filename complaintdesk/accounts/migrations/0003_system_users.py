"""The system's own accounts (accounts.models.SystemUser), created here instead of on first use by each
app. A copy of the table as it was when written: migrations must not change when the code does.

An account that an earlier version had already created on first use keeps its row (timeline events refer
to it) and gets the Chinese name; its role and unit are left as they are."""

from django.contrib.auth.hashers import make_password
from django.db import migrations

ROLE = "general_management"
GROUP = "role:general_management"  # accounts.roles.group_name; roles_sync fills its permissions after migrate
ACCOUNTS = [
    ("system.escalation", "升级规则（系统）"),
    ("system.intelligence", "智能分析（系统）"),
    ("system.surveys", "满意度评价（系统）"),
]


def system_users_create(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for username, display_name in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": ROLE,
                "org_unit": None,
                "display_name": display_name,
                "password": make_password(None),  # unusable: nobody signs in as it
                "is_active": True,
            },
        )
        if not created and user.display_name != display_name:
            User.objects.filter(pk=user.pk).update(display_name=display_name)
        if created:
            user.groups.add(group)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Not removed when migrating back: timeline events refer to these accounts.
    operations = [migrations.RunPython(system_users_create, migrations.RunPython.noop)]
