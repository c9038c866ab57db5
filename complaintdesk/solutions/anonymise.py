"""The solution proposals and approval requests of an anonymised case without personal data (个人信息保护法;
`docs/privacy.md`): registered with `common.anonymisation.case_anonymise_step_register` in
`SolutionsConfig.ready()`, run by the privacy retention job inside the expired case's transaction.

Only the texts change: the remedies, amounts, statuses, who proposed, approved and recorded, and the
compensation ledger stay, so the compensation figures count the case as before."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import ApprovalRequest, SolutionOption, SolutionProposal

PROPOSAL_TEXTS = ("note", "customer_note")
OPTION_TEXTS = ("description",)
APPROVAL_TEXTS = ("reason", "decision_reason")


def solutions_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many rows changed; a second run changes none."""
    proposals = SolutionProposal.objects.filter(complaint=complaint)
    return (
        rows_redact(proposals.only("pk", *PROPOSAL_TEXTS), PROPOSAL_TEXTS, redact)
        + rows_redact(
            SolutionOption.objects.filter(proposal__complaint=complaint).only("pk", *OPTION_TEXTS), OPTION_TEXTS, redact
        )
        + rows_redact(
            ApprovalRequest.objects.filter(complaint=complaint).only("pk", *APPROVAL_TEXTS), APPROVAL_TEXTS, redact
        )
    )  # fmt: skip
