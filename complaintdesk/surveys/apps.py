from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class SurveysConfig(AppConfig):
    name = "complaintdesk.surveys"
    label = "surveys"
    verbose_name = _("结果反馈、满意度与回访")

    def ready(self) -> None:
        from complaintdesk.complaints.services import transition_guard_register, transition_hook_register
        from complaintdesk.scripts.services import script_value_source_register
        from complaintdesk.sla.models import TimerKind
        from complaintdesk.sla.services import clock_provider_register
        from complaintdesk.sla.timers import timer_handler_register

        from . import anonymise, clocks, contact_closing, follow_ups, resolution, selectors

        # The follow-up (回访) is due a policy-set time after the case is resolved: the resolving transition
        # creates the task (hook), the clock refresh keeps its durable timer (provider), the sweep handles it.
        transition_hook_register(follow_ups.follow_up_on_transition)
        # An inquiry, a suggestion or praise tells its customer how it ended (the answer, what became of it).
        transition_hook_register(contact_closing.contact_closing_told)
        clock_provider_register(clocks.follow_up_clocks)
        timer_handler_register(kinds=[TimerKind.FOLLOW_UP], handler=follow_ups.follow_up_on_timer)
        # A case is resolved only through feeding back the result (accepted, or the customer unreachable).
        transition_guard_register(resolution.resolution_needs_feedback)
        # The feedback and follow-up scripts are filled with the result the customer was told.
        script_value_source_register(
            selectors.result_script_values, names=("cause", "measures", "result", "compensation")
        )

        # An expired case's results, survey comments and follow-up notes lose their personal data with it.
        case_anonymise_step_register("surveys", anonymise.surveys_anonymise)
