from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

from complaintdesk.common.anonymisation import case_anonymise_step_register


class DispatchConfig(AppConfig):
    name = "complaintdesk.dispatch"
    label = "dispatch"
    verbose_name = pgettext_lazy("plural", "派工单")

    def ready(self) -> None:
        from complaintdesk.complaints.contacts import suggestion_route_hook_register
        from complaintdesk.complaints.event_text import timeline_values_register
        from complaintdesk.complaints.models import EventKind
        from complaintdesk.complaints.services import transition_guard_register
        from complaintdesk.complaints.transfers import transfer_hook_register
        from complaintdesk.sla.services import clock_provider_register
        from complaintdesk.sla.timers import batch_start_register, timer_handler_register

        from . import anonymise, clocks, notify, services
        from .models import WorkOrderStatus

        clock_provider_register(clocks.work_order_clocks)
        batch_start_register(clocks.work_orders_batch_load)  # an SLA batch reads its cases' orders at once
        timer_handler_register(kinds=services.HANDLED_TIMER_KINDS, handler=services.work_order_on_timer)
        transition_guard_register(services.resolution_waits_for_work_orders)
        # A suggestion routed to its owner unit: the unit's staff are told in their inbox.
        suggestion_route_hook_register(notify.suggestion_routed_notify)
        transfer_hook_register(notify.cases_transferred_notify)  # the receiving units' people are told
        # A work order's state on the timeline, in words.
        timeline_values_register(kind=EventKind.WORK_ORDER, values=dict(WorkOrderStatus.choices))
        # An expired case's work orders lose their personal data with it.
        case_anonymise_step_register("dispatch", anonymise.work_orders_anonymise)
