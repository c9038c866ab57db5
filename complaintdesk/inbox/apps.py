from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class InboxConfig(AppConfig):
    name = "complaintdesk.inbox"
    label = "inbox"
    verbose_name = _("员工通知")

    def ready(self) -> None:
        from . import anonymise, services, tasks

        # A staff e-mail queues itself again on failure: the services reach their task through this slot.
        services.EMAIL_TASK.register(tasks.deliver_staff_email)
        # Notices about an expired case that quote its customer lose the personal data with it.
        case_anonymise_step_register("inbox", anonymise.staff_notices_anonymise)
