"""Golden statutory due dates of the shipped packs (data migration 0002) on the mainland calendar: 春节 2026
(official data: off 15–23 Feb, 调休 Saturdays 14 and 28 Feb working), 国庆 2026 (off 1–7 Oct, Saturday 10
Oct working), 春节 2027 (no official data yet: provisional rules), and the extension path. The same table
is in docs/regulation.md; a change here must change it there."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.common.testing import local
from complaintdesk.regulation.deadlines import (
    CaseFacts,
    Clock,
    ExtensionGrant,
    ExtensionRefused,
    statutory_due_dates,
)
from complaintdesk.regulation.models import DeadlinePack
from complaintdesk.regulation.selectors import pack_terms

pytestmark = pytest.mark.django_db

CALENDAR = WorkCalendar()


def shipped(code: str):
    return pack_terms(DeadlinePack.objects.get(code=code, version=1))


def due(code: str, clock: Clock, **facts) -> dict:
    extensions = facts.pop("extensions", ())
    dues = statutory_due_dates(
        pack=shipped(code), facts=CaseFacts(**facts), calendar=CALENDAR, extensions=extensions
    )
    return {(d.clock, d.condition.value): d for d in dues if d.clock is clock}


def last_day(code: str, clock: Clock, **facts) -> dt.date:
    (only,) = due(code, clock, **facts).values()
    return only.last_day


# (pack, clock, received local, complexity, expected last day, why)
GOLDEN_RECEIVED = [
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 2, 3, 10),
        "general",
        dt.date(2026, 2, 24),
        "15日 ends Wed 18 Feb in 春节: moves past the holiday and the weekend to Tue 24 Feb",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 2, 3, 10),
        "complex",
        dt.date(2026, 3, 5),
        "30日 for a complex case ends on a working Thursday",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 1, 30, 16),
        "general",
        dt.date(2026, 2, 14),
        "ends on Sat 14 Feb, a 调休 working Saturday: stays",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 1, 31, 9),
        "general",
        dt.date(2026, 2, 24),
        "ends on Sun 15 Feb, first day of 春节: moves to Tue 24 Feb",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 9, 25, 11),
        "general",
        dt.date(2026, 10, 10),
        "ends on Sat 10 Oct, the 调休 working Saturday after 国庆: stays",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 9, 20, 9),
        "general",
        dt.date(2026, 10, 8),
        "ends on Mon 5 Oct in 国庆: moves to Thu 8 Oct",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2026, 10, 1, 1),
        "general",
        dt.date(2026, 10, 16),
        "received 01:00 on 1 Oct Shanghai time (30 Sep in UTC): counts from the local day",
    ),
    (
        "banking-insurance",
        Clock.DECISION,
        local(2027, 1, 25, 10),
        "general",
        dt.date(2027, 2, 11),
        "春节 2027 (provisional calendar): ends Tue 9 Feb, moves to Thu 11 Feb",
    ),
    (
        "telecom",
        Clock.ANSWER,
        local(2026, 9, 28, 15),
        "general",
        dt.date(2026, 10, 13),
        "15日 across 国庆 ends on a working Tuesday",
    ),
    (
        "postal-courier",
        Clock.ANSWER,
        local(2026, 10, 1, 10),
        "general",
        dt.date(2026, 10, 8),
        "7日 ends Thu 8 Oct, the first working day after 国庆",
    ),
    (
        "postal-courier",
        Clock.ANSWER,
        local(2026, 2, 10, 10),
        "general",
        dt.date(2026, 2, 24),
        "7日 ends Tue 17 Feb in 春节: moves to Tue 24 Feb",
    ),
    (
        "odr-12315",
        Clock.DECISION,
        local(2026, 9, 28, 15),
        "general",
        dt.date(2026, 10, 16),
        "10 working days: 29, 30 Sep, 8, 9, 10 (调休 Saturday), 12–16 Oct",
    ),
    (
        "odr-12315",
        Clock.DECISION,
        local(2026, 2, 12, 23, 30),
        "general",
        dt.date(2026, 3, 4),
        "10 working days: 13, 14 (调休 Saturday), 24–27 Feb, 28 Feb (调休 Saturday), 2–4 Mar",
    ),
    (
        "odr-12315",
        Clock.DECISION,
        local(2027, 2, 3, 9),
        "general",
        dt.date(2027, 2, 23),
        "春节 2027 (provisional): 4, 11, 12, 15–19, 22, 23 Feb",
    ),
    (
        "telecom",
        Clock.ANSWER,
        local(2026, 2, 3, 10),
        "general",
        dt.date(2026, 2, 24),
        "15日 ends Wed 18 Feb in 春节: moves to Tue 24 Feb",
    ),
    (
        "telecom",
        Clock.ANSWER,
        local(2026, 1, 30, 16),
        "general",
        dt.date(2026, 2, 14),
        "ends on Sat 14 Feb, a 调休 working Saturday: stays",
    ),
    (
        "postal-courier",
        Clock.ANSWER,
        local(2026, 10, 3, 10),
        "general",
        dt.date(2026, 10, 10),
        "7日 ends on Sat 10 Oct, the 调休 working Saturday after 国庆: stays",
    ),
]


@pytest.mark.parametrize(
    ("code", "clock", "received", "complexity", "expected", "why"), GOLDEN_RECEIVED,
    ids=[f"{row[0]}-{row[4]}" for row in GOLDEN_RECEIVED],
)  # fmt: skip
def test_golden_due_dates_from_receipt(code, clock, received, complexity, expected, why):
    assert last_day(code, clock, received_at=received, complexity=complexity) == expected, why


def test_a_period_ends_at_the_end_of_its_last_day_local_time():
    (decision,) = due("banking-insurance", Clock.DECISION, received_at=local(2026, 2, 3, 10)).values()
    assert decision.due_at == local(2026, 2, 25, 0)
    assert decision.due_at.tzinfo == dt.UTC


def test_a_due_date_in_a_year_without_official_data_is_provisional():
    (in_2026,) = due("banking-insurance", Clock.DECISION, received_at=local(2026, 2, 3, 10)).values()
    (in_2027,) = due("banking-insurance", Clock.DECISION, received_at=local(2027, 1, 25, 10)).values()
    assert (in_2026.provisional, in_2027.provisional) == (False, True)


def test_banking_review_window_counts_from_the_decision():
    received = local(2026, 1, 5, 10)
    assert due("banking-insurance", Clock.REVIEW_WINDOW, received_at=received) == {}  # no decision yet
    window = last_day(
        "banking-insurance", Clock.REVIEW_WINDOW, received_at=received, decided_at=local(2026, 1, 20, 15)
    )
    assert window == dt.date(2026, 2, 24)  # 30日 ends Thu 19 Feb in 春节


def test_telecom_appeal_windows_count_from_the_disputed_matter():
    received, occurred = local(2026, 6, 2, 10), local(2026, 5, 31, 20)
    fee = due("telecom", Clock.APPEAL_WINDOW, received_at=received, occurred_at=occurred, fee_dispute=True)
    assert [d.last_day for d in fee.values()] == [dt.date(2026, 11, 2)]  # 31 Oct is a Saturday
    other = due(
        "telecom",
        Clock.APPEAL_WINDOW,
        received_at=received,
        occurred_at=local(2024, 2, 29, 9),
        fee_dispute=False,
    )
    assert [d.last_day for d in other.values()] == [
        dt.date(2026, 2, 28)
    ]  # no 29 Feb; the 调休 Saturday works
    unknown = due("telecom", Clock.APPEAL_WINDOW, received_at=received, occurred_at=occurred)
    assert set(unknown) == {(Clock.APPEAL_WINDOW, "fee_dispute"), (Clock.APPEAL_WINDOW, "other_dispute")}


def test_postal_report_back_only_for_a_forwarded_appeal():
    received = local(2026, 10, 1, 10)
    assert due("postal-courier", Clock.REPORT_BACK, received_at=received) == {}
    assert last_day("postal-courier", Clock.REPORT_BACK, received_at=received, forwarded=True) == dt.date(
        2026, 10, 16
    )


# --- The extension path (banking: complex 30日, +30日 with the designated role's approval, 60日 at most) ---

RECEIVED = local(2026, 9, 20, 9)  # a 调休 working Sunday before 国庆


def extended(*grants, complexity="complex"):
    return due(
        "banking-insurance", Clock.DECISION, received_at=RECEIVED, complexity=complexity, extensions=grants
    )


def test_an_approved_extension_moves_the_decision_deadline_to_60_days():
    (without,) = extended().values()
    (with_extension,) = extended(
        ExtensionGrant(amount=30, approver_role="executive", customer_notified=True)
    ).values()
    assert (without.last_day, without.amount) == (dt.date(2026, 10, 20), 30)
    assert (with_extension.last_day, with_extension.amount, with_extension.extended_by) == (
        dt.date(2026, 11, 19),
        60,
        30,
    )


@pytest.mark.parametrize(
    ("grants", "complexity", "reason"),
    [
        ((ExtensionGrant(30, "business_manager", True),), "complex", "approver"),
        ((ExtensionGrant(30, "", True),), "complex", "approver"),
        ((ExtensionGrant(30, "executive", False),), "complex", "notice"),
        ((ExtensionGrant(31, "executive", True),), "complex", "amount"),
        ((ExtensionGrant(20, "executive", True), ExtensionGrant(11, "executive", True)), "complex", "cap"),
        ((ExtensionGrant(15, "executive", True),), "general", "not_complex"),
    ],
    ids=[
        "wrong-role",
        "no-approver",
        "complainant-not-told",
        "over-one-step",
        "over-60-in-all",
        "general-case",
    ],
)
def test_an_extension_that_breaks_the_rule_is_refused(grants, complexity, reason):
    with pytest.raises(ExtensionRefused) as refused:
        extended(*grants, complexity=complexity)
    assert refused.value.reason == reason


def test_two_extensions_within_the_cap_are_added():
    (decision,) = extended(
        ExtensionGrant(20, "executive", True), ExtensionGrant(10, "executive", True)
    ).values()
    assert (decision.amount, decision.last_day) == (60, dt.date(2026, 11, 19))


def test_a_pack_without_an_extension_rule_refuses_one():
    with pytest.raises(ExtensionRefused) as refused:
        statutory_due_dates(
            pack=shipped("telecom"), facts=CaseFacts(received_at=RECEIVED, complexity="complex"), calendar=CALENDAR,
            extensions=(ExtensionGrant(10, "executive", True),),
        )  # fmt: skip
    assert refused.value.reason == "not_extendable"


def test_the_golden_table_in_the_docs_is_this_one():
    docs = (Path(settings.BASE_DIR) / "docs" / "regulation.md").read_text(encoding="utf-8")
    for code, clock, received, complexity, expected, _why in GOLDEN_RECEIVED:
        row = f"| {clock.value} | {received:%Y-%m-%d %H:%M} | {complexity} | **{expected:%Y-%m-%d}**"
        assert row in docs, f"docs/regulation.md lacks the golden row {code} {row}"
