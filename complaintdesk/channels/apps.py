from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class ChannelsConfig(AppConfig):
    name = "complaintdesk.channels"
    label = "channels"
    verbose_name = _("受理渠道")

    def ready(self) -> None:
        from django_tasks.base import TASK_MAX_PRIORITY

        from complaintdesk.notifications.email import mail_thread_register
        from complaintdesk.notifications.services import acknowledgement_sender
        from complaintdesk.tasks.intake import after_intake_step_register

        from . import anonymise
        from .acknowledge import acknowledgement_sender_register
        from .email.selectors import mail_thread_for
        from .intake_tasks import acknowledge_after_intake
        from .wechat import services as wechat_services
        from .wechat import tasks as wechat_tasks

        # New complaints are acknowledged to the customer through the notifications app (the layer below).
        acknowledgement_sender_register(acknowledgement_sender)
        # Our mails about a case carry its number and thread with the customer's mails (channels.email).
        mail_thread_register(mail_thread_for)
        # Every case taken in is acknowledged to the customer by a job of its own, ahead of all others.
        after_intake_step_register("acknowledgement", acknowledge_after_intake, priority=TASK_MAX_PRIORITY)
        # A WeChat image is fetched after the message is stored: the service queues its task through this slot.
        wechat_services.IMAGE_TASK.register(wechat_tasks.wechat_image_attach_task)
        # The mails that came in about an expired case lose their personal data with it (the .eml deleted).
        case_anonymise_step_register("channels", anonymise.inbound_mail_anonymise)
