"""The default retention (3 years from closure) and the 审计员 auditor group (read-only: the access log,
the holds, the anonymisation runs, the retention rules).

No credit-report (征信) category exists in the shipped data or the demo, so no rule for one is made
here: an organisation that has one adds a rule for it in the admin (docs/privacy.md)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUDITOR_GROUP = "审计员 auditor"  # privacy.access.AUDITOR_GROUP
AUDITOR_PERMISSIONS = ("view_accesslog", "view_legalhold", "view_anonymisationrun", "view_retentionrule")
DEFAULT_NOTE = (
    "默认：结案（归档或撤诉）后保存 3 年，期满匿名化个人信息，统计数据保留。"
    "征信等需要更长保存期限的类别请单独设置规则，期限以本机构合规部门确认为准。"
)


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("privacy")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    if not RetentionRule.objects.filter(category__isnull=True).exists():
        RetentionRule.objects.create(category=None, years=3, months=0, note=DEFAULT_NOTE)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=AUDITOR_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="privacy", codename__in=AUDITOR_PERMISSIONS)
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_retention_holds_access_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
