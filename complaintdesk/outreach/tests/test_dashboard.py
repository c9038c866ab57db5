"""The management dashboard counts complaints per incident (issue 19 item 2), with complaints per affected
customer with and without a proactive notice."""

import pytest
from django.test import Client

from complaintdesk.complaints.models import Customer
from complaintdesk.complaints.services import IntakeCustomer

from .test_incidents import _complaint, _outage, take_in
from .test_notices_and_care import _event

pytestmark = pytest.mark.django_db


def test_the_dashboard_panel_counts_complaints_per_incident(org, committed):
    outage = _outage(org)
    for n in range(3):
        _complaint(org, n, committed)
    Customer.objects.create(name="甲", phone="+8613700000001", account_no="ORD-1")
    Customer.objects.create(name="乙", phone="+8613700000002", account_no="ORD-2")
    batch = _event(committed)
    take_in(
        committed,
        org.agent_a,
        title="订单怎么还没发",
        customer=IntakeCustomer(name="甲", phone="13700000001"),
    )
    browser = Client()
    browser.force_login(org.executive)
    assert "incidents/dashboard-panel" in browser.get("/dashboard/").content.decode()
    panel = browser.get("/incidents/dashboard-panel").content.decode()
    assert "事件带来的投诉" in panel and outage.title in panel and batch.title in panel
    outage_row = panel.split(f'data-testid="incident-count-{outage.pk}"')[1].split("</tr>")[0]
    assert "<td>3</td>" in outage_row
    batch_row = panel.split(f'data-testid="incident-count-{batch.pk}"')[1].split("</tr>")[0]
    assert "<td>1</td><td>2</td>" in batch_row  # one complaint; two customers told first
    assert "0.50（1/2）" in batch_row  # one of the two told complained
    dept = Client()
    dept.force_login(org.dept_staff)
    assert dept.get("/incidents/dashboard-panel").status_code == 200
