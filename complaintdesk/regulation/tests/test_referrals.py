"""Cases forwarded by a regulator or hotline (issue 15 item 3): the referral on the case, its report-back
deadline as a clock (given by the body, else the pack's rule), what the report must contain, the report-back,
and the queue of referrals by remaining time within the user's units."""

import datetime as dt

import pytest

from complaintdesk.common.errors import Conflict, InvalidInput, NotFound
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.regulation.clocks import REPORT_BACK_KIND
from complaintdesk.regulation.models import DeadlinePack, PackSelection, RegulatorReferral
from complaintdesk.regulation.referrals import (
    referral_queue,
    referral_record,
    referral_report_back,
    remaining_words,
)
from complaintdesk.sla.models import LIVE_TIMER_STATES, SlaPolicy, SlaTimer
from complaintdesk.testing import sweep

from .conftest import intake, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def postal(org):
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="postal-courier", version=1))


@pytest.fixture
def lax_sla(db):
    return SlaPolicy.objects.create(
        name="宽松",
        first_response_general="30d",
        resolution_general="30d",
        resolution_complex="40d",
        acknowledge="30d",
    )


def record(case, actor, **data):
    values = {"source": "spb_12305", "reference": "YZ2026100100123", "forwarded_on": dt.date(2026, 10, 1)}
    values.update(data)
    return referral_record(number=case.number, actor=actor, data=values)


POSTAL_PARTS = {
    "investigation": "经查，快件在中转站丢失",
    "liability": "我司负全部责任",
    "compensation_amount": "200",
    "complainant_satisfied": True,
    "handler": "张三",
    "contact_phone": "021-12345678",
}


def live_report_timer(case):
    return SlaTimer.objects.filter(complaint=case, kind=REPORT_BACK_KIND, state__in=LIVE_TIMER_STATES).first()


def test_a_12305_appeal_is_due_back_by_the_pack_rule_with_its_content(org, postal, lax_sla, clock):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件", received_at=local(2026, 10, 1, 10))
    referral = record(case, org.agent_a)
    assert referral.due_on == dt.date(2026, 10, 16)  # 15 日 from receipt (golden table)
    assert referral.due_basis == "pack"
    assert "赔偿金额" in referral.content_required and "联系电话" in referral.content_required
    timer = live_report_timer(case)
    assert timer.due_at == local(2026, 10, 17, 0)
    case.refresh_from_db()
    # postal answer clock: 7 日 → Thu 8 Oct (its end) drives the queue, before the report-back
    assert case.due_at == local(2026, 10, 9, 0)
    event = ComplaintEvent.objects.get(complaint=case, field="regulator_referral")
    (line,) = events_for_people([event])
    assert line.what == "监管转办"
    assert "邮政业用户申诉 12305 转办，编号 YZ2026100100123" in line.new
    assert "2026-10-16 24:00" in line.new


def test_a_due_date_the_body_gives_wins_and_drives_the_queue_when_earlier(org, postal, lax_sla, clock):
    clock.at(local(2026, 10, 9, 10))
    case = intake(org.agent_a, title="快递延误")
    referral = record(case, org.agent_a, source="samr_12315", reference="12315-88", due_on="2026-10-12")
    assert (referral.due_on, referral.due_basis) == (dt.date(2026, 10, 12), "given")
    case.refresh_from_db()
    assert case.due_at == local(2026, 10, 13, 0)


def test_without_a_rule_or_a_date_the_referral_is_refused_in_words(org, lax_sla, clock):
    clock.at(local(2026, 10, 9, 10))
    case = intake(org.agent_a)
    with pytest.raises(InvalidInput) as refused:
        record(case, org.agent_a, source="nfra_12378")
    assert "请填写转办机构要求的回复截止日" in refused.value.fields["due_on"][0]
    assert not RegulatorReferral.objects.exists()


def test_bad_input_is_refused_field_by_field(org, postal, clock):
    clock.at(local(2026, 10, 9, 10))
    case = intake(org.agent_a)
    with pytest.raises(InvalidInput) as refused:
        record(case, org.agent_a, forwarded_on="2026-10-10", reference="")
    assert set(refused.value.fields) == {"forwarded_on", "reference"}
    assert "不能晚于今天" in refused.value.fields["forwarded_on"][0]
    with pytest.raises(InvalidInput) as refused:
        record(case, org.agent_a, source="other")
    assert "机构名称" in refused.value.fields["source_name"][0]
    with pytest.raises(InvalidInput) as refused:
        record(case, org.agent_a, due_on="2026-09-30")
    assert "不能早于转办日期" in refused.value.fields["due_on"][0]
    with pytest.raises(InvalidInput) as refused:  # its end of day in UTC was an OverflowError (a 500)
        record(case, org.agent_a, due_on="9999-12-31")
    assert "不能晚于 2099-12-31" in refused.value.fields["due_on"][0]
    assert not RegulatorReferral.objects.exists()


def test_the_same_reference_twice_is_a_conflict_naming_the_case(org, postal, clock):
    clock.at(local(2026, 10, 9, 10))
    first, second = intake(org.agent_a), intake(org.agent_a)
    record(first, org.agent_a)
    with pytest.raises(Conflict, match=first.number):
        record(second, org.agent_a)


def test_the_report_back_stops_its_clock_and_is_on_the_timeline(org, postal, lax_sla, clock):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    referral = record(case, org.agent_a)
    clock.at(local(2026, 10, 10, 15))
    referral_report_back(
        number=case.number, referral_id=referral.pk, actor=org.agent_a,
        data={**POSTAL_PARTS, "channel": "platform", "reference": "回复单 2026-1010-01"},
    )  # fmt: skip
    referral.refresh_from_db()
    assert referral.reported_by == org.agent_a and referral.reported_at == local(2026, 10, 10, 15)
    assert live_report_timer(case) is None
    (line,) = events_for_people([ComplaintEvent.objects.get(complaint=case, field="regulator_report_back")])
    assert line.new == "已通过转办机构的系统回复邮政业用户申诉 12305（编号 YZ2026100100123）"
    with pytest.raises(Conflict, match="已于 2026-10-10 15:00 回复过"):
        referral_report_back(
            number=case.number,
            referral_id=referral.pk,
            actor=org.agent_a,
            data={"content": "再次", "channel": "phone"},
        )


def test_an_unanswered_referral_warns_and_breaches_in_words(org, postal, lax_sla, clock):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    record(case, org.agent_a)
    clock.at(local(2026, 10, 14, 9))  # past 80 % of the time from recording to the due date
    sweep()
    clock.at(local(2026, 10, 17, 0, 5))
    sweep()
    events = list(
        ComplaintEvent.objects.filter(complaint=case, field="regulator_report").order_by("at", "id")
    )
    assert [e.kind for e in events] == [EventKind.SLA_WARNING, EventKind.SLA_BREACH]
    breach = events_for_people(events)[1]
    assert breach.what == "向转办机构回复时限"
    assert (
        "已超过邮政业用户申诉 12305转办（编号 YZ2026100100123）的回复时限（最后一日 2026-10-16）"
        in breach.reason
    )


def test_the_queue_orders_by_remaining_time_within_the_users_units(org, postal, clock):
    clock.at(local(2026, 10, 9, 10))
    late = intake(org.agent_a, title="A 店")
    soon = intake(org.agent_a, title="A 店 急")
    other_store = intake(org.agent_b, title="B 店")
    record(late, org.agent_a, reference="R1", due_on="2026-10-20")
    record(soon, org.agent_a, reference="R2", due_on="2026-10-12")
    record(other_store, org.agent_b, reference="R3", due_on="2026-10-10")
    assert [r.referral.reference for r in referral_queue(user=org.agent_a)] == ["R2", "R1"]
    assert [r.referral.reference for r in referral_queue(user=org.manager)] == ["R3", "R2", "R1"]
    with pytest.raises(NotFound):  # not a department's staff's queue (referral_queue_open_to)
        referral_queue(user=org.dept_staff)
    row = referral_queue(user=org.agent_a)[0]
    assert row.remaining == "还剩 3 天"
    with pytest.raises(NotFound):
        record(other_store, org.agent_a, reference="R4", due_on="2026-10-20")


def test_remaining_time_in_words():
    due = local(2026, 10, 13, 0)  # end of 12 Oct
    assert remaining_words(due_at=due, at=local(2026, 10, 10, 9)) == "还剩 2 天"
    assert remaining_words(due_at=due, at=local(2026, 10, 12, 23)) == "今天到期"
    assert remaining_words(due_at=due, at=local(2026, 10, 13, 8)) == "已逾期 1 天"
    assert remaining_words(due_at=due, at=local(2026, 10, 15, 8)) == "已逾期 3 天"


def test_a_12305_report_back_missing_its_parts_is_refused_part_by_part_and_nothing_is_written(
    org, postal, clock
):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    referral = record(case, org.agent_a)
    with pytest.raises(InvalidInput) as refused:
        referral_report_back(
            number=case.number, referral_id=referral.pk, actor=org.agent_a,
            data={"content": "已处理，客户满意", "channel": "platform", "handler": "  "},
        )  # fmt: skip
    errors = refused.value.fields
    assert sorted(errors) == sorted(
        [
            "investigation",
            "liability",
            "compensation_amount",
            "complainant_satisfied",
            "handler",
            "contact_phone",
        ]
    )
    assert errors["investigation"] == ["邮政业用户申诉（12305）转办的回复须写明调查情况"]
    assert errors["compensation_amount"] == [
        "邮政业用户申诉（12305）转办的回复须写明赔偿金额（没有赔偿请填 0）"
    ]
    assert errors["complainant_satisfied"] == ["邮政业用户申诉（12305）转办的回复须写明投诉人是否满意"]
    referral.refresh_from_db()
    assert referral.reported_at is None and referral.report_content == ""
    assert not ComplaintEvent.objects.filter(complaint=case, field="regulator_report_back").exists()


def test_a_12305_report_back_with_no_compensation_and_an_unsatisfied_complainant_is_kept_in_words(
    org, postal, clock
):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递延误")
    referral = record(case, org.agent_a)
    bad_phone = {**POSTAL_PARTS, "contact_phone": "12", "channel": "platform"}
    with pytest.raises(InvalidInput) as refused:
        referral_report_back(number=case.number, referral_id=referral.pk, actor=org.agent_a, data=bad_phone)
    assert list(refused.value.fields) == ["contact_phone"]
    assert "回拨" in refused.value.fields["contact_phone"][0]
    parts = {
        **POSTAL_PARTS,
        "compensation_amount": "0",
        "complainant_satisfied": False,
        "channel": "platform",
    }
    referral_report_back(number=case.number, referral_id=referral.pk, actor=org.agent_a, data=parts)
    referral.refresh_from_db()
    assert (referral.report_compensation, referral.report_satisfied) == (0, False)
    assert (referral.report_handler, referral.report_phone) == ("张三", "021-12345678")
    assert referral.report_content.splitlines() == [
        "调查情况：经查，快件在中转站丢失",
        "责任认定：我司负全部责任",
        "赔偿金额：0.00 元",
        "是否满意：不满意",
        "处理人：张三",
        "联系电话：021-12345678",
    ]
    (line,) = events_for_people([ComplaintEvent.objects.get(complaint=case, field="regulator_report_back")])
    assert "赔偿金额：0.00 元" in line.reason and "是否满意：不满意" in line.reason


def test_other_sources_keep_their_rule_content_alone(org, postal, clock):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="理财收益争议")
    referral = record(case, org.agent_a, source="nfra_12378", reference="JR-1", due_on=dt.date(2026, 10, 20))
    with pytest.raises(InvalidInput) as refused:
        referral_report_back(
            number=case.number, referral_id=referral.pk, actor=org.agent_a, data={"channel": "platform"}
        )
    assert list(refused.value.fields) == ["content"]
    referral_report_back(
        number=case.number, referral_id=referral.pk, actor=org.agent_a,
        data={"content": "已向客户解释收益计算方式，客户接受", "channel": "platform"},
    )  # fmt: skip
    referral.refresh_from_db()
    assert referral.report_content == "已向客户解释收益计算方式，客户接受"
