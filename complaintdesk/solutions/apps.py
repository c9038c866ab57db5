from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class SolutionsConfig(AppConfig):
    name = "complaintdesk.solutions"
    label = "solutions"
    verbose_name = _("解决方案与补偿")

    def ready(self) -> None:
        from complaintdesk.complaints.event_text import timeline_values_register
        from complaintdesk.complaints.models import EventKind
        from complaintdesk.complaints.services import transition_guard_register
        from complaintdesk.scripts.services import script_value_source_register
        from complaintdesk.sla.services import clock_provider_register
        from complaintdesk.sla.timers import batch_start_register, timer_handler_register

        from . import anonymise, clocks, selectors, services
        from .models import ApprovalStatus, ProposalStatus

        clock_provider_register(clocks.approval_clocks)
        batch_start_register(clocks.approvals_batch_load)  # an SLA batch reads its cases' requests at once
        timer_handler_register(kinds=services.HANDLED_TIMER_KINDS, handler=services.approval_on_timer)
        transition_guard_register(services.resolution_waits_for_approvals)
        # The reply, feedback and follow-up scripts quote the options offered and the one chosen.
        script_value_source_register(selectors.script_value_source, names=selectors.SCRIPT_VALUE_NAMES)
        # A proposal's or an approval's state on the timeline, in words.
        for kind in (EventKind.SOLUTION_PROPOSED, EventKind.SOLUTION_CHOSEN):
            timeline_values_register(kind=kind, values=dict(ProposalStatus.choices))
        for kind in (EventKind.APPROVAL_REQUESTED, EventKind.APPROVAL_DECIDED):
            timeline_values_register(kind=kind, values=dict(ApprovalStatus.choices))
        # An expired case's proposals and approval requests lose their personal data with it.
        case_anonymise_step_register("solutions", anonymise.solutions_anonymise)
