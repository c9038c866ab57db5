"""A hand-built set of 50 complaints whose KPIs test_kpis.py works out by hand.

Rows are written straight with the ORM (stamps, deadlines, survey answers, ledger entries, hand-offs,
timeline events) so that every value is exactly the one the hand calculation uses. Times are local
(Asia/Shanghai, +08:00). The working calendar is the default one (whole days, mainland working days);
every handling interval below lies on working days except group A2, which spans a weekend.

Groups (the test's comments refer to them):
  March 2026 (35)
    A1a ×6  SH-A agent_a billing phone  general/general  Tue 03-10 09:00  c1–c6   resp +1h  resolved +4h  closed  5★ NPS 10
    A1b ×2  as A1a                                                         c7–c8   4★ NPS 8
    A1c ×2  as A1a                                                         c9–c10  2★ NPS 3
    A2  ×6  SH-A agent_a network wechat general/complex  Fri 03-13 10:00  c11–c16 resp +30h  resolved Mon 10:00 (+72h)
            status resolved; c11–c13 4★ NPS 9; c11 had a work order
    A3  ×4  SH-A agent_a billing phone  major/general    Wed 03-25 09:00  c1–c4   resp +1h  resolved +6h  closed
            c1 escalated (status), 1★ NPS 0, ¥100.00; c2 handed up the ladder, unrated;
            c3 reopened, 3★ NPS 7, ¥50.50; c4 reassigned from agent_b, 5★ NPS 9
    B1a ×4  SH-B agent_b attitude web   general/general  Tue 03-17 14:00  d1–d4   resp +2h  resolved +10h closed  4★ NPS 6
    B1b ×2  as B1a                                                         d5–d6   resolved +50h closed  2★ no NPS
    B1c ×2  as B1a                                                         d7–d8   still handling
    B2  ×4  SH-B agent_b billing phone  general/general  Tue 03-31 23:30  d9–d12  never responded, status new; d12 withdrawn
    S1  ×3  SH   nobody  billing email  general/general  Fri 03-20 11:00  e1–e3   resp +30min resolved +1h closed 5★ NPS 10; e1 ¥20.00
  April 2026 (15)
    A4  ×5  SH-A agent_a billing phone  general/general  Wed 04-01 00:10  c5–c9   resp +1h  resolved +3h  closed  5★ NPS 10
    A5  ×1  SH-A agent_a network phone  general/general  Wed 04-15 10:00  c10     resp +1h  resolved +2h  closed
    B3  ×6  SH-B agent_b attitude wechat major/complex   04-08 10:00 ×3 and 04-09 10:00 ×3, f1–f3 each once a day
            resp +3h resolved +24h closed; the 04-09 ones escalated; the 04-08 ones 4★ NPS 9
    P1  ×1  SH-A agent_a billing phone  general/general  Mon 04-20 10:00  g1      resp +1h, awaiting the customer, clock paused
    X   ×2  BILL nobody  billing api    general/general  Thu 04-02 10:00  h1–h2   resp +1h  resolved +5h  closed  3★ NPS 5
Deadlines: first response +24h (general) / +2h (major); resolution +48h (general) / +168h (complex).
Customers served: SH-A 1000 (Mar) 800 (Apr); SH-B 500 / 400; SH 200 (Mar only); BILL none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from complaintdesk.analytics.models import CustomersServed
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent, Customer, EventKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 5, 15, 12, 0, tzinfo=SHANGHAI)  # when the facts are computed
H = dt.timedelta(hours=1)
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def local(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Fixture:
    def __init__(self, org):
        self.org = org
        self.billing = org.category
        self.network = Category.objects.create(code="network", name="网络质量")
        self.attitude = Category.objects.create(code="attitude", name="服务态度")
        self.customers: dict[str, Customer] = {}
        self.n = 0
        self.cases: dict[str, list[Complaint]] = {}
        self._build()

    # Builders -------------------------------------------------------------------------------------

    def customer(self, key: str) -> Customer:
        if key not in self.customers:
            self.customers[key] = Customer.objects.create(
                name=f"客户{key}", phone=f"+86138{len(self.customers):08d}"
            )
        return self.customers[key]

    def case(
        self,
        group: str,
        cust: str,
        unit,
        created: dt.datetime,
        *,
        category,
        channel: str,
        agent=None,
        severity="general",
        complexity="general",
        status="closed",
        responded: dt.timedelta | None = None,
        resolved: dt.timedelta | None = None,
        **extra,
    ) -> Complaint:
        self.n += 1
        fr_due = created + (2 * H if severity == "major" else 24 * H)
        res_due = created + (168 * H if complexity == "complex" else 48 * H)
        resolved_at = created + resolved if resolved is not None else None
        complaint = Complaint.objects.create(
            number=f"TS20260000{self.n:04d}",
            org_unit=unit,
            customer=self.customer(cust),
            channel=channel,
            title=f"{group} {cust}",
            description="……",
            category=category,
            severity=severity,
            complexity=complexity,
            assignee=agent,
            status=status,
            is_open=status not in ("resolved", "closed", "withdrawn", "follow_up"),
            created_at=created,
            received_at=created,
            updated_at=created,
            first_responded_at=created + responded if responded is not None else None,
            first_response_due_at=fr_due,
            resolution_due_at=res_due,
            resolved_at=resolved_at,
            closed_at=resolved_at if status == "closed" else None,
            **extra,
        )
        ComplaintEvent.objects.create(complaint=complaint, at=created, kind=EventKind.CREATED)
        self.cases.setdefault(group, []).append(complaint)
        return complaint

    def rate(self, complaint: Complaint, stars: int, nps: int | None) -> None:
        from complaintdesk.surveys.models import SurveyAnswer, SurveyInvitation

        at = (complaint.resolved_at or complaint.created_at) + H
        invitation = SurveyInvitation.objects.create(
            complaint=complaint,
            token_hash=hashlib.sha256(complaint.number.encode()).hexdigest(),
            agent=complaint.assignee,
            org_unit=complaint.org_unit,
            created_at=at,
            expires_at=at + 24 * 7 * H,
            used_at=at,
        )
        SurveyAnswer.objects.create(
            invitation=invitation,
            complaint=complaint,
            agent=complaint.assignee,
            org_unit=complaint.org_unit,
            stars=stars,
            nps=nps,
            answered_at=at,
        )

    def compensate(self, complaint: Complaint, amount: str) -> None:
        from complaintdesk.solutions.models import CompensationEntry, Remedy, SolutionOption, SolutionProposal

        at = complaint.created_at + 2 * H
        remedy, _ = Remedy.objects.get_or_create(code="test-refund", defaults={"name": "退款"})
        proposal = SolutionProposal.objects.create(
            complaint=complaint, proposed_by=self.org.agent_a, proposed_at=at, status="chosen", updated_at=at
        )
        option = SolutionOption.objects.create(
            proposal=proposal, label="A", remedy=remedy, amount=Decimal(amount)
        )
        CompensationEntry.objects.create(
            complaint=complaint,
            org_unit=complaint.org_unit,
            proposal=proposal,
            option=option,
            remedy=remedy,
            amount=Decimal(amount),
            authorised_by=self.org.manager,
            recorded_by=self.org.agent_a,
            at=at,
            month=at.astimezone(SHANGHAI).date().replace(day=1),
        )

    def hand_up(self, complaint: Complaint) -> None:
        from complaintdesk.escalation.models import EscalationHandOff

        EscalationHandOff.objects.create(
            complaint=complaint,
            at=complaint.created_at + 3 * H,
            trigger="manual",
            direction="up",
            from_level_position=0,
            to_level_position=1,
        )

    def event(self, complaint: Complaint, kind: str, old_value: str = "") -> None:
        ComplaintEvent.objects.create(
            complaint=complaint, at=complaint.created_at + H, kind=kind, field="assignee", old_value=old_value
        )

    # The 50 cases -----------------------------------------------------------------------------------

    def _build(self) -> None:
        o = self.org
        sh_a, sh_b, sh, bill = o.store_a, o.store_b, o.branch, o.billing
        a, b = o.agent_a, o.agent_b
        common_a1 = dict(category=self.billing, channel="phone", agent=a, responded=H, resolved=4 * H)
        for i in range(1, 11):
            c = self.case("A1", f"c{i}", sh_a, local(3, 10, 9), **common_a1)
            stars, nps = (5, 10) if i <= 6 else (4, 8) if i <= 8 else (2, 3)
            self.rate(c, stars, nps)
        for i in range(11, 17):
            c = self.case(
                "A2", f"c{i}", sh_a, local(3, 13, 10), category=self.network, channel="wechat", agent=a,
                complexity="complex", status="resolved", responded=30 * H, resolved=72 * H,
            )  # fmt: skip
            if i <= 13:
                self.rate(c, 4, 9)
            if i == 11:
                self.event(c, EventKind.WORK_ORDER)
        common_a3 = dict(
            category=self.billing, channel="phone", agent=a, severity="major", responded=H, resolved=6 * H
        )
        c1 = self.case("A3", "c1", sh_a, local(3, 25, 9), escalated_at=local(3, 25, 12), **common_a3)
        self.rate(c1, 1, 0)
        self.compensate(c1, "100.00")
        c2 = self.case("A3", "c2", sh_a, local(3, 25, 9), **common_a3)
        self.hand_up(c2)
        c3 = self.case("A3", "c3", sh_a, local(3, 25, 9), reopened_at=local(3, 25, 14), **common_a3)
        self.rate(c3, 3, 7)
        self.compensate(c3, "50.50")
        c4 = self.case("A3", "c4", sh_a, local(3, 25, 9), **common_a3)
        self.event(c4, EventKind.ASSIGNED, old_value="agent_b")
        self.rate(c4, 5, 9)
        common_b1 = dict(category=self.attitude, channel="web", agent=b, responded=2 * H)
        for i in range(1, 9):
            if i <= 4:
                c = self.case("B1", f"d{i}", sh_b, local(3, 17, 14), resolved=10 * H, **common_b1)
                self.rate(c, 4, 6)
            elif i <= 6:
                c = self.case("B1", f"d{i}", sh_b, local(3, 17, 14), resolved=50 * H, **common_b1)
                self.rate(c, 2, None)
            else:
                self.case("B1", f"d{i}", sh_b, local(3, 17, 14), status="handling", **common_b1)
        for i in range(9, 13):
            withdrawn = i == 12
            self.case(
                "B2", f"d{i}", sh_b, local(3, 31, 23, 30), category=self.billing, channel="phone", agent=b,
                status="withdrawn" if withdrawn else "new",
                withdrawn_at=local(4, 1, 9) if withdrawn else None,
            )  # fmt: skip
        for i in range(1, 4):
            c = self.case(
                "S1", f"e{i}", sh, local(3, 20, 11), category=self.billing, channel="email",
                responded=H / 2, resolved=H,
            )  # fmt: skip
            self.rate(c, 5, 10)
            if i == 1:
                self.compensate(c, "20.00")
        for i in range(5, 10):
            c = self.case(
                "A4", f"c{i}", sh_a, local(4, 1, 0, 10), category=self.billing, channel="phone", agent=a,
                responded=H, resolved=3 * H,
            )  # fmt: skip
            self.rate(c, 5, 10)
        self.case(
            "A5", "c10", sh_a, local(4, 15, 10), category=self.network, channel="phone", agent=a,
            responded=H, resolved=2 * H,
        )  # fmt: skip
        for day in (8, 9):
            for i in range(1, 4):
                c = self.case(
                    "B3", f"f{i}", sh_b, local(4, day, 10), category=self.attitude, channel="wechat", agent=b,
                    severity="major", complexity="complex", responded=3 * H, resolved=24 * H,
                    escalated_at=local(4, day, 15) if day == 9 else None,
                )  # fmt: skip
                if day == 8:
                    self.rate(c, 4, 9)
        self.case(
            "P1", "g1", sh_a, local(4, 20, 10), category=self.billing, channel="phone", agent=a,
            status="awaiting_customer", responded=H, sla_paused_at=local(4, 21, 10),
        )  # fmt: skip
        for i in (1, 2):
            c = self.case(
                "X",
                f"h{i}",
                bill,
                local(4, 2, 10),
                category=self.billing,
                channel="api",
                responded=H,
                resolved=5 * H,
            )
            self.rate(c, 3, 5)
        served = [
            (sh_a, MARCH, 1000),
            (sh_b, MARCH, 500),
            (sh, MARCH, 200),
            (sh_a, APRIL, 800),
            (sh_b, APRIL, 400),
        ]
        for unit, month, customers in served:
            CustomersServed.objects.create(org_unit=unit, month=month, customers=customers, updated_at=AT)
