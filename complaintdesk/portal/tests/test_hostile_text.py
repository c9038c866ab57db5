"""Text no database column can hold (a NUL character; PostgreSQL refuses it) typed or pasted into the
portal's forms and URLs: a field error on the form or a not-found page, never a server error, nothing
written (issue 18 item 1)."""

import pytest
from django.test import Client

from complaintdesk.complaints.models import Complaint, ComplaintEvent, Customer

from .conftest import FORM, result_told, verify

TEXT_FIELDS = ["name", "title", "description", "demand", "place", "product"]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_nul_in_a_filing_field_is_a_field_error(org, field):
    before = (Complaint.objects.count(), Customer.objects.count())
    response = Client().post("/portal/", {**FORM, field: "断网\x00了"})
    assert response.status_code == 422
    assert "不能包含空字符" in str(response.context["form"].errors[field])
    assert (Complaint.objects.count(), Customer.objects.count()) == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/portal/track/", {"number": "TS2026\x00", "contact": "13800138000"}),
        ("post", "/portal/track/", {"number": "TS20260101000001", "contact": "138\x00"}),
        ("post", "/portal/track/verify/", {"number": "TS2026\x00", "code": "123456"}),
        ("get", "/portal/case/TS2026%00/", None),
        ("get", "/portal/filed/TS2026%00/", None),
        ("get", "/portal/track/?number=TS%00", None),
    ],
    ids=["track-number", "track-contact", "verify-number", "case-path", "filed-path", "track-query"],
)
def test_nul_in_tracking_and_case_urls_is_never_a_server_error(org, method, path, data):
    client = Client(raise_request_exception=False)
    response = client.post(path, data) if method == "post" else client.get(path)
    assert response.status_code in (200, 302, 400, 404, 422), (path, response.status_code)


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00", "1899-12-31T23:59", "9999-12-31T23:59"])
def test_a_time_outside_the_products_days_is_a_field_error_not_a_server_error(org, occurred_at):
    """Year 1 in the organisation's zone does not convert to UTC for storage (was a 500 on the public
    form); the far future is refused the same way, in words, and nothing is written."""
    before = (Complaint.objects.count(), Customer.objects.count())
    response = Client(raise_request_exception=False).post("/portal/", {**FORM, "occurred_at": occurred_at})
    assert response.status_code == 422
    assert "2000-01-01 ~ 2099-12-31" in str(response.context["form"].errors["occurred_at"])
    assert (Complaint.objects.count(), Customer.objects.count()) == before


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("message", {"text": "还是断网\x00了"}, "text"),
        ("objection", {"reason": "减免金额\x00不对"}, "reason"),
        ("accept", {"note": "谢谢\x00"}, "note"),
        ("withdraw", {"reason": "已解决\x00", "confirm": "on"}, "reason"),
    ],
)
def test_nul_in_a_case_action_is_a_field_error_and_changes_nothing(filed, outbox, org, action, data, field):
    result_told(filed.number, org.agent_a)
    client = Client(raise_request_exception=False)
    verify(client, filed.number, outbox)
    status, events = Complaint.objects.get().status, ComplaintEvent.objects.count()
    response = client.post(f"/portal/case/{filed.number}/{action}/", data)
    assert response.status_code == 422, response.status_code
    form = response.context[f"{action}_form"]
    assert "不能包含空字符" in str(form.errors[field])
    assert Complaint.objects.get().status == status
    assert ComplaintEvent.objects.count() == events
