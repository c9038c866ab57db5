from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "complaintdesk.archive"
    label = "archive"
    verbose_name = _("案例归档与知识库")

    def ready(self) -> None:
        from complaintdesk.complaints.services import transition_guard_register, transition_hook_register

        from . import services

        # Closing needs the case summary (problem, cause, solution, lesson); a closed case enters the search
        # index in the closing transaction, a reopened one leaves it.
        transition_guard_register(services.summary_required_to_close)
        transition_hook_register(services.archive_on_transition)
