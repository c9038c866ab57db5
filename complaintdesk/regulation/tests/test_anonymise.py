"""A regulator referral's report-back is anonymised with its case: the privacy retention job clears the
customer's details and the handler's out of the report's texts and masks the 处理人 and 联系电话 columns,
keeping what the statistics and the queue read."""

import datetime as dt
from decimal import Decimal

import pytest

from complaintdesk.common.time import now
from complaintdesk.privacy.services import cases_anonymise
from complaintdesk.privacy.tests.factories import closed_case
from complaintdesk.regulation.models import RegulatorReferral

pytestmark = pytest.mark.django_db

EXPIRED = 3 * 365 + 5


def _reported_referral(case, actor, reference="YZ2026100100123", **report):
    at = now() - dt.timedelta(days=EXPIRED + 10)
    values = {
        "report_investigation": "经查，王女士（13800138000）寄往幸福里18号1502户的快件在中转站丢失",
        "report_liability": "我司负全部责任，已联系王女士",
        "report_compensation": Decimal("200.00"),
        "report_satisfied": True,
        "report_handler": "张三丰",
        "report_phone": "021-12345678",
        "report_content": "调查情况：……\n处理人：张三丰\n联系电话：021-12345678\n王女士表示满意",
    } | report
    return RegulatorReferral.objects.create(
        complaint=case, source="spb_12305", reference=reference, forwarded_on=at.date(),
        due_on=at.date(), due_at=at, due_basis="given", content_required="调查情况、责任认定、赔偿金额",
        created_by=actor, created_at=at, reported_at=at, reported_by=actor, report_channel="system", **values,
    )  # fmt: skip


def test_the_report_back_loses_personal_data_with_its_case_and_keeps_what_is_counted(org):
    case = closed_case(org.agent_a, closed_days_ago=EXPIRED, category=org.category)
    referral = _reported_referral(case, org.agent_a)
    known_name = case.customer.name

    run = cases_anonymise()

    assert run.cases == 1
    referral.refresh_from_db()
    texts = (referral.report_investigation, referral.report_liability, referral.report_content)
    for text in texts:
        for personal in ("13800138000", "张三丰", "021-12345678", "幸福里18号", "1502户", known_name):
            assert personal not in text, (personal, text)
    assert "138****8000" in referral.report_investigation and "【地址】" in referral.report_investigation
    assert referral.report_handler == "张**" and referral.report_phone == "021*****5678"
    assert "处理人：张**" in referral.report_content
    # What the statistics, the queue and the regulator's record read stays.
    assert (referral.reference, referral.report_compensation, referral.report_satisfied) == (
        "YZ2026100100123", Decimal("200.00"), True,
    )  # fmt: skip
    assert referral.reported_at is not None and referral.content_required == "调查情况、责任认定、赔偿金额"


def test_a_second_run_leaves_the_report_as_it_is_and_a_live_case_is_not_touched(org):
    expired = closed_case(org.agent_a, closed_days_ago=EXPIRED, category=org.category)
    live = closed_case(org.agent_a, closed_days_ago=30, category=org.category)
    done = _reported_referral(expired, org.agent_a)
    kept = _reported_referral(live, org.agent_a, reference="YZ2", report_handler="李四")
    cases_anonymise()
    done.refresh_from_db()
    first = RegulatorReferral.objects.filter(pk=done.pk).values().get()
    cases_anonymise()
    assert RegulatorReferral.objects.filter(pk=done.pk).values().get() == first
    kept.refresh_from_db()
    assert kept.report_handler == "李四" and "13800138000" in kept.report_investigation
