"""`GET /api/v1/work-orders/{id}/case`: the department's view of a dispatched case through the API is the
order's web page in JSON (dispatch.selectors.work_order_case, the same masking): what the order needs, the
phone whole only while the order is open, the attachments downloadable through the order; another
department, another store, or the department once the order is long finished get the product's 404."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from complaintdesk.complaints.models import Attachment
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.dispatch.selectors import CASE_VIEW_DAYS_AFTER_FINISH
from complaintdesk.dispatch.services import work_order_complete, work_order_create

from .conftest import handling_case, local


@pytest.fixture
def dispatched(depts, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(
        depts.agent_a,
        title="话费重复扣费",
        description="10 月账单重复扣了 58 元。",
        demand="退还多扣的 58 元",
        place="上海市徐汇区漕溪北路 88 号",
        customer=IntakeCustomer(name="王小红", phone="13800138000", account_no="ACC-778899"),
    )
    attachment = Attachment(
        complaint=complaint,
        original_name="账单截图.png",
        content_type="image/png",
        size=3,
        sha256="0" * 64,
        uploaded_by=depts.agent_a,
        uploaded_at=complaint.created_at,
    )
    attachment.file.save("bill.png", ContentFile(b"png"), save=True)
    order = work_order_create(
        number=complaint.number,
        actor=depts.agent_a,
        department="BILL",
        instructions="核查 10 月账单是否重复扣费",
        due_working_days=2,
    )
    return complaint, order, attachment


def test_the_departments_staff_get_what_the_order_page_shows(depts, dispatched, api_for):
    complaint, order, attachment = dispatched
    response = api_for(depts.dept_staff).get(f"/work-orders/{order.pk}/case")
    assert response.status_code == 200, response.content
    seen = response.json()
    assert seen["work_order"]["id"] == order.pk and seen["work_order"]["department"] == "BILL"
    assert seen["complaint"] == complaint.number and seen["title"] == "话费重复扣费"
    assert seen["description"] == "10 月账单重复扣了 58 元。" and seen["demand"] == "退还多扣的 58 元"
    assert seen["place"] == "上海市徐汇区漕溪北路 88 号"
    assert seen["contact_name"] == "王**" and seen["contact_phone"] == "+8613800138000"
    assert seen["contact_phone_masked"] is False and seen["case_visible"] is False
    assert seen["org_unit_name"] == complaint.org_unit.name and seen["handler"] == "agent_a"
    assert [(a["id"], a["name"]) for a in seen["attachments"]] == [(attachment.pk, "账单截图.png")]
    body = response.content.decode()
    assert "王小红" not in body and "ACC-778899" not in body  # what the order does not need

    # The same facts as the order's web page, one rule for both.
    client = Client()
    client.force_login(depts.dept_staff)
    page = client.get(f"/work-orders/{order.pk}/").content.decode()
    for text in (seen["description"], seen["place"], seen["contact_name"], seen["contact_phone"]):
        assert text in page, text

    download = api_for(depts.dept_staff).client.get(seen["attachments"][0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"png"


def test_once_the_order_is_done_the_phone_is_masked_and_later_the_case_is_gone(
    depts, dispatched, api_for, clock
):
    _complaint, order, attachment = dispatched
    work_order_complete(work_order_id=order.pk, actor=depts.dept_staff, result="已核实并冲正 58 元")
    billing = api_for(depts.dept_staff)
    seen = billing.get(f"/work-orders/{order.pk}/case").json()
    assert seen["contact_phone"] == "138****8000" and seen["contact_phone_masked"] is True
    assert seen["work_order"]["status"] == "done"

    clock.at(local(2026, 11, 24, 11) + dt.timedelta(days=CASE_VIEW_DAYS_AFTER_FINISH + 1))
    gone = billing.get(f"/work-orders/{order.pk}/case")
    assert gone.status_code == 404 and gone["Content-Type"].startswith("application/problem+json")
    url = f"/work-orders/{order.pk}/case/attachments/{attachment.pk}"
    assert billing.get(url).status_code == 404


@pytest.mark.parametrize("who", ["engineer", "agent_b"])
def test_another_department_or_store_gets_the_same_404_as_for_no_order(depts, dispatched, api_for, who):
    _complaint, order, attachment = dispatched
    api = api_for(getattr(depts, who))
    answer = api.get(f"/work-orders/{order.pk}/case")
    nothing = api.get("/work-orders/987654321/case")
    assert answer.status_code == nothing.status_code == 404
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["title"].replace(str(order.pk), "987654321") == nothing.json()["title"]
    assert "10 月账单" not in answer.content.decode()
    attachment_url = f"/work-orders/{order.pk}/case/attachments/{attachment.pk}"
    assert api.get(attachment_url).status_code == 404


def test_the_case_agent_gets_the_view_with_a_pointer_to_the_whole_case(depts, dispatched, api_for):
    _complaint, order, _attachment = dispatched
    seen = api_for(depts.agent_a).get(f"/work-orders/{order.pk}/case").json()
    assert seen["case_visible"] is True
    assert seen["contact_phone_masked"] is True  # as the agent sees it elsewhere: masked without the right


def test_the_endpoint_is_in_the_openapi_document(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/work-orders/{work_order_id}/case"]["get"]
    assert {"200", "404"} <= set(operation["responses"])
    assert "get" in paths["/api/v1/work-orders/{work_order_id}/case/attachments/{attachment_id}"]
