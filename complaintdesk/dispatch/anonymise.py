"""The work orders of an anonymised case without personal data (个人信息保护法; `docs/privacy.md`): registered
with `common.anonymisation.case_anonymise_step_register` in `DispatchConfig.ready()`, run by the privacy
retention job inside the expired case's transaction.

Only the instructions and the result change: the department, owner, times, deadline and status stay, so
the departments' figures count the order as before."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import WorkOrder

TEXTS = ("instructions", "result")


def work_orders_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many orders changed; a second run changes none."""
    return rows_redact(WorkOrder.objects.filter(complaint=complaint).only("pk", *TEXTS), TEXTS, redact)
