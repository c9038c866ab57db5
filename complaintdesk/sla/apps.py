from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"
    verbose_name = _("时限策略")

    def ready(self) -> None:
        from complaintdesk.common.configcache import config_watch
        from complaintdesk.complaints.clocks import case_clocks_register
        from complaintdesk.complaints.event_text import timeline_field_register

        from .models import TimerKind
        from .selectors import CACHE_AREA
        from .services import CASE_CLOCKS, case_pauses_load
        from .timers import (
            TIMER_ROWS_KEY,
            batch_rows_flush_register,
            batch_start_register,
            batch_timers_write,
        )

        # The complaint services set deadlines and pause the clocks through this app.
        case_clocks_register(CASE_CLOCKS)
        # An SLA batch reads its cases' closed pauses in one query.
        batch_start_register(case_pauses_load)
        # … and writes the timer rows its cases arm in one INSERT at its end.
        batch_rows_flush_register(TIMER_ROWS_KEY, batch_timers_write)

        # The cached policy resolution (selectors.sla_policy_for) depends on the policies and on the
        # unit tree (a policy applies to a unit's descendants by path).
        config_watch(CACHE_AREA, "sla.SlaPolicy", "orgs.OrgUnit")
        # A warning or breach on the timeline names its clock ("解决时限"), never the timer kind's code.
        for kind in TimerKind:
            timeline_field_register(
                field=kind.value, label=lambda kind=kind: gettext("%(clock)s时限") % {"clock": kind.label}
            )
