from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class RegulationConfig(AppConfig):
    """Statutory deadline packs and regulatory classification (issue 15). A process-layer app: it reads
    cases and calendars; nothing below it imports it."""

    name = "complaintdesk.regulation"
    label = "regulation"
    verbose_name = _("监管合规")

    def ready(self) -> None:
        from complaintdesk.common.configcache import config_watch
        from complaintdesk.sla.services import clock_provider_register
        from complaintdesk.sla.timers import batch_start_register, timer_handler_register
        from complaintdesk.surveys.letters import result_requirement_register
        from complaintdesk.tasks.intake import after_intake_step_register

        from . import anonymise, clocks, letters, timeline  # noqa: F401  (timeline: names the timeline fields it writes)
        from .code_models import CODES_AREA
        from .selectors import CACHE_AREA
        from .tasks import codes_suggest_after_intake

        # The cached pack resolution (selectors.pack_selection_for, pack_version_on, pack_terms) depends on
        # the packs, their rules, the selections and the unit tree (a selection applies to a subtree).
        config_watch(
            CACHE_AREA,
            "regulation.PackSelection",
            "regulation.DeadlinePack",
            "regulation.DeadlineRule",
            "orgs.OrgUnit",
        )
        # The codes (with their keywords) and each dimension's active classifier, read by every suggestion.
        config_watch(
            CODES_AREA,
            "regulation.ClassificationScheme",
            "regulation.ClassificationDimension",
            "regulation.ClassificationCode",
            "regulation.CodeClassifierModel",
        )

        # Every case taken in gets its regulatory codes suggested from its text by a job of its own (the
        # dimension's trained classifier when confident, else the codes' keywords); the agent confirms.
        after_intake_step_register("regulatory-codes", codes_suggest_after_intake)

        # The statutory decision clock and each referral's report-back clock beside the SLA's (the earlier
        # drives the queue); their warnings and breaches on the timeline in words.
        clock_provider_register(clocks.regulation_clocks)
        batch_start_register(clocks.referrals_batch_load)  # an SLA batch reads its cases' referrals at once
        timer_handler_register(kinds=clocks.HANDLED_TIMER_KINDS, handler=clocks.on_timer)

        # A case under a pack is told the result as a decision letter (what was verified, the basis and
        # reasons, the routes if the customer disagrees): surveys asks the pack's terms through its registry.
        result_requirement_register(letters.decision_letter_terms)

        # A referral's report-back (the 12305 parts, the handler and their phone) is anonymised with its case
        # by the privacy retention job.
        case_anonymise_step_register("regulation", anonymise.referrals_anonymise)
        case_anonymise_step_register("regulation-extensions", anonymise.extensions_anonymise)
