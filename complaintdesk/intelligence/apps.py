from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "complaintdesk.intelligence"
    label = "intelligence"
    verbose_name = _("智能分析")
