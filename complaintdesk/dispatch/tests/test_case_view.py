"""The department's view of a dispatched case (dispatch.selectors.work_order_case and /work-orders/<id>/):
the staff of the order's department read what the order needs, only through their order, with the phone
whole only while the order is open; everyone else gets the product's 404."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from complaintdesk.common.errors import NotFound
from complaintdesk.complaints.models import Attachment
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.dispatch.selectors import CASE_VIEW_DAYS_AFTER_FINISH, work_order_case
from complaintdesk.dispatch.services import work_order_accept, work_order_complete, work_order_create

from .conftest import handling_case, local


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dispatched(depts, clock):
    """A case at agent_a's store with its place, dispatched to the billing department (BILL)."""
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(
        depts.agent_a,
        title="话费重复扣费",
        description="10 月账单重复扣了 58 元。",
        demand="退还多扣的 58 元",
        place="上海市徐汇区漕溪北路 88 号",
        customer=IntakeCustomer(name="王小红", phone="13800138000"),
    )
    order = work_order_create(
        number=complaint.number,
        actor=depts.agent_a,
        department="BILL",
        instructions="核查 10 月账单是否重复扣费",
        due_working_days=2,
    )
    return complaint, order


def test_the_departments_staff_read_what_the_order_needs_with_the_phone_whole_while_it_is_open(
    depts, dispatched
):
    complaint, order = dispatched

    seen = work_order_case(user=depts.dept_staff, work_order_id=order.pk)

    assert seen.complaint.pk == complaint.pk and seen.department_side and not seen.case_visible
    assert seen.phone == "+8613800138000" and not seen.phone_masked
    assert seen.complaint.description == "10 月账单重复扣了 58 元。"
    assert seen.complaint.place == "上海市徐汇区漕溪北路 88 号"
    assert seen.contact_name == "王**"  # the surname to address them by; never the full name
    assert "王小红" not in _client(depts.dept_staff).get(f"/work-orders/{order.pk}/").content.decode()


def test_once_the_order_is_done_the_phone_is_masked_and_later_the_case_is_gone(depts, dispatched, clock):
    complaint, order = dispatched
    work_order_complete(work_order_id=order.pk, actor=depts.dept_staff, result="已核实并冲正 58 元")

    seen = work_order_case(user=depts.dept_staff, work_order_id=order.pk)
    assert seen.phone_masked and seen.phone == "138****8000"

    clock.at(local(2026, 11, 24, 11) + dt.timedelta(days=CASE_VIEW_DAYS_AFTER_FINISH + 1))
    with pytest.raises(NotFound):
        work_order_case(user=depts.dept_staff, work_order_id=order.pk)
    # The queue's "ended" tab still lists the order, without a link that would lead nowhere.
    done = _client(depts.dept_staff).get("/work-orders/?view=done").content.decode()
    assert f'data-testid="work-order-{order.pk}"' in done and f'href="/work-orders/{order.pk}/"' not in done
    assert (
        f'href="/work-orders/{order.pk}/"'
        in _client(depts.agent_a).get("/work-orders/?view=done").content.decode()
    )


def test_another_department_and_another_store_do_not_see_the_case(depts, dispatched):
    complaint, order = dispatched
    for outsider in (depts.engineer, depts.agent_b):
        with pytest.raises(NotFound):
            work_order_case(user=outsider, work_order_id=order.pk)
        response = _client(outsider).get(f"/work-orders/{order.pk}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "找不到这个页面" in html and 'data-testid="error-home"' in html  # the product's page
        assert "10 月账单重复扣了 58 元" not in html
        # Nor through the case page or its attachments.
        assert _client(outsider).get(f"/complaints/{complaint.number}/").status_code == 404


def test_the_department_sees_only_dispatched_cases(depts, dispatched):
    complaint, _order = dispatched
    other = handling_case(depts.agent_a, title="另一张没有派工单的投诉")

    assert _client(depts.dept_staff).get(f"/complaints/{other.number}/").status_code == 404


def test_the_case_page_sends_department_staff_to_their_order(depts, dispatched):
    complaint, order = dispatched

    response = _client(depts.dept_staff).get(f"/complaints/{complaint.number}/")

    assert response.status_code == 302 and response["Location"] == f"/work-orders/{order.pk}/"


def test_the_order_page_shows_the_case_read_only_with_a_tel_link_and_the_actions(depts, dispatched):
    complaint, order = dispatched
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
    client = _client(depts.dept_staff)

    html = client.get(f"/work-orders/{order.pk}/").content.decode()

    for text in (
        "10 月账单重复扣了 58 元。",
        "退还多扣的 58 元",
        "上海市徐汇区漕溪北路 88 号",
        "核查 10 月账单是否重复扣费",
    ):
        assert text in html
    assert 'href="tel:+8613800138000"' in html and "账单截图.png" in html
    assert 'data-testid="complete"' in html
    # No case actions: no transition, reply, note or analysis form for the department.
    assert "/transition" not in html and "/reply/" not in html and "/note" not in html
    download = client.get(f"/work-orders/{order.pk}/attachments/{attachment.pk}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"png"
    assert (
        _client(depts.engineer).get(f"/work-orders/{order.pk}/attachments/{attachment.pk}").status_code == 404
    )


def test_completing_from_the_order_page_comes_back_to_it_and_tells_the_handler(
    depts, dispatched, monkeypatch, django_capture_on_commit_callbacks
):
    complaint, order = dispatched
    told = []
    monkeypatch.setattr(
        "complaintdesk.dispatch.notify.work_order_notified", lambda **values: told.append(values)
    )
    client = _client(depts.dept_staff)

    with_accept = client.post(f"/work-orders/{order.pk}/act", {"action": "accept", "from": "order"})
    assert with_accept.status_code == 302 and with_accept["Location"] == f"/work-orders/{order.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/work-orders/{order.pk}/act", {"action": "complete", "text": "已冲正 58 元", "from": "order"}
        )
    assert done.status_code == 302 and done["Location"] == f"/work-orders/{order.pk}/"

    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert "已冲正 58 元" in html and "138****8000" in html and "tel:" not in html
    assert 'data-testid="complete"' not in html
    done_notice = [t for t in told if t["what"] == "done"]
    assert done_notice and complaint.assignee_id in done_notice[0]["user_ids"]


def test_a_send_back_without_a_reason_stays_on_the_order_page_with_the_message(depts, dispatched):
    _complaint, order = dispatched
    client = _client(depts.dept_staff)

    response = client.post(f"/work-orders/{order.pk}/act", {"action": "reject", "text": " ", "from": "order"})

    assert response.status_code == 302 and response["Location"] == f"/work-orders/{order.pk}/"
    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert "此项为必填项" in html


def test_department_staff_land_on_their_work_order_queue_and_the_case_number_opens_the_order(
    depts, dispatched
):
    complaint, order = dispatched
    client = _client(depts.dept_staff)

    landing = client.get("/")
    assert landing.status_code == 302 and landing["Location"] == "/work-orders/"
    queue = client.get("/work-orders/").content.decode()
    assert f'href="/work-orders/{order.pk}/"' in queue and complaint.number in queue
    # An agent still lands on their queue.
    assert _client(depts.agent_a).get("/").status_code == 200


def test_the_case_side_sees_the_order_page_with_a_link_to_the_whole_case(depts, dispatched):
    complaint, order = dispatched
    work_order_accept(work_order_id=order.pk, actor=depts.dept_staff)

    html = _client(depts.agent_a).get(f"/work-orders/{order.pk}/").content.decode()

    assert f'href="/complaints/{complaint.number}/#work-orders"' in html
    assert "138****8000" in html  # an agent sees the phone masked, as on the case page
    assert 'data-testid="complete"' not in html


def test_the_order_page_speaks_english_to_an_english_reader(depts, dispatched):
    complaint, order = dispatched
    client = _client(depts.dept_staff)
    client.cookies["django_language"] = "en"

    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    main = html[html.index("<main") :]
    for own_text in (
        complaint.title,
        complaint.description,
        complaint.demand,
        complaint.place,
        order.instructions,
        "王**",
        depts.billing.name,
        complaint.org_unit.name,
    ):
        main = main.replace(own_text, "")

    assert "Work on this order" in main and "Contact phone" in main
    assert re.findall(r"[\u4e00-\u9fff]+", main) == []


def test_the_queue_decides_its_links_in_a_fixed_number_of_queries(
    depts, clock, django_assert_max_num_queries
):
    clock.at(local(2026, 11, 24, 10))
    for index in range(8):
        complaint = handling_case(depts.agent_a, title=f"投诉 {index}")
        work_order_create(
            number=complaint.number,
            actor=depts.agent_a,
            department="NET" if index % 2 else "BILL",
            instructions="核查",
            due_working_days=2,
        )
    for user in (depts.agent_a, depts.dept_staff):
        client = _client(user)
        client.get("/work-orders/")  # the session and the user's unit, once
        with django_assert_max_num_queries(12):
            html = client.get("/work-orders/").content.decode()
        links = re.findall(r'href="/work-orders/\d+/"', html)
        assert len(links) == (8 if user == depts.agent_a else 4)  # billing: its own department's 4
