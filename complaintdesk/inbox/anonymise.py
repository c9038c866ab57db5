"""Staff notices about an anonymised case, without personal data (个人信息保护法; `docs/privacy.md`): a notice
may quote the customer (a name, a phone in the title or the body). Registered with
`common.anonymisation.case_anonymise_step_register` in `InboxConfig.ready()`, run by the privacy retention
job inside the expired case's transaction. Found by the case's id (`complaint_id`, indexed; this app keeps
no foreign key to the case). Who was told, when, whether they read it and the e-mail's status stay."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact

from .models import StaffNotification

TEXTS = ("title", "body")


def staff_notices_anonymise(*, complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many notices changed; a second run changes none."""
    notices = StaffNotification.objects.filter(complaint_id=complaint.pk).only("pk", *TEXTS)
    return rows_redact(notices, TEXTS, redact)
