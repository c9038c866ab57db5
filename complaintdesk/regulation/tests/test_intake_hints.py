"""Admissibility hints at intake (issue 15 item 7): the API's create answer carries them, so an agent's tool
learns at once that the case arrived after the appeal window or may repeat an open case; the staff phone
form lands on the case page whose banner says the same. Nothing is refused."""

import pytest
from django.urls import reverse

from complaintdesk.complaints.models import Complaint
from complaintdesk.regulation.models import DeadlinePack, PackSelection

from .conftest import intake, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def telecom(org):
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="telecom", version=1))


def test_a_complaint_after_the_appeal_window_is_created_with_the_hint(
    org, telecom, clock, api_for, make_payload
):
    clock.at(local(2026, 12, 1, 10))
    response = api_for(org.api_a).post("/complaints", make_payload(occurred_at="2026-05-31T10:00:00+08:00"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert Complaint.objects.get(number=body["number"]).status == "new"  # taken in as usual
    (hint,) = body["hints"]
    assert hint["code"] == "appeal_window_passed"
    assert "2026-11-02 届满" in hint["text"] and "已照常受理" in hint["text"]
    # The same words as the case's regulation view.
    view = api_for(org.api_a).get(f"/complaints/{body['number']}/regulation").json()
    assert view["hints"] == body["hints"]


def test_a_possible_duplicate_is_named_at_creation(org, clock, api_for, make_payload):
    clock.at(local(2026, 12, 1, 10))
    api = api_for(org.api_a)
    first = api.post("/complaints", make_payload(category="billing_dispute")).json()
    assert first["hints"] == []
    second = api.post("/complaints", make_payload(category="billing_dispute", title="又多扣了月租"))
    assert second.status_code == 201
    (hint,) = second.json()["hints"]
    assert (hint["code"], hint["related"]) == ("possible_duplicate", first["number"])
    assert first["number"] in hint["text"] and "possible_duplicate" not in hint["text"]


def test_the_english_caller_reads_the_hint_in_english(org, telecom, clock, api_for, make_payload):
    clock.at(local(2026, 12, 1, 10))
    api = api_for(org.api_a)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = api.post("/complaints", make_payload(occurred_at="2026-05-31T10:00:00+08:00"))
    (hint,) = response.json()["hints"]
    assert "appeal" in hint["text"].lower() and "届满" not in hint["text"]


def test_the_phone_form_lands_on_the_case_page_with_the_hint_banner(org, telecom, clock, client):
    clock.at(local(2026, 12, 1, 10))
    intake(
        org.agent_a, title="上次的月租", occurred_at=local(2026, 11, 20, 10), category_code="billing_dispute"
    )
    client.force_login(org.agent_a)
    response = client.post(
        reverse("web:phone_intake"),
        {
            "name": "王女士", "phone": "13800138000", "title": "多扣月租", "demand": "退还多扣的月租",
            "description": "五月份的月租多扣了三十元", "category": "billing_dispute",
            "occurred_at": "2026-05-31T10:00", "perceived_severity": "medium", "preferred_channel": "phone",
            "restated": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    number = response["Location"].rstrip("/").split("/")[-1]
    assert Complaint.objects.filter(number=number).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    panel = client.get(reverse("web:regulation_panel", args=[number])).content.decode()
    assert 'data-testid="regulation-hints-banner"' in panel
    assert "2026-11-02 届满" in panel and "可能与本投诉是同一事项" in panel
