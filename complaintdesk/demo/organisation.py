"""The demo organisation: its unit tree, complaint categories and the default SLA policy.

Used by `manage.py load_demo` and by `bench/seed.py`, which builds the same tree when it is absent.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from complaintdesk.calendars.models import BusinessHours
from complaintdesk.complaints.models import Category
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.sla.models import SlaPolicy

# The demo exists when this unit does; load_demo then loads nothing.
DEMO_ROOT_CODE = "HQ"
DEFAULT_POLICY_NAME = "默认时限策略"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    city: str  # where its customers live: sample texts name districts of this city


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("HQ", "总部", "Headquarters", UnitKind.HQ, None, "北京"),
    # Complaints received centrally (web form without a store, WeChat, e-mail) land here and are handed on
    # (转办) to the branch or store responsible (channels.services.central_desk_unit).
    UnitSpec("CSC", "客服中心", "Customer Service Centre", UnitKind.SERVICE_CENTRE, "HQ", "北京"),
    UnitSpec("EAST", "华东大区", "East China Region", UnitKind.REGION, "HQ", "上海"),
    UnitSpec("SOUTH", "华南大区", "South China Region", UnitKind.REGION, "HQ", "广州"),
    UnitSpec("SH", "上海分公司", "Shanghai Branch", UnitKind.BRANCH, "EAST", "上海"),
    UnitSpec("SH-S01", "上海徐汇加盟店", "Shanghai Xuhui Franchise Store", UnitKind.FRANCHISE, "SH", "上海"),
    UnitSpec("SH-S02", "上海浦东加盟店", "Shanghai Pudong Franchise Store", UnitKind.FRANCHISE, "SH", "上海"),
    UnitSpec("HZ", "杭州分公司", "Hangzhou Branch", UnitKind.BRANCH, "EAST", "杭州"),
    UnitSpec(
        "HZ-S01", "杭州西湖加盟店", "Hangzhou West Lake Franchise Store", UnitKind.FRANCHISE, "HZ", "杭州"
    ),
    UnitSpec("GZ", "广州分公司", "Guangzhou Branch", UnitKind.BRANCH, "SOUTH", "广州"),
    UnitSpec(
        "GZ-S01", "广州天河加盟店", "Guangzhou Tianhe Franchise Store", UnitKind.FRANCHISE, "GZ", "广州"
    ),
    UnitSpec(
        "GZ-S02", "广州越秀加盟店", "Guangzhou Yuexiu Franchise Store", UnitKind.FRANCHISE, "GZ", "广州"
    ),
    UnitSpec("SZ", "深圳分公司", "Shenzhen Branch", UnitKind.BRANCH, "SOUTH", "深圳"),
    UnitSpec(
        "SZ-S01", "深圳南山加盟店", "Shenzhen Nanshan Franchise Store", UnitKind.FRANCHISE, "SZ", "深圳"
    ),
    UnitSpec("BILLING", "计费部", "Billing Department", UnitKind.DEPARTMENT, "HQ", "北京"),
    UnitSpec("NETWORK", "网络部", "Network Department", UnitKind.DEPARTMENT, "HQ", "北京"),
)
UNIT_BY_CODE = {spec.code: spec for spec in UNITS}

# Units that take complaints from customers, with their share of the intake.
INTAKE_UNIT_WEIGHTS: dict[str, int] = {
    "SH": 18, "SH-S01": 12, "SH-S02": 9, "HZ": 14, "HZ-S01": 8,
    "GZ": 15, "GZ-S01": 9, "GZ-S02": 6, "SZ": 13, "SZ-S01": 7,
}  # fmt: skip

# SPEC §2 categories: (code, Chinese name, English name).
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("network_quality", "网络质量", "Network quality"),
    ("billing_dispute", "计费争议", "Billing dispute"),
    ("business_handling", "业务办理", "Business handling"),
    ("value_added_service", "增值业务", "Value-added service"),
    ("service_attitude", "服务态度", "Service attitude"),
    ("logistics", "物流配送", "Logistics"),
    ("product_quality", "产品质量", "Product quality"),
    ("other", "其他", "Other"),
)


# Business hours (local time), so that a promise to a customer falls when someone is at work: the
# organisation's offices 09:00–12:00 and 13:30–18:00, the customer service centre 08:00–20:00, stores
# 10:00–21:00. Only the demo has them: bench/seed.py builds the same tree without, as before.
OFFICE_HOURS = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18)))
UNIT_HOURS: dict[str, tuple[tuple[dt.time, dt.time], ...]] = {
    "CSC": ((dt.time(8), dt.time(20)),),
    **{spec.code: ((dt.time(10), dt.time(21)),) for spec in UNITS if spec.kind == UnitKind.FRANCHISE},
}


def _hours_row(unit: OrgUnit | None, periods: tuple[tuple[dt.time, dt.time], ...]) -> BusinessHours:
    first, *rest = periods
    second = rest[0] if rest else (None, None)
    return BusinessHours(
        org_unit=unit,
        first_start=first[0],
        first_end=first[1],
        second_start=second[0],
        second_end=second[1],
    )


def demo_business_hours_ensure(units: dict[str, OrgUnit]) -> None:
    """The organisation's default business hours and the units that keep other hours; none is
    changed when already set (an administrator's edit stays)."""
    rows = (
        [_hours_row(None, OFFICE_HOURS)] if not BusinessHours.objects.filter(org_unit=None).exists() else []
    )
    taken = set(
        BusinessHours.objects.filter(org_unit__code__in=UNIT_HOURS).values_list("org_unit__code", flat=True)
    )
    rows += [_hours_row(units[code], periods) for code, periods in UNIT_HOURS.items() if code not in taken]
    for row in rows:
        row.full_clean()
        row.save()


def storefront_name(code: str) -> str:
    """Where a customer of the unit goes in person: the store itself, or a branch's main service hall."""
    spec = UNIT_BY_CODE[code]
    if spec.kind in {UnitKind.STORE, UnitKind.FRANCHISE}:
        return spec.name
    return f"{spec.city}中心营业厅"


def demo_organisation_exists() -> bool:
    return OrgUnit.objects.filter(code=DEMO_ROOT_CODE).exists()


@transaction.atomic
def demo_organisation_build() -> dict[str, OrgUnit]:
    """Create the unit tree (through orgs.services), the categories and the default SLA policy."""
    units: dict[str, OrgUnit] = {}
    for spec in UNITS:  # parents come before their children
        units[spec.code] = orgunit_create(
            code=spec.code, name=spec.name, name_en=spec.name_en, kind=spec.kind,
            parent=units[spec.parent] if spec.parent else None,
        )  # fmt: skip
    # Categories and policies have no service of their own yet: they are plain configuration rows.
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    if not SlaPolicy.objects.filter(org_unit__isnull=True, category__isnull=True).exists():
        # Every limit left at the model default, which is SPEC §3.
        SlaPolicy.objects.create(name=DEFAULT_POLICY_NAME)
    return units


def demo_organisation_ensure() -> dict[str, OrgUnit]:
    """The demo units by code, built first when absent."""
    if not demo_organisation_exists():
        return demo_organisation_build()
    return {unit.code: unit for unit in OrgUnit.objects.filter(code__in=UNIT_BY_CODE)}
