from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulationConfig(AppConfig):
    """Statutory deadline packs and regulatory classification (issue 15). A process-layer app: it reads
    cases and calendars; nothing below it imports it."""

    name = "complaintdesk.regulation"
    label = "regulation"
    verbose_name = _("监管合规")

    def ready(self) -> None:
        from . import timeline  # noqa: F401  (names the timeline field it writes)
