from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register
from complaintdesk.common.catalogue_text import catalogue_names_register, in_reader_language
from complaintdesk.common.configcache import config_watch


class EscalationConfig(AppConfig):
    name = "complaintdesk.escalation"
    label = "escalation"
    verbose_name = _("投诉升级")

    def ready(self) -> None:
        from complaintdesk.complaints.event_text import timeline_field_register
        from complaintdesk.complaints.services import transition_route_register
        from complaintdesk.complaints.states import Status
        from complaintdesk.notifications.services import notification_delivered_hook_register
        from complaintdesk.sla.services import clock_provider_register
        from complaintdesk.sla.timers import (
            after_pass_register,
            batch_end_register,
            batch_rows_flush_register,
            batch_start_register,
            timer_handler_register,
        )

        from . import anonymise, bursts, clocks, notify, selectors, services
        from .models import ReferralOutcome

        clock_provider_register(clocks.escalation_clocks)
        # "→ escalated" anywhere (case page, API, other apps) runs the ladder, not a status change alone.
        transition_route_register(target=Status.ESCALATED, route=services.escalation_transition_route)
        timer_handler_register(kinds=services.HANDLED_TIMER_KINDS, handler=services.escalation_on_timer)
        # A burst: the holders' notices of a batch's hand-offs decided together, digests after the pass.
        batch_start_register(selectors.case_escalations_load)
        batch_end_register(bursts.batch_notices_decide)
        # … its cases' new escalation rows and hand-offs written in one INSERT each.
        batch_rows_flush_register(services.STATE_ROWS_KEY, services.batch_states_write)
        batch_rows_flush_register(services.HAND_OFF_ROWS_KEY, services.batch_hand_offs_write)
        after_pass_register(bursts.holder_digests_send)
        # The customer told who holds the case now: the level's acknowledge deadline is met when it is sent.
        notification_delivered_hook_register(
            template_code=notify.ESCALATED_TEMPLATE, hook=services.customer_told_delivered
        )
        # What escalation writes on the timeline, in words.
        timeline_field_register(field="escalation_level", label=_("升级层级"), values=in_reader_language)
        config_watch(selectors.LEVEL_NAMES_AREA, "escalation.EscalationLevel")
        catalogue_names_register(selectors.level_names)
        timeline_field_register(field="level_acknowledge_due_at", label=_("本层级告知客户时限"))
        timeline_field_register(field="level_resolve_due_at", label=_("本层级解决时限"))
        timeline_field_register(field="level_acknowledged_at", label=_("已告知客户由本层级承接"))
        timeline_field_register(field="external_referral", label=_("外部转办"))
        timeline_field_register(
            field="external_referral_outcome", label=_("外部机构的结果"), values=dict(ReferralOutcome.choices)
        )
        # An expired case's hand-off reasons and referral notes lose their personal data with it.
        case_anonymise_step_register("escalation", anonymise.escalation_anonymise)
