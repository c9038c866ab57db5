from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _complaint_inserted(sender, instance, created, raw=False, **kwargs):
    # Intake computes the deadlines before the row exists, so its timer rows are written right after
    # the insert, in the same transaction. Interim: complaint_create will call
    # sla.services.complaint_timers_sync itself after its save, and this receiver goes.
    if created and not raw:
        from .services import complaint_timers_sync

        complaint_timers_sync(complaint=instance, at=instance.created_at)


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"
    verbose_name = _("时限策略")

    def ready(self) -> None:
        post_save.connect(_complaint_inserted, sender="complaints.Complaint", dispatch_uid="sla_timers_on_insert")
