from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "complaintdesk.tasks"
    label = "cd_tasks"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules
        from django_tasks.base import TASK_MAX_PRIORITY

        from .intake import after_intake_resend
        from .periodic import periodic_register, recovery_interval

        # Each app declares its periodic jobs in its own tasks.py (@periodic): import them all, so the
        # registry knows every job before a worker runs one or `periodic_start` starts them.
        autodiscover_modules("tasks")

        def after_intake_resent() -> dict:
            return {"after_intake_resent": after_intake_resend()}

        # After-intake jobs lost on the way to Redis (or with a killed worker) are sent again from their
        # outbox rows (tasks.intake); ahead of the backlog, as the acknowledgements they carry are.
        periodic_register(
            "after-intake-resend",
            after_intake_resent,
            label=_("补发受理后任务"),
            every=recovery_interval,
            priority=TASK_MAX_PRIORITY,
        )
