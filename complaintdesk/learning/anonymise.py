"""A training case taken from an anonymised case, checked again with it (个人信息保护法; `docs/privacy.md`):
registered with `common.anonymisation.case_anonymise_step_register` in `LearningConfig.ready()`, run by the
privacy retention job inside the expired case's transaction.

The library's texts were de-personalised when the case was proposed (`depersonalise.text_depersonalised`:
【手机号】, 【地址】, 某女士), so the job normally finds nothing left in them; they are passed through the job's
`redact` all the same (a detail the customer record gained later), and so is the handler's note on their
consent, which was written by hand and never de-personalised. Kind, category, handler, consent and the
dates stay (the scorecard counts them)."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import TrainingCase

TEXTS = ("title", "lesson", "narrative", "consent_note")


def training_case_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many training cases changed (one at most); a second run changes none."""
    return rows_redact(TrainingCase.objects.filter(complaint=complaint).only("pk", *TEXTS), TEXTS, redact)
