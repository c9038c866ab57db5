"""Work orders in the workbench through Django's test client: the case page's panel (bounded queries,
overdue flag, validation in Chinese, CSRF, escaping) and the department's queue page (their own
department only; accept, complete, send back)."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.dispatch.models import WorkOrder, WorkOrderStatus
from complaintdesk.dispatch.services import work_order_complete, work_order_create
from complaintdesk.inbox.text import when

from .conftest import handling_case, local

HX = {"HTTP_HX_REQUEST": "true"}


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _order(org, complaint, department="BILL", days=2, instructions="核查重复扣费"):
    return work_order_create(
        number=complaint.number,
        actor=org.agent_a,
        department=department,
        instructions=instructions,
        due_working_days=days,
    )


def test_the_urls_are_the_ones_the_workbench_uses(db):
    assert reverse("web:work_orders_panel", args=["TS1"]) == "/complaints/TS1/work-orders/panel"
    assert reverse("web:work_orders") == "/work-orders/"


def test_the_panel_shows_every_order_and_flags_the_overdue_in_a_fixed_number_of_queries(
    depts, clock, django_assert_max_num_queries
):
    org = depts
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org.agent_a)
    late = _order(org, complaint, days=1)
    for index in range(6):
        order = _order(org, complaint, department="NET" if index % 2 else "BILL", days=3)
        if index < 3:
            work_order_complete(
                work_order_id=order.pk, actor=org.engineer if index % 2 else org.dept_staff, result="已处理"
            )
    clock.at(local(2026, 11, 25, 11))
    client = _client(org.agent_a)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("web:work_orders_panel", args=[complaint.number]), **HX)

    html = response.content.decode()
    assert response.status_code == 200 and 'id="work-orders-panel"' in html
    assert html.count('<li data-testid="work-order-') == 7
    assert html.count('data-testid="overdue"') == 1 and f'data-testid="work-order-{late.pk}"' in html
    assert "等待 4 张派工单完成后才能解决投诉" in html
    # Time limits as the department's order page says them (11月25日 24:00, never 11-26 00:00).
    assert f"时限 {when(late.due_at)}（1 个工作日）" in html


def test_dispatch_from_the_panel_with_validation_in_chinese(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    url = reverse("web:work_order_create", args=[complaint.number])

    refused = client.post(url, {"department": "SH-A", "due_working_days": "abc", "instructions": " "}, **HX)
    html = refused.content.decode()
    assert refused.status_code == 200
    assert (
        "请选择责任部门（部门编码）" in html and "时限为 1 到 60 个工作日" in html and "此项为必填项" in html
    )
    assert not WorkOrder.objects.exists()

    created = client.post(
        url,
        {"department": "BILL", "due_working_days": "3", "instructions": "<i>冲正</i>", "owner": "billing"},
        **HX,
    )
    html = created.content.decode()
    assert "计费部" in html and "&lt;i&gt;冲正&lt;/i&gt;" in html and "<i>冲正</i>" not in html
    assert WorkOrder.objects.get().owner == org.dept_staff


def test_csrf_is_required(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    response = _client(org.agent_a, enforce_csrf_checks=True).post(
        reverse("web:work_order_create", args=[complaint.number]),
        {"department": "BILL", "due_working_days": "3", "instructions": "x"},
    )
    assert response.status_code == 403 and not WorkOrder.objects.exists()


def test_cancel_from_the_panel_needs_a_reason(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    order = _order(org, complaint)
    url = reverse("web:work_order_cancel", args=[complaint.number, order.pk])

    assert "此项为必填项" in _client(org.agent_a).post(url, {"reason": ""}, **HX).content.decode()
    response = _client(org.agent_a).post(url, {"reason": "客户已自行办理"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED


def test_the_department_works_its_queue_page(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    billing = _order(org, complaint)
    network = _order(org, complaint, department="NET", instructions="检查光交箱")
    client = _client(org.dept_staff)

    page = client.get(reverse("web:work_orders")).content.decode()
    assert (
        f'data-testid="work-order-{billing.pk}"' in page
        and f'data-testid="work-order-{network.pk}"' not in page
    )
    assert complaint.number in page and f'data-testid="accept-{billing.pk}"' in page

    act = reverse("web:work_order_act", args=[billing.pk])
    assert client.post(act, {"action": "accept"}).status_code == 302
    refused = client.post(act, {"action": "complete", "text": ""})
    assert refused.status_code == 302  # Post/Redirect/Get: the queue shows why, once
    assert "此项为必填项" in client.get(refused["Location"]).content.decode()
    assert "此项为必填项" not in client.get(refused["Location"]).content.decode()
    assert client.post(act, {"action": "complete", "text": "已冲正"}).status_code == 302
    billing.refresh_from_db()
    assert (billing.status, billing.owner) == (WorkOrderStatus.DONE, org.dept_staff)
    # Another department's order does not exist for them; nor does the case page.
    assert (
        client.post(reverse("web:work_order_act", args=[network.pk]), {"action": "accept"}).status_code == 404
    )
    assert client.get(reverse("web:work_orders_panel", args=[complaint.number])).status_code == 404


def test_the_queue_page_has_a_fixed_number_of_queries(depts, django_assert_max_num_queries):
    org = depts
    for _ in range(4):
        complaint = handling_case(org.agent_a)
        _order(org, complaint)
        _order(org, complaint, department="NET")
    client = _client(org.dept_staff)

    # 11: the header asks once whether this person reads the personal-data access log (web.context); 13: a
    # department's staff also see the cases handed to their department, counted in one statement shared by the
    # header and this page, their unit found by its code once (then from the process's cache of the tree).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("web:work_orders"))

    assert response.status_code == 200
    assert response.content.decode().count('<tr data-testid="work-order-') == 4


@pytest.mark.parametrize("who", ["agent_b", "dept_staff"])
def test_the_panel_of_a_case_outside_scope_is_not_found(depts, who):
    org = depts
    complaint = handling_case(org.agent_a)
    response = _client(getattr(org, who)).get(reverse("web:work_orders_panel", args=[complaint.number]))
    assert response.status_code == 404
