"""A regulator referral's report-back anonymised with its case (个人信息保护法; `docs/privacy.md`): registered
with `common.anonymisation.case_anonymise_step_register` in `RegulationConfig.ready()`, run by the privacy
retention job inside the expired case's transaction.

The texts (what the body asked for, the report, the 12305 parts 调查情况 and 责任认定, the receipt reference)
lose the customer's details and anything that looks like personal data (the job's `redact`: the shared
de-personalisation, `scripts.personal.personal_data_replaced` with masks), and the handler's name and phone wherever they appear; the 处理人 and
联系电话 columns are masked. What the statistics and the queue read stays: source, reference number,
dates, due time, who recorded and reported, when, the channel, the compensation amount and whether the
complainant was satisfied."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.common.masking import mask_name, mask_phone
from complaintdesk.complaints.models import Complaint

from .models import RegulatorReferral, StatutoryExtension

TEXTS = ("content_required", "report_content", "report_investigation", "report_liability", "report_reference")
# A case has a handful of referrals (one per forwarding body); a bound all the same.
LIMIT = 100


def referrals_anonymise(
    *, complaint: Complaint, known: Iterable[tuple[str, str]], redact: Callable[..., str]
) -> int:
    """The case's referrals without personal data; returns how many rows changed. Masking what is masked
    changes nothing: a second run writes nothing."""
    changed = 0
    for referral in RegulatorReferral.objects.filter(complaint=complaint).order_by("id")[:LIMIT]:
        people = [("name", referral.report_handler), ("phone", referral.report_phone)]
        values = {name: redact(getattr(referral, name) or "", known=people) for name in TEXTS}
        values["report_handler"] = mask_name(referral.report_handler) if referral.report_handler else ""
        values["report_phone"] = mask_phone(referral.report_phone) if referral.report_phone else ""
        fields = [name for name, value in values.items() if getattr(referral, name) != value]
        if fields:
            for name in fields:
                setattr(referral, name, values[name])
            referral.save(update_fields=fields)
            changed += 1
    return changed


def extensions_anonymise(*, complaint: Complaint, redact: Callable[..., str], **_context) -> int:
    """The reasons given for the case's statutory extensions, redacted (who approved, when, by how many
    days stay); returns how many changed."""
    extensions = StatutoryExtension.objects.filter(complaint=complaint).only("pk", "reason")
    return rows_redact(extensions, ("reason",), redact)
