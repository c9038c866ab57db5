from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "complaintdesk.notifications"
    label = "notifications"
    verbose_name = _("客户通知")

    def ready(self) -> None:
        from django_tasks.base import TASK_MAX_PRIORITY

        from complaintdesk.complaints.event_text import timeline_messages_register
        from complaintdesk.sla.timers import batch_rows_flush_register
        from complaintdesk.tasks.periodic import periodic_register, recovery_interval

        from . import services, tasks
        from .selectors import TIMELINE_MESSAGES
        from .services import notifications_retry_due

        # The case's timeline shows the text of each message sent to the customer and names it in words.
        timeline_messages_register(TIMELINE_MESSAGES)
        # A delivery queues itself again on failure: the services reach their task through this slot.
        services.DELIVERY_TASK.register(tasks.deliver_notification)
        # Messages queued by the cases of an SLA batch are written together at its end (one INSERT).
        batch_rows_flush_register(services.BATCH_ROWS_KEY, services.batch_notifications_write)
        # A delivery whose job the queue lost (Redis flushed) is queued again by a periodic job; its row
        # does not know its job, so only when nothing waits in the queue (it is not merely behind others).
        periodic_register(
            "notifications-retry",
            notifications_retry_due,
            label=_("重试客户通知"),
            every=recovery_interval,
            priority=TASK_MAX_PRIORITY,
            when_queue_empty=True,
        )
