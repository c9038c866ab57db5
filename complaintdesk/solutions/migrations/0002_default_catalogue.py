"""The default remedy catalogue and compensation authority per role (SPEC §2 step 3; seed 001). A copy of
solutions/defaults.py as it was when written: migrations must not change when the code does."""

from decimal import Decimal

from django.db import migrations

REMEDIES = [
    ("fee_waiver", "费用减免", "Fee waiver", True),
    ("refund", "退款", "Refund", True),
    ("exchange", "换货", "Exchange", True),
    ("repair", "维修", "Repair", True),
    ("service_adjustment", "服务调整", "Service adjustment", True),
    ("coupon", "优惠券", "Coupon", True),
    ("gift", "礼品", "Gift", True),
    ("apology", "道歉", "Apology", False),
]
# role, per case, per month, approval limit (None: no limit)
AUTHORITY = [
    ("agent", Decimal("200"), Decimal("2000"), "1wd"),
    ("business_manager", Decimal("1000"), Decimal("20000"), "1wd"),
    ("branch_head", Decimal("5000"), Decimal("100000"), "1wd"),
    ("general_management", Decimal("20000"), Decimal("500000"), "1wd"),
    ("executive", None, None, "1wd"),
]


def create_defaults(apps, schema_editor):
    Remedy = apps.get_model("solutions", "Remedy")
    Authority = apps.get_model("solutions", "CompensationAuthority")
    for order, (code, name, name_en, material) in enumerate(REMEDIES):
        Remedy.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_material": material, "sort_order": order * 10}
        )
    for role, per_case, per_month, approval in AUTHORITY:
        Authority.objects.get_or_create(
            role=role, defaults={"per_case_limit": per_case, "per_month_limit": per_month, "approval_limit": approval}
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("solutions", "CompensationAuthority").objects.filter(role__in=[a[0] for a in AUTHORITY]).delete()


class Migration(migrations.Migration):
    dependencies = [("solutions", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
