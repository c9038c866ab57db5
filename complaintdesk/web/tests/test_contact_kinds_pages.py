"""Issue 19 on the staff pages: the phone intake takes the contact's kind, the queue shows it in words and
filters by it, and the case page changes it, routes a suggestion and credits praise."""

import re

import pytest
from django.core.cache import caches
from django.test import Client

from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create
from complaintdesk.complaints.states import ContactKind, Status

CALL = {
    "phone": "13812345678",
    "name": "王女士",
    "title": "咨询宽带套餐资费",
    "description": "想了解 300M 和 500M 的月费。",
    "perceived_severity": "medium",
    "preferred_channel": "phone",
    "restated": "on",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


def _client(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def _contact(actor, kind, title):
    return complaint_create(
        data=IntakeData(
            channel="phone",
            kind=kind,
            title=title,
            description="……",
            customer=IntakeCustomer(name="李先生", phone="13900139000"),
        ),
        actor=actor,
    )


def test_a_call_taken_as_an_inquiry_needs_no_demand_but_a_complaint_does(org):
    client = _client(org.agent_a)
    page = client.get("/intake/phone/").content.decode()
    assert all(word in page for word in ("来电类型", "咨询", "建议", "表扬"))
    response = client.post("/intake/phone/", CALL | {"kind": "inquiry"})
    assert response.status_code == 302, response.content.decode()[:1500]
    inquiry = Complaint.objects.get(title="咨询宽带套餐资费")
    assert (inquiry.kind, inquiry.demand) == (ContactKind.INQUIRY, "")

    refused = client.post("/intake/phone/", CALL | {"kind": "complaint", "title": "断网"}, follow=True)
    assert "投诉须记录客户诉求" in refused.content.decode()
    assert not Complaint.objects.filter(title="断网").exists()


def test_the_queue_shows_the_kind_in_words_and_filters_by_it(org):
    _contact(org.agent_a, ContactKind.COMPLAINT, "断网投诉")
    _contact(org.agent_a, ContactKind.PRAISE, "表扬营业员")
    client = _client(org.agent_a)
    page = client.get("/queues/team/").content.decode()
    assert 'name="kind"' in page and "全部类型" in page  # the selector
    assert "断网投诉" in page and "表扬营业员" in page
    rows = re.findall(r'<td class="kind">.*?</td>', page, re.S)
    assert any("表扬" in row for row in rows) and any("投诉" in row for row in rows)
    assert "praise" not in re.sub(r"<[^>]+>", "", " ".join(rows))  # words, never the code

    filtered = client.get("/queues/team/", {"kind": "praise"})
    text = filtered.content.decode()
    assert filtered.status_code == 200
    assert "表扬营业员" in text and "断网投诉" not in text


def test_the_case_page_turns_an_inquiry_into_a_complaint_and_credits_praise(org):
    inquiry = _contact(org.agent_a, ContactKind.INQUIRY, "咨询话费")
    client = _client(org.agent_a)
    page = client.get(f"/complaints/{inquiry.number}/").content.decode()
    assert 'data-testid="kind"' in page and "咨询" in page and "变更类型" in page
    response = client.post(f"/complaints/{inquiry.number}/kind", {"to": "complaint", "reason": "发现乱扣费"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.kind == ContactKind.COMPLAINT
    assert inquiry.events.filter(kind=EventKind.KIND_CHANGED, reason="发现乱扣费").exists()
    # Back without a reason: refused next to the field, nothing changed.
    page = client.post(f"/complaints/{inquiry.number}/kind", {"to": "inquiry"}, follow=True).content.decode()
    inquiry.refresh_from_db()
    assert inquiry.kind == ContactKind.COMPLAINT and "原因" in page

    praise = _contact(org.agent_a, ContactKind.PRAISE, "表扬装维师傅")
    client.post(f"/complaints/{praise.number}/transition", {"to": "accepted"})
    assert client.post(f"/complaints/{praise.number}/credit", {"username": "agent_b"}).status_code == 302
    client.post(f"/complaints/{praise.number}/transition", {"to": "closed", "reason": "已转达表扬"})
    praise.refresh_from_db()
    assert (praise.credited_user, praise.status) == (org.agent_b, Status.CLOSED)
    page = client.get(f"/complaints/{praise.number}/").content.decode()
    assert "已记入表扬" in page
