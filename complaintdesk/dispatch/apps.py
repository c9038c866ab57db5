from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "complaintdesk.dispatch"
    label = "dispatch"
    verbose_name = _("派工单")

    def ready(self) -> None:
        from complaintdesk.complaints.services import transition_guard_register
        from complaintdesk.sla.services import clock_provider_register
        from complaintdesk.sla.timers import timer_handler_register

        from . import clocks, services

        clock_provider_register(clocks.work_order_clocks)
        timer_handler_register(kinds=services.HANDLED_TIMER_KINDS, handler=services.work_order_on_timer)
        transition_guard_register(services.resolution_waits_for_work_orders)
