from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class LearningConfig(AppConfig):
    """The team's learning (issue 19 item 5): a training case library curated from closed cases with the
    handler's permission and personal data removed, and the agents' daily service log. It reads cases
    and their archive summaries; analytics reads it for the scorecard's contribution part."""

    name = "complaintdesk.learning"
    label = "learning"
    verbose_name = _("团队学习")

    def ready(self) -> None:
        from . import anonymise

        # A training case taken from an expired case is checked again with it (privacy retention job).
        case_anonymise_step_register("learning", anonymise.training_case_anonymise)
