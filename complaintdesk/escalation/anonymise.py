"""The hand-offs and external referrals of an anonymised case without personal data (个人信息保护法;
`docs/privacy.md`): registered with `common.anonymisation.case_anonymise_step_register` in
`EscalationConfig.ready()`, run by the privacy retention job inside the expired case's transaction.

Only the texts change (a hand-off's reason and instructions, a referral's outcome note): levels, holders,
times, the body, its reference and the outcome stay, so the escalation figures count the case as before."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import EscalationHandOff, ExternalReferral

HAND_OFF_TEXTS = ("reason", "instructions")
REFERRAL_TEXTS = ("outcome_note",)


def escalation_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many rows changed; a second run changes none."""
    hand_offs = EscalationHandOff.objects.filter(complaint=complaint).only("pk", *HAND_OFF_TEXTS)
    referrals = ExternalReferral.objects.filter(complaint=complaint).only("pk", *REFERRAL_TEXTS)
    return rows_redact(hand_offs, HAND_OFF_TEXTS, redact) + rows_redact(referrals, REFERRAL_TEXTS, redact)
