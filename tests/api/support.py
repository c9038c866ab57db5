"""Helpers shared by the API tests: what the database holds, to prove that refused requests write nothing."""

from complaintdesk.complaints.models import CaseNumberCounter, Complaint, ComplaintEvent, Customer
from complaintdesk.sla.models import SlaPause


def stored_rows() -> dict:
    """Row counts of everything intake and transitions write, and the case-number counters' values."""
    return {
        "complaints": Complaint.objects.count(),
        "customers": Customer.objects.count(),
        "events": ComplaintEvent.objects.count(),
        "pauses": SlaPause.objects.count(),
        "counters": sorted(CaseNumberCounter.objects.values_list("day", "last_value")),
    }


def assert_problem(response, status: int, field: str) -> dict:
    """A problem+json response of `status` whose `errors` name `field` with a non-empty message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert field in body.get("errors", {}), body
    messages = body["errors"][field]
    assert messages and all(isinstance(m, str) and m.strip() for m in messages)
    return body
