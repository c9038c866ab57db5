"""Names the timeline field this app writes (`regulatory_codes`) and says its values in words.

A confirmation event stores `<scheme id>|<code>,<code>,…` (codes for machines); people read each code's
name in their language with the code beside it: "营业现场 (A0101)；贷款 (B02)"."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.event_text import timeline_field_register

from .models import ClassificationCode

FIELD = "regulatory_codes"
STATUTORY_DECISION_FIELD = "statutory_decision"


def codes_value(*, scheme_id: int, codes: list[str]) -> str:
    return f"{scheme_id}|{','.join(codes)}"


def codes_in_words(value: str) -> str:
    scheme_id, _sep, codes_text = value.partition("|")
    codes = [c for c in codes_text.split(",") if c]
    if not scheme_id.isdigit() or not codes:
        return value
    english = (get_language() or "").startswith("en")
    names = {
        code: (name_en if english and name_en else name)
        for code, name, name_en in ClassificationCode.objects.filter(
            dimension__scheme_id=int(scheme_id), code__in=codes
        ).values_list("code", "name", "name_en")[:50]
    }
    return "；".join(f"{names[c]} ({c})" if c in names else c for c in codes)


timeline_field_register(field=FIELD, label=_("监管分类"), values=codes_in_words)
timeline_field_register(field=STATUTORY_DECISION_FIELD, label=_("法定处理时限"))
timeline_field_register(field="statutory_due", label=_("法定处理时限"))
timeline_field_register(field="regulator_report", label=_("向转办机构回复时限"))
timeline_field_register(field="regulator_referral", label=_("监管转办"))
timeline_field_register(field="regulator_report_back", label=_("向转办机构回复"))
