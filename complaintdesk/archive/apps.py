from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class ArchiveConfig(AppConfig):
    name = "complaintdesk.archive"
    label = "archive"
    verbose_name = _("案例归档与知识库")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from complaintdesk.complaints.services import transition_guard_register, transition_hook_register

        from . import anonymise, scope, services

        # Closing needs the case summary (problem, cause, solution, lesson); a closed case enters the search
        # index in the closing transaction, a reopened one leaves it.
        transition_guard_register(services.summary_required_to_close)
        transition_hook_register(services.archive_on_transition)
        # A case moved to another unit takes its entry along (a trigger, scope.py); SQLite loses the trigger
        # when a migration rebuilds the cases' table, so it is put back after every migrate.
        post_migrate.connect(
            scope.scope_trigger_on_migrate, sender=self, dispatch_uid="archive-scope-trigger"
        )
        # An expired case's summaries, search entry and articles lose their personal data with it.
        case_anonymise_step_register("archive", anonymise.archive_anonymise)
