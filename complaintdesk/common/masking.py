"""Masking of personal data for roles that don't need it. Pure."""


def mask_phone(value: str) -> str:
    """+8613800138000 → 138****8000; keeps the last four digits and a recognisable start."""
    digits = value.removeprefix("+86") if value.startswith("+86") else value
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_start = 3 if len(digits) >= 11 else max(len(digits) - 8, 1)
    return digits[:keep_start] + "*" * (len(digits) - keep_start - 4) + digits[-4:]


def mask_email(value: str) -> str:
    local, _sep, domain = value.partition("@")
    if not domain:
        return mask_text(value)
    return (local[:1] + "***@" + domain) if local else "***@" + domain


def mask_text(value: str, keep: int = 1) -> str:
    """For account numbers, ID numbers, addresses: first and last `keep` characters stay."""
    if len(value) <= keep * 2:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep * 2) + value[-keep:]


def mask_name(value: str) -> str:
    """王小明 → 王**, 王芳 → 王*: the surname stays (how staff address the customer), the rest is hidden."""
    value = value.strip()
    if len(value) <= 1:
        return value
    return value[:1] + "*" * min(len(value) - 1, 3)
