from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScriptsConfig(AppConfig):
    name = "complaintdesk.scripts"
    label = "scripts"
    verbose_name = _("话术与回复检查")
