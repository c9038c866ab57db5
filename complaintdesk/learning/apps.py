from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """The team's learning (issue 19 item 5): a training case library curated from closed cases with the
    handler's permission and personal data removed, and the agents' daily service log. It reads cases
    and their archive summaries; analytics reads it for the scorecard's contribution part."""

    name = "complaintdesk.learning"
    label = "learning"
    verbose_name = _("团队学习")
