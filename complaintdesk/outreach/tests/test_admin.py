"""The outreach models in the admin, in words: every list and record opens; incidents, choices and messages
are read-only; a campaign is refused with the reason when its kind lacks its date."""

import datetime as dt

import pytest

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Customer
from complaintdesk.outreach.care import customer_choice_record
from complaintdesk.outreach.models import Campaign, CampaignKind, CustomerChoice, NoticeRule

from .test_incidents import _complaint, _outage
from .test_notices_and_care import _event

pytestmark = pytest.mark.django_db

LISTS = ("incident", "receivedevent", "incidentlink", "noticerule", "campaign", "customerchoice",
         "customerchoicechange", "outreachmessage")  # fmt: skip


def test_every_outreach_list_and_record_opens_in_words(org, committed, admin_client):
    incident = _outage(org)
    _complaint(org, 1, committed)
    Customer.objects.create(name="甲", phone="+8613700000001", account_no="ORD-1")
    _event(committed)
    customer_choice_record(customer=Customer.objects.get(name="甲"), actor=org.manager, notices=False)
    NoticeRule.objects.create(source="", kind="outage", notify_customers=True)
    Campaign.objects.create(name="元旦问候", kind=CampaignKind.FESTIVAL, message="新年快乐", send_on=dt.date(2027, 1, 1),
                            created_at=now())  # fmt: skip
    for name in LISTS:
        page = admin_client.get(f"/admin/outreach/{name}/")
        assert page.status_code == 200, name
        text = page.content.decode()
        assert "outage" not in text.split("<tbody", 1)[-1].split("</tbody>")[0], name  # words, not codes
    detail = admin_client.get(f"/admin/outreach/incident/{incident.pk}/change/").content.decode()
    assert "1 件，查看列表" in detail and "服务中断" in detail
    assert admin_client.get("/admin/outreach/incident/add/").status_code == 403
    choice = CustomerChoice.objects.get()
    assert admin_client.post(f"/admin/outreach/customerchoice/{choice.pk}/change/", {}).status_code == 403
    refused = admin_client.post("/admin/outreach/campaign/add/", {
        "name": "春节问候", "kind": "festival", "message": "春节快乐", "is_active": "on", "consent_required": "on",
        "quiet_from": "21:00", "quiet_until": "09:00", "min_days_between": "7",
    })  # fmt: skip
    assert refused.status_code == 200 and "节日问候须填写发送日期" in refused.content.decode()
    assert not Campaign.objects.filter(name="春节问候").exists()
    added = admin_client.post("/admin/outreach/campaign/add/", {
        "name": "春节问候", "kind": "festival", "message": "春节快乐", "send_on": "2027-02-06", "is_active": "on",
        "consent_required": "on", "quiet_from": "21:00", "quiet_until": "09:00", "min_days_between": "7",
    })  # fmt: skip
    assert added.status_code == 302 and Campaign.objects.get(name="春节问候").created_at is not None
