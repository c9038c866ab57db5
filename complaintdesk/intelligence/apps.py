from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.anonymisation import case_anonymise_step_register


class IntelligenceConfig(AppConfig):
    name = "complaintdesk.intelligence"
    label = "intelligence"
    verbose_name = _("智能分析")

    def ready(self) -> None:
        from complaintdesk.tasks.intake import after_intake_step_register
        from complaintdesk.tasks.worker import worker_warm_up_register

        from . import anonymise
        from .tasks import case_analysed, enrich_after_intake, enrichment_warm_up

        # Every case taken in is analysed by a job of its own. It settles the case (category, severity, so
        # the deadlines): a step that tells the customer runs it first (tasks.intake.after_intake_settle).
        # Its outbox rows written before it moved here (channels.intake_tasks) run as this step.
        after_intake_step_register(
            "enrichment",
            enrich_after_intake,
            settled=case_analysed,
            formerly=("complaintdesk.channels.intake_tasks.enrich_after_intake",),
        )
        # The RQ worker loads what enrichment needs before it takes the first job.
        worker_warm_up_register(enrichment_warm_up)
        # An expired case's analyses (cue words, explanation), corrections, fingerprint and the emotion labels
        # taken from it lose the personal data with it (privacy retention job, docs/privacy.md).
        case_anonymise_step_register("intelligence", anonymise.insights_anonymise)
        case_anonymise_step_register("intelligence-labels", anonymise.emotion_labels_anonymise)
