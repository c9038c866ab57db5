"""/readyz: can this instance do its work, and is the system around it keeping up?

Each check gives (ok, facts, reason). Not ready when the database or (if configured) Redis does not
answer, no worker has taken a job for READYZ_WORKER_MAX_AGE_SECONDS, more than READYZ_MAX_QUEUE_DEPTH
jobs wait, or a live SLA timer is overdue by more than READYZ_MAX_TIMER_LAG_SECONDS."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from complaintdesk.common.time import now

from . import probes


@dataclass
class Readiness:
    checks: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict:
        return {
            "status": "ok" if self.ready else "unavailable",
            "checks": self.checks,
            "reasons": self.reasons,
        }


def _limit(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def readiness_check() -> Readiness:
    result = Readiness()
    at = now()
    try:
        probes.database_ok()
        result.checks["database"] = {"ok": True}
    except Exception as error:  # any failure to answer is the fact being reported
        result.checks["database"] = {"ok": False}
        result.reasons.append(_("数据库无法连接：%(error)s") % {"error": error})
        return result  # the other checks read the database
    if probes.uses_redis():
        try:
            probes.redis_ok()
            result.checks["redis"] = {"ok": True}
        except Exception as error:
            result.checks["redis"] = {"ok": False}
            result.reasons.append(_("Redis 无法连接：%(error)s") % {"error": error})

    max_age = _limit("READYZ_WORKER_MAX_AGE_SECONDS", 120)
    last = probes.last_job_at()
    age = (at - last).total_seconds() if last else None
    worker_ok = age is not None and age <= max_age
    result.checks["worker"] = {
        "ok": worker_ok,
        "last_job_at": last.isoformat() if last else None,
        "age_seconds": round(age, 1) if age is not None else None,
    }
    if last is None:
        result.reasons.append(_("后台任务进程尚未处理过任务"))
    elif not worker_ok:
        result.reasons.append(
            _("后台任务进程已 %(seconds)d 秒未处理任务（上限 %(limit)d 秒）")
            % {"seconds": age, "limit": max_age}
        )

    try:
        depth = probes.queue_depth()
    except Exception as error:
        result.checks["queue"] = {"ok": False, "depth": None}
        result.reasons.append(_("无法读取任务队列：%(error)s") % {"error": error})
    else:
        max_depth = int(_limit("READYZ_MAX_QUEUE_DEPTH", 1000))
        result.checks["queue"] = {"ok": depth <= max_depth, "depth": depth}
        if depth > max_depth:
            result.reasons.append(
                _("任务队列积压 %(depth)d 个（上限 %(limit)d）") % {"depth": depth, "limit": max_depth}
            )

    lag = probes.oldest_overdue_timer_seconds(at=at)
    max_lag = _limit("READYZ_MAX_TIMER_LAG_SECONDS", 300)
    result.checks["timers"] = {"ok": lag <= max_lag, "oldest_overdue_seconds": round(lag, 1)}
    if lag > max_lag:
        result.reasons.append(
            _("最早的逾期时限计时器已等待 %(seconds)d 秒未处理（上限 %(limit)d 秒）")
            % {"seconds": lag, "limit": max_lag}
        )
    return result
