"""The results told, the survey comments and the follow-ups of an anonymised case without personal data
(个人信息保护法; `docs/privacy.md`): registered with `common.anonymisation.case_anonymise_step_register` in
`SurveysConfig.ready()`, run by the privacy retention job inside the expired case's transaction.

Only the texts change; the scores, who answered, when, the follow-up's outcome and the confirmation stay,
so the satisfaction figures count the case as before."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import FollowUp, FollowUpAttempt, ResultFeedback, SurveyAnswer

RESULT_TEXTS = (
    "cause", "measures", "outcome", "compensation", "verified", "basis", "routes", "message", "unreachable_reason",
)  # fmt: skip
ANSWER_TEXTS = ("comment", "action_note")
FOLLOW_UP_TEXTS = ("close_note",)
ATTEMPT_TEXTS = ("new_issue", "note")


def surveys_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many rows changed; a second run changes none."""
    return (
        rows_redact(ResultFeedback.objects.filter(complaint=complaint).only("pk", *RESULT_TEXTS), RESULT_TEXTS, redact)
        + rows_redact(SurveyAnswer.objects.filter(complaint=complaint).only("pk", *ANSWER_TEXTS), ANSWER_TEXTS, redact)
        + rows_redact(FollowUp.objects.filter(complaint=complaint).only("pk", *FOLLOW_UP_TEXTS), FOLLOW_UP_TEXTS, redact)
        + rows_redact(
            FollowUpAttempt.objects.filter(follow_up__complaint=complaint).only("pk", *ATTEMPT_TEXTS),
            ATTEMPT_TEXTS,
            redact,
        )
    )  # fmt: skip
