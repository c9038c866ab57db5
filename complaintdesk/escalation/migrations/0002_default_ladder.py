"""The default escalation ladder (SPEC §2 step 4; seed 001). A copy of escalation/defaults.py as it
was when written: migrations must not change when the code does."""

from django.db import migrations

LADDER = {"name": "默认升级阶梯", "reputation_risk_level": 3, "batch_level": 2}
# (position, code, name, name_en, holder_role, is_external, resolve_limit_general,
#  on_acknowledge_breach, on_resolve_breach, notify_roles)
LEVELS = [
    (0, "front_line", "一线客服", "Front-line agent", "agent", False, "", "notify", "escalate", ["business_manager"]),
    (1, "business_manager", "业务经理", "Business manager", "business_manager", False, "3wd", "notify", "escalate",
     ["branch_head"]),
    (2, "branch_head", "营业机构负责人", "Branch head", "branch_head", False, "", "notify", "escalate",
     ["general_management"]),
    (3, "general_management", "综合管理部", "General management dept", "general_management", False, "", "notify",
     "escalate", ["executive"]),
    (4, "executive", "管理层", "Executive management", "executive", False, "", "notify", "notify",
     ["general_management", "executive"]),
    (5, "external", "外部机构", "External body", "", True, "", "none", "none", []),
]


def create_default_ladder(apps, schema_editor):
    Ladder = apps.get_model("escalation", "EscalationLadder")
    Level = apps.get_model("escalation", "EscalationLevel")
    if Ladder.objects.filter(org_unit__isnull=True).exists():
        return
    ladder = Ladder.objects.create(org_unit=None, is_active=True, **LADDER)
    Level.objects.bulk_create(
        Level(
            ladder=ladder, position=position, code=code, name=name, name_en=name_en, holder_role=role,
            is_external=external, resolve_limit_general=general, on_acknowledge_breach=on_ack,
            on_resolve_breach=on_resolve, notify_roles=notify,
        )
        for position, code, name, name_en, role, external, general, on_ack, on_resolve, notify in LEVELS
    )


def remove_default_ladder(apps, schema_editor):
    apps.get_model("escalation", "EscalationLadder").objects.filter(org_unit__isnull=True, name=LADDER["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_initial")]

    operations = [migrations.RunPython(create_default_ladder, remove_default_ladder)]
