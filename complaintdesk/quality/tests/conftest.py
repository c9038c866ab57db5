"""Fixtures for quality inspection: the shared test organisation plus a second inspector and a
supervisor of store B, and a fast maker of closed cases (rows written directly: the lifecycle itself is
tested in complaints; here only "closed by whom and when" matters)."""

import datetime as dt
import itertools

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.common.testing import local as local
from complaintdesk.complaints.models import Complaint, Customer
from complaintdesk.complaints.states import Status

_numbers = itertools.count(1)


@pytest.fixture
def people(org):
    org.inspector2 = org.user("qa2", Role.QUALITY_INSPECTOR, org.hq)
    org.supervisor_b = org.user("sup_b", Role.SUPERVISOR, org.store_b)
    return org


@pytest.fixture
def make_case(org):
    customer = Customer.objects.create(name="王女士", phone="+8613800138000")

    def make(
        agent,
        closed_at: dt.datetime | None,
        *,
        status: str = Status.CLOSED,
        unit=None,
        title="宽带连续三天断网",
    ) -> Complaint:
        created = (closed_at or local(2026, 11, 1, 9)) - dt.timedelta(days=2)
        return Complaint.objects.create(
            number=f"QA{next(_numbers):08d}",
            org_unit=unit or (agent.org_unit if agent else org.store_a),
            customer=customer,
            channel="phone",
            title=title,
            description="家里宽带从周五晚上开始断网，重启光猫也没用。",
            demand="尽快修好",
            assignee=agent,
            status=status,
            is_open=status not in (Status.CLOSED, Status.WITHDRAWN, Status.RESOLVED),
            created_at=created,
            received_at=created,
            updated_at=closed_at or created,
            closed_at=closed_at if status == Status.CLOSED else None,
        )

    return make


def closed_in_november(make_case, agent, n: int, *, day: int = 10) -> list[Complaint]:
    """`n` cases of `agent` closed one hour apart from November `day` (local)."""
    start = local(2026, 11, day, 8)
    return [make_case(agent, start + dt.timedelta(hours=i)) for i in range(n)]
