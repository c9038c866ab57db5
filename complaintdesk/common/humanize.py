"""Quantities as people say them: a duration is "2小时15分" or "3天", never a count of seconds."""

from django.utils.translation import gettext as _


def duration_for_people(seconds: float | int | None) -> str:
    """A length of time in the two largest units that matter: "3天", "3天4小时", "2小时15分", "45分钟",
    "不到1分钟"; "—" when unknown. Negative durations read as their length."""
    if seconds is None:
        return "—"
    total = int(round(abs(float(seconds))))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours} if hours else _("%(d)d天") % {"d": days}
    if hours:
        return (
            _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes} if minutes else _("%(h)d小时") % {"h": hours}
        )
    if minutes:
        return _("%(m)d分钟") % {"m": minutes}
    return _("不到1分钟")
