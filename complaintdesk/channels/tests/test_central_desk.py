"""Complaints received centrally land at the customer service centre: a web form with 不确定 (no store), a
WeChat message or an e-mail without a unit goes where agents work it and hand it on (转办); a customer who
names their store still files straight there."""

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.channels.intake import complaint_intake
from complaintdesk.channels.services import channel_actor
from complaintdesk.complaints.selectors import ComplaintFilters, complaint_page
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import intake_data

pytestmark = pytest.mark.django_db


def _unassigned(user) -> list[str]:
    filters = ComplaintFilters(assignee="none", open_only=True, unit=user.org_unit.code)
    return [c.number for c in complaint_page(user=user, filters=filters).items]


@pytest.mark.parametrize("channel", ["web", "wechat", "email"])
def test_a_case_with_no_unit_lands_at_the_centre_and_in_its_agents_queue(org, channel):
    centre = orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    desk_agent = org.user("desk_agent", Role.AGENT, centre)
    actor = channel_actor(channel=channel)
    assert actor.org_unit == org.hq  # the channel account may still file into any unit

    case = complaint_intake(data=intake_data(channel=channel, customer=intake_data().customer), actor=actor)
    assert case.org_unit == centre
    assert case.number in _unassigned(desk_agent)
    assert case.number not in _unassigned(org.agent_a)

    named = complaint_intake(data=intake_data(channel=channel, org_unit_code="SH-A"), actor=actor)
    assert named.org_unit == org.store_a  # the customer named the store: it goes there
    assert named.number not in _unassigned(desk_agent)  # the centre's queue is its own unit's cases only


def test_without_a_centre_a_case_stays_in_the_channel_accounts_unit(org):
    case = complaint_intake(data=intake_data(channel="web"), actor=channel_actor(channel="web"))
    assert case.org_unit == org.hq


def test_staff_filing_without_a_unit_file_into_their_own(org):
    orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    case = complaint_intake(data=intake_data(channel="phone"), actor=org.agent_a)
    assert case.org_unit == org.store_a
