from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class QualityConfig(AppConfig):
    name = "complaintdesk.quality"
    label = "quality"
    verbose_name = _("质检")

    def ready(self) -> None:
        from . import anonymise

        # An expired case's inspection comments lose their personal data with it.
        case_anonymise_step_register("quality", anonymise.inspections_anonymise)
