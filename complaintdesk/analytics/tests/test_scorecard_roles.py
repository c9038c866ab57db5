"""Scorecards rank agents among agents: a business manager who handled cases gets no scorecard and does not
move the agents' volume score."""

from complaintdesk.analytics import selectors
from complaintdesk.analytics.scorecards import scorecards
from complaintdesk.analytics.services import analytics_rebuild
from complaintdesk.complaints.models import Complaint

from .fixture import APRIL, AT, MARCH, Fixture


def test_a_manager_who_handled_cases_is_not_ranked_as_an_agent(org):
    fixture = Fixture(org)
    # Four of agent_b's March cases (B1) were handled by the branch's business manager instead.
    Complaint.objects.filter(pk__in=[c.pk for c in fixture.cases["B1"][:4]]).update(assignee=org.manager)
    analytics_rebuild(at=AT)

    cards = {card.agent.username: card for card in scorecards(selectors.slice_for(
        user=org.executive, month_from=MARCH, month_to=APRIL
    ))}  # fmt: skip

    assert set(cards) == {"agent_a", "agent_b"}
    assert org.manager.role == "business_manager"
