"""The built-in remedy catalogue and compensation authority (data migration 0002 writes the same rows;
`selectors.authority_for_role` falls back to these when the table has no row for a role).

Amounts are yuan. The front line may settle small cases on the spot, each level above may grant more,
the executive has no limit (seed 001: front-line staff are authorised to compensate up to a limit).
"""

from decimal import Decimal

from complaintdesk.accounts.models import Role

# (code, name, name_en, is_material)
DEFAULT_REMEDIES: tuple[tuple[str, str, str, bool], ...] = (
    ("fee_waiver", "费用减免", "Fee waiver", True),
    ("refund", "退款", "Refund", True),
    ("exchange", "换货", "Exchange", True),
    ("repair", "维修", "Repair", True),
    ("service_adjustment", "服务调整", "Service adjustment", True),
    ("coupon", "优惠券", "Coupon", True),
    ("gift", "礼品", "Gift", True),
    ("apology", "道歉", "Apology", False),
)

# role: (per case, per month, approval limit); None = no limit
DEFAULT_AUTHORITY: dict[str, tuple[Decimal | None, Decimal | None, str]] = {
    Role.AGENT: (Decimal("200"), Decimal("2000"), "1wd"),
    Role.BUSINESS_MANAGER: (Decimal("1000"), Decimal("20000"), "1wd"),
    Role.BRANCH_HEAD: (Decimal("5000"), Decimal("100000"), "1wd"),
    Role.GENERAL_MANAGEMENT: (Decimal("20000"), Decimal("500000"), "1wd"),
    Role.EXECUTIVE: (None, None, "1wd"),
}
DEFAULT_APPROVAL_LIMIT = "1wd"
