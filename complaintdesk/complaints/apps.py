from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.dbroles import append_only_register


class ComplaintsConfig(AppConfig):
    name = "complaintdesk.complaints"
    label = "complaints"
    verbose_name = _("投诉")

    def ready(self):
        # The timeline is append-only for the application's database role too: no UPDATE, no DELETE.
        append_only_register("complaints_complaintevent")
