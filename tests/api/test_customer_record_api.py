"""The customer's record through the API: an integration's intake leaves a known customer as it is and
shows what was given with the case; staff adopt it or merge records with a reason (issue 18, item 2)."""

import pytest

from complaintdesk.complaints.models import ComplaintEvent, Customer, EventKind

pytestmark = pytest.mark.django_db


def test_an_integration_intake_keeps_the_record_and_shows_the_case_details(org, api_for, make_payload):
    staff = api_for(org.manager)
    first = staff.post("/complaints", make_payload(org_unit="SH-A")).json()
    integration = api_for(org.api_a)
    payload = make_payload(
        channel="web",
        customer={
            "name": "某人",
            "phone": "13800138000",
            "email": "stranger@example.net",
            "account_no": "ACC-SECRET-1",
        },
    )
    second = integration.post("/complaints", payload)
    assert second.status_code == 201, second.content
    customer = Customer.objects.get()
    assert (customer.email, customer.account_no, customer.name) == ("", "", "王女士")
    shown = staff.get(f"/complaints/{second.json()['number']}").json()["customer"]
    assert shown["given_with_case"] == {"name": "某人", "email": "stranger@example.net"}
    assert staff.get(f"/complaints/{first['number']}").json()["customer"]["given_with_case"] == {}


def test_staff_adopt_a_detail_with_a_reason_and_bad_input_is_a_field_error(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = api.post("/complaints", make_payload()).json()["number"]
    refused = api.post(f"/complaints/{number}/customer", {"email": "nope", "reason": ""})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"customer.email", "reason"}
    answer = api.post(
        f"/complaints/{number}/customer", {"email": "wang@example.com", "reason": "客户来电核实"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["email"] == "w***@example.com"  # an agent sees it masked
    assert Customer.objects.get().email == "wang@example.com"
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_UPDATED, reason="客户来电核实").count() == 1


def test_merge_through_the_api(org, api_for, make_payload):
    api = api_for(org.agent_a)
    kept = api.post("/complaints", make_payload()).json()["number"]
    other = api.post(
        "/complaints", make_payload(customer={"name": "王丽", "phone": None, "email": "wl@example.com"})
    ).json()["number"]
    answer = api.post(f"/complaints/{kept}/customer/merge", {"duplicate_number": other, "reason": "同一人"})
    assert answer.status_code == 200, answer.content
    assert Customer.objects.count() == 1
    again = api.post(f"/complaints/{kept}/customer/merge", {"duplicate_number": other, "reason": "同一人"})
    assert again.status_code == 422
    foreign = api_for(org.agent_b).post(f"/complaints/{kept}/customer", {"email": "a@b.cn", "reason": "x"})
    assert foreign.status_code == 404
