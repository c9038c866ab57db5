"""A complaint recorded after it arrived (issue 15 item 1): `received_at` through the API and the phone form,
and every deadline counted from receipt, not from the moment it was typed in."""

import datetime as dt

import pytest
from django.test import Client

from complaintdesk.common.testing import clock as clock  # the fixture
from complaintdesk.common.testing import local
from complaintdesk.complaints.models import Complaint

from .support import assert_problem, stored_rows

FRIDAY_EVENING = local(2026, 12, 4, 17, 30)  # a Friday; the weekend follows
MONDAY_MORNING = local(2026, 12, 7, 10, 0)
DEADLINES = ("first_response_due_at", "acknowledge_due_at", "resolution_due_at")


def _due(body) -> dict:
    return {name: dt.datetime.fromisoformat(body[name]) for name in DEADLINES}


def test_a_letter_received_on_friday_and_typed_in_on_monday_counts_from_friday(
    org, api_for, make_payload, clock
):
    api = api_for(org.agent_a)
    clock.at(FRIDAY_EVENING)
    typed_at_once = api.post("/complaints", make_payload(channel="letter"))
    assert typed_at_once.status_code == 201, typed_at_once.content

    clock.at(MONDAY_MORNING)
    late = api.post("/complaints", make_payload(channel="letter", received_at="2026-12-04T17:30:00+08:00"))
    assert late.status_code == 201, late.content
    typed_today = api.post("/complaints", make_payload(channel="letter"))

    body = late.json()
    assert dt.datetime.fromisoformat(body["received_at"]) == FRIDAY_EVENING
    # The same deadlines as had it been typed in on Friday: the weekend counts as it would have then.
    assert _due(body) == _due(typed_at_once.json())
    assert _due(body)["resolution_due_at"] < _due(typed_today.json())["resolution_due_at"]
    case = Complaint.objects.get(number=body["number"])
    assert case.received_at == FRIDAY_EVENING and case.created_at == MONDAY_MORNING
    # The timeline says when it arrived; a case typed in as it arrived says nothing more.
    (created,) = body["timeline"]
    assert "实际收到时间：2026-12-04 17:30" in created["reason"]
    assert "实际收到时间" not in typed_today.json()["timeline"][0]["reason"]
    # Without the field the receipt is the intake time.
    assert dt.datetime.fromisoformat(typed_today.json()["received_at"]) == MONDAY_MORNING


@pytest.mark.parametrize(
    ("received_at", "english"),
    [
        ("2026-12-07T12:00:00+08:00", "later than now"),  # two hours ahead of the clock
        ("2026-11-20T19:00:00+08:00", "before the time it happened"),  # occurred_at is 20:00 that day
        ("1999-06-01T12:00:00+08:00", "2000-01-01"),  # the API's floor for any time
    ],
    ids=["future", "before-occurred", "before-floor"],
)
def test_an_impossible_receipt_time_is_a_422_on_the_field_in_the_callers_language(
    org, api_for, make_payload, clock, received_at, english
):
    clock.at(MONDAY_MORNING)
    api = api_for(org.agent_a)
    payload = make_payload(received_at=received_at)
    before = stored_rows()
    body = assert_problem(api.post("/complaints", payload), 422, "received_at")
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in body["errors"]["received_at"])
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english_body = assert_problem(api.post("/complaints", payload), 422, "received_at")
    assert any(english in m for m in english_body["errors"]["received_at"]), english_body
    assert stored_rows() == before


def test_receipt_time_is_in_the_openapi_schema(org, api_for):
    schema = Client().get("/api/v1/openapi.json").json()
    component = schema["components"]["schemas"]["ComplaintIn"]["properties"]["received_at"]
    assert "时限从此起算" in str(component)


def test_a_call_logged_after_the_weekend_is_overdue_on_arrival(org, api_for, make_payload, clock):
    clock.at(MONDAY_MORNING)
    body = (
        api_for(org.agent_a).post("/complaints", make_payload(received_at="2026-12-04T17:30:00+08:00")).json()
    )
    # Friday 17:30 plus the first-response time is long gone on Monday at 10:00: the case is late already.
    assert _due(body)["first_response_due_at"] < MONDAY_MORNING
    assert dt.datetime.fromisoformat(body["due_at"]) < MONDAY_MORNING


PHONE = {
    "phone": "13812345678",
    "name": "王女士",
    "title": "宽带连续三天断网",
    "description": "周五晚上开始断网，重启光猫也没用。",
    "demand": "尽快修好并减免月租",
    "perceived_severity": "high",
    "preferred_channel": "phone",
    "restated": "on",
}


def _agent(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def test_the_phone_form_offers_the_receipt_time_and_deadlines_follow_it(org, clock):
    clock.at(MONDAY_MORNING)
    client = _agent(org.agent_a)
    page = client.get("/intake/phone/").content.decode()
    assert "实际收到时间" in page and 'name="received_at"' in page
    assert client.post("/intake/phone/", PHONE | {"title": "当场登记"}).status_code == 302
    response = client.post("/intake/phone/", PHONE | {"received_at": "2026-12-04T17:30"})
    assert response.status_code == 302, response.content.decode()[:2000]
    late = Complaint.objects.get(title="宽带连续三天断网")
    at_once = Complaint.objects.get(title="当场登记")
    assert late.received_at == FRIDAY_EVENING and at_once.received_at == MONDAY_MORNING
    assert late.first_response_due_at < at_once.first_response_due_at
    # What the agent is told to say to the caller promises no time already past.
    page = client.get(response["Location"]).content.decode()
    assert "我们会尽快与您联系" in page


def test_the_phone_form_refuses_a_receipt_time_in_the_future_with_its_label(org, clock):
    clock.at(MONDAY_MORNING)
    client = _agent(org.agent_a)
    response = client.post("/intake/phone/", PHONE | {"received_at": "2026-12-08T09:00"}, follow=True)
    html = response.content.decode()
    assert "实际收到时间：收到时间不能晚于现在" in html
    assert not Complaint.objects.exists()
    english = _agent(org.agent_a, HTTP_ACCEPT_LANGUAGE="en").post(
        "/intake/phone/", PHONE | {"received_at": "2026-12-08T09:00"}, follow=True
    )
    assert "The time received cannot be later than now" in english.content.decode()
