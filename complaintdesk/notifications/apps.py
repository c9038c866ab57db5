from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "complaintdesk.notifications"
    label = "notifications"
    verbose_name = _("客户通知")

    def ready(self) -> None:
        # New complaints are acknowledged to the customer through this app (channels.acknowledge seam).
        from complaintdesk.channels.acknowledge import acknowledgement_sender_register
        from complaintdesk.tasks.sla import sweep_extra_register

        from .services import acknowledgement_sender, notifications_retry_due

        acknowledgement_sender_register(acknowledgement_sender)
        # A delivery whose job the queue lost (Redis flushed) is queued again by the periodic sweep.
        sweep_extra_register(notifications_retry_due)
