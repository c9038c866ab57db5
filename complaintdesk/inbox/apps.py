from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "complaintdesk.inbox"
    label = "inbox"
    verbose_name = _("员工通知")

    def ready(self) -> None:
        from . import services, tasks

        # A staff e-mail queues itself again on failure: the services reach their task through this slot.
        services.EMAIL_TASK.register(tasks.deliver_staff_email)
