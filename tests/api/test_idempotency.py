"""Idempotency-Key on every POST: a retry replays the first response and creates nothing; the same key
with another body is 409; ten concurrent retries create exactly one complaint (PostgreSQL)."""

import json
import uuid

import pytest
from django.test import Client

from complaintdesk.api.models import IdempotencyKey
from complaintdesk.common.testing import run_together
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent

from .support import assert_problem, stored_rows
from .test_attachments import PNG


def _post(api, path, body, key, **extra):
    return api.client.post(
        f"/api/v1{path}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **extra,
    )


def test_retry_with_the_same_key_replays_the_first_response(org, api_for, make_payload):
    api = api_for(org.agent_a)
    key = str(uuid.uuid4())
    first = _post(api, "/complaints", make_payload(), key)
    assert first.status_code == 201, first.content
    rows = stored_rows()

    for _ in range(3):
        again = _post(api, "/complaints", make_payload(), key)
        assert again.status_code == 201
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]
        assert again["Idempotent-Replayed"] == "true"
    assert stored_rows() == rows
    assert Complaint.objects.count() == 1

    # The same data as JSON with other key order and spacing is the same request.
    reordered = json.dumps(dict(reversed(list(make_payload().items()))), indent=2)
    again = api.client.post(
        "/api/v1/complaints", data=reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert again.status_code == 201 and again.content == first.content
    assert stored_rows() == rows


def test_same_key_with_another_body_or_path_is_409(org, api_for, make_payload):
    api = api_for(org.agent_a)
    key = "order-7f3a"
    number = _post(api, "/complaints", make_payload(), key).json()["number"]
    rows = stored_rows()
    body = assert_problem_conflict(_post(api, "/complaints", make_payload(title="另一件事"), key))
    assert body["code"] == "idempotency_key_reused"
    assert_problem_conflict(_post(api, f"/complaints/{number}/notes", {"text": "备注"}, key))
    assert stored_rows() == rows


def assert_problem_conflict(response) -> dict:
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 409 and body["title"]
    return body


def test_keys_belong_to_their_principal(org, api_for, make_payload):
    key = "shared-key-1"
    a = _post(api_for(org.agent_a), "/complaints", make_payload(), key)
    b = _post(api_for(org.agent_b), "/complaints", make_payload(), key)
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]
    assert Complaint.objects.count() == 2
    # Another token of the same user is the same principal.
    again = _post(api_for(org.agent_a), "/complaints", make_payload(), key)
    assert again.content == a.content


def test_a_refused_request_is_not_remembered(org, api_for, make_payload):
    api = api_for(org.agent_a)
    key = "retry-after-fix"
    bad = make_payload()
    bad["customer"]["phone"] = "12345"
    before = stored_rows()
    assert_problem(_post(api, "/complaints", bad, key), 422, "customer.phone")
    assert stored_rows() == before
    assert not IdempotencyKey.objects.exists()
    # The corrected request under the same key is done once.
    assert _post(api, "/complaints", make_payload(), key).status_code == 201
    assert _post(api, "/complaints", make_payload(), key).status_code == 201
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("key", ["", "has space", "é" * 3, "x" * 256])
def test_malformed_key_is_400(org, api_for, make_payload, key):
    before = stored_rows()
    response = _post(api_for(org.agent_a), "/complaints", make_payload(), key)
    assert_problem(response, 400, "Idempotency-Key")
    assert stored_rows() == before


def test_every_post_endpoint_is_idempotent(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = api.post("/complaints", make_payload()).json()["number"]
    calls = [
        ("/complaints/{n}/transitions", {"to": "accepted", "reason": "已联系"}),
        ("/complaints/{n}/notes", {"text": "内部备注"}),
        ("/complaints/{n}/messages", {"text": "客户补充：光猫红灯", "channel": "phone"}),
    ]
    for path, body in calls:
        key = str(uuid.uuid4())
        first = _post(api, path.format(n=number), body, key)
        assert 200 <= first.status_code < 300, first.content
        events = ComplaintEvent.objects.count()
        second = _post(api, path.format(n=number), body, key)
        assert (second.status_code, second.content) == (first.status_code, first.content)
        assert ComplaintEvent.objects.count() == events

    key = str(uuid.uuid4())
    upload = [
        api.client.post(
            f"/api/v1/complaints/{number}/attachments", {"file": _png("光猫.png")}, HTTP_IDEMPOTENCY_KEY=key
        )
        for _ in range(2)
    ]
    assert upload[0].status_code == 201
    assert (upload[1].status_code, upload[1].content) == (201, upload[0].content)
    assert Attachment.objects.count() == 1


def _png(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_key_create_one_complaint(org, make_payload):
    from complaintdesk.accounts.services import api_token_issue

    _row, token = api_token_issue(user=org.agent_a)
    body = json.dumps(make_payload())
    key = str(uuid.uuid4())

    def send():
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            "/api/v1/complaints", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    responses, errors = run_together(send, 10, timeout=120)
    assert errors == []
    assert len(responses) == 10
    assert {r.status_code for r in responses} == {201}, [r.content[:200] for r in responses]
    assert len({r.content for r in responses}) == 1
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.filter(kind="created").count() == 1
    assert IdempotencyKey.objects.filter(key=key).count() == 1
    assert sum(1 for r in responses if r.get("Idempotent-Replayed") == "true") == 9
