from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScriptsConfig(AppConfig):
    name = "complaintdesk.scripts"
    label = "scripts"
    verbose_name = _("话术与回复检查")

    def ready(self) -> None:
        from complaintdesk.complaints.event_text import timeline_values_register
        from complaintdesk.complaints.models import EventKind

        from .selectors import rule_names_text

        # The warnings an agent chose to ignore, on the timeline by the rules' names, not their codes.
        timeline_values_register(kind=EventKind.REPLY_OVERRIDDEN, values=rule_names_text)
