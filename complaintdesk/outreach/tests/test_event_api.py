"""POST /api/v1/events (issue 19 item 3): a business system's event becomes an incident, once; the customers
concerned are told once however often it is delivered; bad input is a problem with reasons per field."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from complaintdesk.complaints.models import Customer
from complaintdesk.outreach.models import Incident, IncidentKind, NoticeRule, OutreachMessage

pytestmark = pytest.mark.django_db

EVENT = {
    "source": "wms",
    "event_id": "order-123-late",
    "kind": "shipment_delay",
    "title": "订单123延迟发货",
    "explanation": "仓库盘点，订单123要晚5天发货",
    "accounts": ["ORD-123", "ORD-124"],
    "starts_at": "2026-12-06T09:00:00+08:00",
    "expected_end_at": "2099-12-11T18:00:00+08:00",
    "notify_customers": True,
}


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4().hex}"}}  # fmt: skip


@pytest.fixture
def sender(org, api_for):
    call_command("outreach_event_sender", org.api_a.username, stdout=None)
    return api_for(org.api_a)


def _post(client, body, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        return (
            client.post("/events", body)
            if not headers
            else client.client.post("/api/v1/events", data=body, content_type="application/json", **headers)
        )


def test_the_same_event_delivered_twice_tells_each_customer_once(sender, django_capture_on_commit_callbacks,
                                                                   sms_sent):  # fmt: skip
    Customer.objects.create(name="甲", phone="+8613700000001", account_no="ORD-123")
    Customer.objects.create(name="乙", phone="+8613700000002", account_no="ORD-124")
    first = _post(sender, EVENT, django_capture_on_commit_callbacks)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True and first.json()["status_label"] == "进行中"
    again = _post(sender, {**EVENT, "title": "改了名字再发一次"}, django_capture_on_commit_callbacks)
    assert again.status_code == 200 and again.json() == {**first.json(), "created": False}
    keyed = _post(sender, EVENT, django_capture_on_commit_callbacks, HTTP_IDEMPOTENCY_KEY="k-1")
    replay = _post(sender, EVENT, django_capture_on_commit_callbacks, HTTP_IDEMPOTENCY_KEY="k-1")
    assert keyed.status_code == replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1
    sent = sms_sent()
    for phone in ("+8613700000001", "+8613700000002"):
        assert len(sent[phone]) == 1, sent[phone]
        assert "仓库盘点，订单123要晚5天发货" in sent[phone][0] and "退订" in sent[phone][0]
    assert OutreachMessage.objects.count() == 2


def test_without_the_permission_the_token_is_refused_and_nothing_is_stored(org, api_for):
    response = api_for(org.api_a).post("/events", EVENT)
    assert response.status_code == 403 and response["Content-Type"].startswith("application/problem+json")
    assert "报送业务事件" in response.json()["title"]
    assert api_for(org.agent_a).post("/events", EVENT).status_code == 403
    assert not Incident.objects.exists()
    assert Permission.objects.filter(codename="receive_event").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"starts_at": "明天"}, "starts_at"),
        ({"starts_at": "1999-01-01T00:00:00+08:00"}, "starts_at"),
        ({"kind": "earthquake"}, "kind"),
        ({"units": ["NOPE"]}, "units"),
        ({"accounts": [], "district": "", "units": []}, "district"),
        ({"expected_end_at": "2026-12-01T00:00:00+08:00"}, "expected_end_at"),
        ({"event_id": ""}, "event_id"),
        ({"title": "断网\u0000"}, "title"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_stores_nothing(sender, change, field):
    response = sender.post("/events", {**EVENT, **change})
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"].startswith("application/problem+json")
    errors = response.json().get("errors") or {}
    assert any(key == field or key.startswith(field) for key in errors), errors
    assert all(isinstance(m, str) and m.strip() for ms in errors.values() for m in ms)
    assert not Incident.objects.exists()


def test_an_event_that_does_not_say_follows_the_notice_rule_of_its_source_and_kind(sender):
    NoticeRule.objects.create(source="", kind=IncidentKind.SHIPMENT_DELAY, notify_customers=True)
    NoticeRule.objects.create(source="noc", kind=IncidentKind.OUTAGE, notify_customers=False)
    body = {k: v for k, v in EVENT.items() if k != "notify_customers"}
    assert sender.post("/events", body).json()["notify_customers"] is True
    outage = {
        **body,
        "source": "noc",
        "event_id": "o-1",
        "kind": "outage",
        "district": "徐汇区",
        "accounts": [],
    }
    assert sender.post("/events", outage).json()["notify_customers"] is False
    other = {**outage, "source": "crm", "event_id": "o-2"}
    assert sender.post("/events", other).json()["notify_customers"] is False  # no rule: not told


def test_the_event_api_is_documented(sender):
    schema = sender.client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/events"]["post"]
    assert operation["summary"] and {"201", "200", "403", "422"} <= set(operation["responses"])
    assert "event_id" in str(schema["components"]["schemas"]["BusinessEventIn"])
