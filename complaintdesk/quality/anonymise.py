"""The quality inspectors' comments on an anonymised case without personal data (个人信息保护法;
`docs/privacy.md`): registered with `common.anonymisation.case_anonymise_step_register` in
`QualityConfig.ready()`, run by the privacy retention job inside the expired case's transaction. The
scores, weights, inspectors and times stay, so the quality figures count the case as before."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import QaInspection

TEXTS = ("comment",)


def inspections_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many inspections changed; a second run changes none."""
    return rows_redact(
        QaInspection.objects.filter(sample__complaint=complaint).only("pk", *TEXTS), TEXTS, redact
    )
