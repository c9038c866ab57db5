from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register, retention_step_register


class OutreachConfig(AppConfig):
    """Known incidents, proactive notice and customer care (issue 19 items 2-4): complaints that an incident
    explains are linked to it and answered with its explanation; customers concerned are told before they
    complain; festival greetings, birthday wishes and check-ins go to customers who agreed to them."""

    name = "complaintdesk.outreach"
    label = "outreach"
    verbose_name = _("事件与客户关怀")

    def ready(self) -> None:
        from complaintdesk.tasks.intake import after_intake_step_register

        from . import anonymise
        from .tasks import incident_match_after_intake

        # Every case taken in is compared with the incidents in progress by a job of its own; it runs after
        # the analysis has settled the case's category (tasks.intake.after_intake_settle).
        after_intake_step_register("incident-match", incident_match_after_intake)
        # Personal data out of what outreach keeps once its retention has ended (docs/privacy.md): an
        # expired case's link to its incident, and — by the same daily job — the messages of an incident
        # resolved longer ago than the default retention, care messages as old, the incident's account list.
        case_anonymise_step_register("outreach", anonymise.incident_link_anonymise)
        retention_step_register("outreach", anonymise.outreach_retention_run)
