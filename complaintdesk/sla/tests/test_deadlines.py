"""SLA durations and a case's deadlines on real calendars (pure), and which policy applies (database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.calendars.workdays import Deadline, WorkCalendar
from complaintdesk.sla.deadlines import CaseClockFacts, PolicyTerms, compute_deadlines
from complaintdesk.sla.durations import Clock, SlaDuration, due_after, parse_duration
from complaintdesk.sla.models import SlaPolicy
from complaintdesk.sla.selectors import policy_terms, sla_policy_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
WHOLE_DAY = WorkCalendar()
OFFICE = WorkCalendar(business_hours=((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))))
DEFAULT_TERMS = PolicyTerms()


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def facts(
    created_at: dt.datetime, *, severity="general", complexity="general", pauses=(), **more
) -> CaseClockFacts:
    values = dict(
        created_at=created_at,
        severity=severity,
        complexity=complexity,
        is_open=True,
        first_responded=False,
        acknowledged=False,
        resolution_started_at=created_at,
        pauses=tuple(pauses),
    )
    return CaseClockFacts(**(values | more))


def deadlines(created_at, calendar=WHOLE_DAY, terms=DEFAULT_TERMS, **kwargs):
    return compute_deadlines(facts=facts(created_at, **kwargs), terms=terms, calendar=calendar)


# The acknowledgement clock on its own: with the default "48h" resolution it is capped by that deadline
# (test_the_acknowledgement_never_falls_after_the_resolution).
ACK_ALONE = PolicyTerms(resolution_general="30d")


def ack_alone(created_at, calendar=WHOLE_DAY, terms=ACK_ALONE, **kwargs):
    return deadlines(created_at, calendar=calendar, terms=terms, **kwargs)


# parse_duration / due_after ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit", "clock"),
    [
        ("2h", 2, "h", Clock.CALENDAR),
        ("24h", 24, "h", Clock.CALENDAR),
        ("7d", 7, "d", Clock.CALENDAR),
        ("2wd", 2, "wd", Clock.WORKING),
        ("16wh", 16, "wh", Clock.WORKING),
        ("1.5h", 1.5, "h", Clock.CALENDAR),
        (" 48 h ", 48, "h", Clock.CALENDAR),
    ],
)
def test_parse_duration(text, amount, unit, clock):
    duration = parse_duration(text)
    assert duration == SlaDuration(amount=amount, unit=unit)
    assert duration.clock is clock


def test_duration_reads_back_as_written():
    assert [str(parse_duration(t)) for t in ("2h", "7d", "2wd", "16wh", "1.5h")] == [
        "2h",
        "7d",
        "2wd",
        "16wh",
        "1.5h",
    ]


@pytest.mark.parametrize(
    "text", ["", "   ", "2", "h", "-2h", "2x", "2 hours", "2hh", "two h", "2h30m", "1e3h", None]
)
def test_parse_duration_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError, match="not an SLA duration"):
        parse_duration(text)


def test_due_after_calendar_and_working_clocks():
    friday = sh(2026, 3, 6, 10)
    assert due_after(start=friday, duration=parse_duration("24h"), calendar=WHOLE_DAY) == Deadline(
        due_at=friday + 24 * H, provisional=False
    )
    assert due_after(start=friday, duration=parse_duration("7d"), calendar=WHOLE_DAY).due_at == friday + 7 * D
    # Working days skip the weekend: Friday 10:00 + 2 working days = Tuesday 10:00.
    assert due_after(start=friday, duration=parse_duration("2wd"), calendar=WHOLE_DAY).due_at == sh(
        2026, 3, 10, 10
    )
    # Working hours in office hours: Fri 16–18, Mon 9–12, 13–18 → Monday 18:00 after 10 hours.
    assert due_after(start=sh(2026, 3, 6, 16), duration=parse_duration("10wh"), calendar=OFFICE).due_at == sh(
        2026, 3, 9, 18
    )
    # Calendar hours ignore business hours.
    assert due_after(start=sh(2026, 3, 6, 16), duration=parse_duration("24h"), calendar=OFFICE).due_at == sh(
        2026, 3, 7, 16
    )
    # A working day is the calendar's working-day length (8 h in the office): 2wd = 16 working hours.
    assert due_after(start=sh(2026, 3, 6, 16), duration=parse_duration("2wd"), calendar=OFFICE).due_at == sh(
        2026, 3, 10, 16
    )


def test_due_after_results_are_utc():
    due = due_after(start=sh(2026, 3, 6, 10), duration=parse_duration("2h"), calendar=WHOLE_DAY).due_at
    due_wd = due_after(start=sh(2026, 3, 6, 10), duration=parse_duration("1wd"), calendar=WHOLE_DAY).due_at
    assert due == sh(2026, 3, 6, 12)
    assert due_wd.utcoffset() == dt.timedelta(0)


def test_due_after_pauses():
    start = sh(2026, 3, 3, 9)  # Tuesday
    two_hours = parse_duration("2h")
    # A pause inside the clock pushes it by its length.
    assert due_after(
        start=start,
        duration=two_hours,
        calendar=WHOLE_DAY,
        pauses=[(sh(2026, 3, 3, 10), sh(2026, 3, 3, 10, 30))],
    ).due_at == sh(2026, 3, 3, 11, 30)
    # A pause after the due time, or before the start, changes nothing.
    assert due_after(
        start=start, duration=two_hours, calendar=WHOLE_DAY, pauses=[(sh(2026, 3, 3, 12), sh(2026, 3, 3, 15))]
    ).due_at == sh(2026, 3, 3, 11)
    assert due_after(
        start=start, duration=two_hours, calendar=WHOLE_DAY, pauses=[(sh(2026, 3, 2, 12), sh(2026, 3, 2, 15))]
    ).due_at == sh(2026, 3, 3, 11)
    # A pause that began before the start counts only from the start.
    assert due_after(
        start=start, duration=two_hours, calendar=WHOLE_DAY, pauses=[(sh(2026, 3, 3, 8), sh(2026, 3, 3, 10))]
    ).due_at == sh(2026, 3, 3, 12)
    # A pushed due time can meet the next pause; pauses are taken in order whatever order they come in.
    pauses = [(sh(2026, 3, 3, 11, 30), sh(2026, 3, 3, 12)), (sh(2026, 3, 3, 10), sh(2026, 3, 3, 11))]
    assert due_after(start=start, duration=two_hours, calendar=WHOLE_DAY, pauses=pauses).due_at == sh(
        2026, 3, 3, 12, 30
    )


def test_due_after_pause_on_the_working_clock_counts_working_time_only():
    # Paused from Friday 10:00 to Monday 10:00: 24 working hours on a whole-day calendar.
    start = sh(2026, 3, 6, 9)
    pause = [(sh(2026, 3, 6, 10), sh(2026, 3, 9, 10))]
    plain = due_after(start=start, duration=parse_duration("2wd"), calendar=WHOLE_DAY).due_at
    paused = due_after(start=start, duration=parse_duration("2wd"), calendar=WHOLE_DAY, pauses=pause).due_at
    assert plain == sh(2026, 3, 10, 9)
    assert paused == sh(2026, 3, 11, 9)
    # The same pause on a calendar clock counts all 72 hours.
    assert due_after(
        start=start, duration=parse_duration("48h"), calendar=WHOLE_DAY, pauses=pause
    ).due_at == (start + 48 * H + 72 * H)


# compute_deadlines ------------------------------------------------------------------------------


def test_general_complaint_first_response_24h_resolution_48h():
    created = sh(2026, 3, 3, 10)  # Tuesday
    result = deadlines(created)
    assert result.first_response_due_at == created + 24 * H
    assert result.resolution_due_at == created + 48 * H
    assert result.acknowledge_due_at == sh(2026, 3, 5, 10)
    assert result.provisional is False
    assert result.due_at == created + 24 * H  # the nearest outstanding one


def test_major_complaint_first_response_2h():
    created = sh(2026, 3, 3, 10)
    result = deadlines(created, severity="major")
    assert result.first_response_due_at == created + 2 * H
    assert result.due_at == created + 2 * H
    assert result.resolution_due_at == created + 48 * H  # severity does not change the resolution term


def test_complex_complaint_resolution_7_days():
    created = sh(2026, 3, 3, 10)
    result = deadlines(created, complexity="complex")
    assert result.resolution_due_at == created + 7 * D
    assert result.first_response_due_at == created + 24 * H


def test_due_at_is_the_nearest_deadline_still_to_meet():
    created = sh(2026, 3, 3, 10)
    assert deadlines(created, first_responded=True).due_at == sh(2026, 3, 5, 10)  # acknowledgement
    assert deadlines(created, first_responded=True, acknowledged=True).due_at == created + 48 * H
    assert deadlines(created, is_open=False).due_at is None


def test_resolution_counts_from_the_latest_reopening():
    created = sh(2026, 3, 3, 10)
    reopened = sh(2026, 3, 20, 15)
    assert deadlines(created, resolution_started_at=reopened).resolution_due_at == reopened + 48 * H


def test_acknowledgement_two_working_days_across_a_weekend():
    # Friday 6 March 2026, 10:00 → Tuesday 10 March, 10:00.
    result = ack_alone(sh(2026, 3, 6, 10))
    assert result.acknowledge_due_at == sh(2026, 3, 10, 10)
    # Taken on Saturday: counting starts Monday 00:00, two working days later is Wednesday 00:00.
    assert ack_alone(sh(2026, 3, 7, 15)).acknowledge_due_at == sh(2026, 3, 11, 0)


def test_acknowledgement_across_national_day_2026():
    # 2026: 中秋 25–27 Sep and 国庆 1–7 Oct are off; Sunday 20 Sep and Saturday 10 Oct are 调休 working days.
    for day, working in [
        (dt.date(2026, 9, 20), True),
        (dt.date(2026, 9, 25), False),
        (dt.date(2026, 10, 1), False),
        (dt.date(2026, 10, 7), False),
        (dt.date(2026, 10, 10), True),
        (dt.date(2026, 10, 11), False),
    ]:
        assert WHOLE_DAY.is_working_day(day) is working, day
    # Wednesday 30 Sep → Thursday 8 Oct (1) → Friday 9 Oct (2).
    result = ack_alone(sh(2026, 9, 30, 10))
    assert result.acknowledge_due_at == sh(2026, 10, 9, 10)
    assert result.provisional is False
    # Friday 9 Oct → the working Saturday 10 Oct (1) → Monday 12 Oct (2).
    assert ack_alone(sh(2026, 10, 9, 10)).acknowledge_due_at == sh(2026, 10, 12, 10)
    # Friday 18 Sep → the working Sunday 20 Sep (1) → Monday 21 Sep (2).
    assert ack_alone(sh(2026, 9, 18, 10)).acknowledge_due_at == sh(2026, 9, 21, 10)
    # Calendar-hour terms run straight through the holiday.
    assert result.first_response_due_at == sh(2026, 10, 1, 10)
    assert deadlines(sh(2026, 9, 30, 10), complexity="complex").resolution_due_at == sh(2026, 10, 7, 10)


def test_acknowledgement_across_spring_festival_2026():
    # 2026: 春节 15–23 Feb off; Saturdays 14 and 28 Feb are 调休 working days.
    assert WHOLE_DAY.is_working_day(dt.date(2026, 2, 14))
    assert not WHOLE_DAY.is_working_day(dt.date(2026, 2, 16))
    # Friday 13 Feb → Saturday 14 Feb (1) → Tuesday 24 Feb (2).
    result = ack_alone(sh(2026, 2, 13, 10))
    assert result.acknowledge_due_at == sh(2026, 2, 24, 10)
    assert result.provisional is False
    # Taken on 初一 (Tuesday 17 Feb, a holiday): counting starts on Tuesday 24 Feb.
    assert ack_alone(sh(2026, 2, 17, 10)).acknowledge_due_at == sh(2026, 2, 26, 0)


def test_acknowledgement_across_new_year_into_2027_is_provisional():
    # Thursday 31 Dec 2026: 1 Jan 2027 (Friday) is 元旦, then the weekend; 2027 has no official data yet.
    created = sh(2026, 12, 31, 10)
    result = ack_alone(created)
    assert result.acknowledge_due_at == sh(2027, 1, 5, 10)
    assert result.provisional is True
    assert result.first_response_due_at == created + 24 * H
    assert deadlines(created).resolution_due_at == created + 48 * H
    # Entirely inside 2026: not provisional.
    assert deadlines(sh(2026, 12, 28, 10)).provisional is False
    # Deep into provisional years: still computed, still flagged.
    later = deadlines(sh(2031, 6, 1, 10), complexity="complex")
    assert later.provisional is True
    assert later.resolution_due_at == sh(2031, 6, 8, 10)


def test_with_business_hours():
    # Office 09–12, 13–18 (8 h a working day). Taken Friday 16:00.
    created = sh(2026, 3, 6, 16)
    result = ack_alone(created, calendar=OFFICE)
    assert result.acknowledge_due_at == sh(2026, 3, 10, 16)  # 16 working hours later
    assert result.first_response_due_at == created + 24 * H  # calendar hours
    terms = PolicyTerms(first_response_general="4wh", acknowledge="1wd", resolution_general="30d")
    office = deadlines(created, calendar=OFFICE, terms=terms)
    assert office.first_response_due_at == sh(2026, 3, 9, 11)  # Fri 16–18, Mon 9–11
    assert office.acknowledge_due_at == sh(2026, 3, 9, 16)
    # Taken during the lunch break: counting starts at 13:00.
    assert deadlines(sh(2026, 3, 3, 12, 30), calendar=OFFICE, terms=terms).first_response_due_at == sh(
        2026, 3, 3, 17
    )


def test_the_acknowledgement_never_falls_after_the_resolution():
    # Friday 10:00 with the default policy: two working days is Tuesday, 48 hours is Sunday: the customer is
    # told the case is taken by Sunday 10:00 at the latest, not after the result is due.
    result = deadlines(sh(2026, 3, 6, 10))
    assert result.resolution_due_at == sh(2026, 3, 8, 10)
    assert result.acknowledge_due_at == result.resolution_due_at
    # A weekday case keeps its two working days when they come first.
    assert deadlines(sh(2026, 3, 3, 10), complexity="complex").acknowledge_due_at == sh(2026, 3, 5, 10)


def test_with_a_pause():
    created = sh(2026, 3, 3, 9)  # Tuesday
    pause = (sh(2026, 3, 3, 10), sh(2026, 3, 3, 13))
    plain = deadlines(created)
    paused = deadlines(created, pauses=[pause])
    assert paused.first_response_due_at == plain.first_response_due_at + 3 * H
    assert paused.acknowledge_due_at == plain.acknowledge_due_at + 3 * H
    assert paused.resolution_due_at == plain.resolution_due_at + 3 * H
    # In office hours the same pause holds 2 working hours (10–12; 12–13 is lunch).
    office_terms = PolicyTerms(acknowledge="1wd")
    assert deadlines(created, calendar=OFFICE, terms=office_terms, pauses=[pause]).acknowledge_due_at == sh(
        2026, 3, 4, 11
    )


def test_terms_are_configurable():
    terms = PolicyTerms(first_response_major="1h", resolution_general="3wd")
    result = deadlines(sh(2026, 3, 6, 10), terms=terms, severity="major")
    assert result.first_response_due_at == sh(2026, 3, 6, 11)
    assert result.resolution_due_at == sh(2026, 3, 11, 10)  # Fri + 3 working days = Wed


# Which policy applies -----------------------------------------------------------------------------


def _policy(name, unit=None, category=None, **terms) -> SlaPolicy:
    return SlaPolicy.objects.create(name=name, org_unit=unit, category=category, **terms)


def test_without_any_policy_the_defaults_of_the_spec_apply(org):
    policy = sla_policy_for(unit=org.store_a, category_id=None)
    assert policy.pk is None
    assert policy_terms(policy) == PolicyTerms(
        first_response_major="2h",
        first_response_general="24h",
        resolution_general="48h",
        resolution_complex="7d",
        acknowledge="2wd",
    )
    assert policy.pause_while_awaiting_customer is True


def test_organisation_default_applies_when_nothing_is_nearer(org):
    default = _policy("组织默认", first_response_general="12h")
    assert sla_policy_for(unit=org.store_a, category_id=None) == default
    assert sla_policy_for(unit=org.billing, category_id=org.category.pk) == default
    assert sla_policy_for(unit=None, category_id=None) == default
    assert policy_terms(default).first_response_general == "12h"


def test_nearest_unit_policy_wins(org):
    default = _policy("组织默认")
    region = _policy("华东", unit=org.region, first_response_general="20h")
    branch = _policy("上海", unit=org.branch, first_response_general="16h")
    store_b = _policy("浦东门店", unit=org.store_b, first_response_general="8h")
    assert sla_policy_for(unit=org.store_a, category_id=None) == branch
    assert sla_policy_for(unit=org.store_b, category_id=None) == store_b
    assert sla_policy_for(unit=org.branch, category_id=None) == branch
    assert sla_policy_for(unit=org.region, category_id=None) == region
    assert sla_policy_for(unit=org.hq, category_id=None) == default
    assert sla_policy_for(unit=org.billing, category_id=None) == default  # not under EAST


def test_category_policy_over_the_general_one(org):
    default = _policy("组织默认")
    billing = _policy("计费争议", category=org.category, resolution_general="5wd")
    assert sla_policy_for(unit=org.store_a, category_id=org.category.pk) == billing
    assert sla_policy_for(unit=org.store_a, category_id=None) == default
    other = type(org.category).objects.create(code="network", name="网络质量")
    assert sla_policy_for(unit=org.store_a, category_id=other.pk) == default

    # At the same unit a category row beats the unit's general row …
    branch = _policy("上海", unit=org.branch)
    branch_billing = _policy("上海计费", unit=org.branch, category=org.category)
    assert sla_policy_for(unit=org.store_a, category_id=org.category.pk) == branch_billing
    assert sla_policy_for(unit=org.store_a, category_id=other.pk) == branch
    # … and a nearer unit beats a category row further up.
    store = _policy("徐汇门店", unit=org.store_a)
    assert sla_policy_for(unit=org.store_a, category_id=org.category.pk) == store


def test_policy_decides_a_cases_deadlines(org):
    from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create

    _policy("上海", unit=org.branch, first_response_general="4h", resolution_general="3d")
    complaint = complaint_create(
        data=IntakeData(
            channel="phone",
            title="断网",
            description="断网三天",
            customer=IntakeCustomer(name="李先生", phone="13900139000"),
        ),
        actor=org.agent_a,
    )
    assert complaint.first_response_due_at == complaint.created_at + 4 * H
    assert complaint.resolution_due_at == complaint.created_at + 3 * D


def test_a_pause_after_a_clock_was_met_leaves_its_deadline_where_it_was():
    # Answered and acknowledged at 10:00; the result then waits a day for the customer's confirmation.
    created = sh(2026, 3, 3, 9)
    wait = [(sh(2026, 3, 3, 11), sh(2026, 3, 4, 11))]
    met = sh(2026, 3, 3, 10)
    before = deadlines(
        created, first_responded=True, acknowledged=True, first_responded_at=met, acknowledged_at=met
    )
    after = deadlines(
        created,
        pauses=wait,
        first_responded=True,
        acknowledged=True,
        first_responded_at=met,
        acknowledged_at=met,
    )
    assert after.first_response_due_at == before.first_response_due_at
    assert after.acknowledge_due_at == before.acknowledge_due_at
    # The resolution clock was still running during the wait: it moves by the day it stood still.
    assert after.resolution_due_at == before.resolution_due_at + dt.timedelta(days=1)
    # A clock not yet met when the pause began is still pushed by it.
    pending = deadlines(created, pauses=wait)
    assert pending.first_response_due_at == before.first_response_due_at + dt.timedelta(days=1)


def test_a_weekend_pause_counts_calendar_and_working_clocks_apart():
    # Friday 09:00, not yet acknowledged; waiting for the customer Friday 10:00 → Monday 10:00 is 72
    # calendar hours but 24 working hours (Friday 10–24, Monday 0–10).
    created = sh(2026, 11, 27, 9)
    plain = deadlines(created)
    paused = deadlines(created, pauses=[(sh(2026, 11, 27, 10), sh(2026, 11, 30, 10))])
    assert paused.first_response_due_at == plain.first_response_due_at + dt.timedelta(hours=72)
    assert paused.resolution_due_at == plain.resolution_due_at + dt.timedelta(hours=72)
    # Two working days from Friday 09:00 plus 24 working hours: Wednesday 09:00.
    assert paused.acknowledge_due_at == sh(2026, 12, 2, 9)
