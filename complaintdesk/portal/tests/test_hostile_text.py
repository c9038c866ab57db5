"""Text no database column can hold (a NUL character; PostgreSQL refuses it) typed or pasted into the
portal's forms and URLs: a field error on the form or a not-found page, never a server error, nothing
written (issue 18 item 1)."""

import pytest
from django.test import Client

from complaintdesk.complaints.models import Complaint, Customer

from .conftest import FORM

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
