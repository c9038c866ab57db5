"""Work-order notices through the staff notifier: a new order reaches the department (its staff, when the
order has no owner), completion and send-back reach the case's handler with the result or reason, an
overdue order reaches both sides; texts are words in the recipient's language, links are absolute."""

import re

import pytest
from django.core import mail

from complaintdesk.dispatch.services import work_order_complete, work_order_create, work_order_reject
from complaintdesk.inbox.models import StaffNotification

from .conftest import handling_case, local, sweep


def words_only(text: str) -> bool:
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"\bTS\d+\b", "", text)
    return not re.search(r"[a-z]{3,}|_", text)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_BASE_URL = "https://cs.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def people(depts):
    org = depts
    for user, name in (
        (org.agent_a, "李娜"),
        (org.dept_staff, "王强"),
        (org.billing2, "赵敏"),
        (org.engineer, "陈工"),
    ):
        user.email, user.display_name = f"{user.username}@example.com", name
        user.save(update_fields=["email", "display_name"])
    return org


@pytest.fixture
def case(people, clock):
    clock.at(local(2026, 12, 7, 10))  # Monday
    return handling_case(people.agent_a)


def _dispatch(org, case, **values):
    values = {
        "department": "BILL",
        "instructions": "核查 10 月账单并冲正重复扣费",
        "due_working_days": 2,
        **values,
    }
    return work_order_create(number=case.number, actor=org.agent_a, **values)


def _notices(kind):
    return list(StaffNotification.objects.filter(kind=kind).select_related("user").order_by("user_id"))


def test_a_new_order_reaches_every_member_of_the_department_when_it_has_no_owner(
    depts, case, clock, django_capture_on_commit_callbacks
):
    org = depts
    with django_capture_on_commit_callbacks(execute=True):
        order = _dispatch(org, case)

    notices = _notices("work_order_dispatched")
    assert [n.user for n in notices] == [org.dept_staff, org.billing2]
    notice = notices[0]
    assert notice.title == f"新派工单：{case.number}，12月9日 10:00前完成"
    assert "核查 10 月账单并冲正重复扣费" in notice.body and "派单人：李娜" in notice.body
    assert notice.link == f"/work-orders/{order.pk}/" and words_only(notice.title + notice.body)
    to_billing = [m for m in mail.outbox if m.to == ["billing@example.com"]]
    assert (
        len(to_billing) == 1 and f"打开：https://cs.example.com/work-orders/{order.pk}/" in to_billing[0].body
    )


def test_an_order_with_an_owner_reaches_only_the_owner(depts, case, django_capture_on_commit_callbacks):
    org = depts
    with django_capture_on_commit_callbacks(execute=True):
        _dispatch(org, case, owner="billing2")
    assert [n.user for n in _notices("work_order_dispatched")] == [org.billing2]


def test_completion_and_send_back_reach_the_case_handler(depts, case, django_capture_on_commit_callbacks):
    org = depts
    done_order, back_order = _dispatch(org, case), _dispatch(org, case, department="NET")
    with django_capture_on_commit_callbacks(execute=True):
        work_order_complete(work_order_id=done_order.pk, actor=org.dept_staff, result="已冲正重复扣费 58 元")
    with django_capture_on_commit_callbacks(execute=True):
        work_order_reject(work_order_id=back_order.pk, actor=org.engineer, reason="不是网络问题，请转计费部")

    [done] = _notices("work_order_done")
    assert done.user == org.agent_a
    assert done.title == f"派工单已完成：{case.number}（计费部）"
    assert "处理结果：已冲正重复扣费 58 元" in done.body and "请将处理结果反馈给客户。" in done.body
    assert done.link == f"/complaints/{case.number}/#work-orders" and done.case_number == case.number
    [back] = _notices("work_order_rejected")
    assert back.user == org.agent_a and back.title == f"派工单被退回：{case.number}（网络部）"
    assert "退回原因：不是网络问题，请转计费部" in back.body
    assert words_only(done.title + done.body + back.title + back.body)
    to_agent = [m for m in mail.outbox if m.to == ["agent_a@example.com"]]
    assert len(to_agent) == 2
    assert all(f"https://cs.example.com/complaints/{case.number}/#work-orders" in m.body for m in to_agent)


def test_an_overdue_order_reaches_the_department_and_the_handler(
    depts, case, clock, django_capture_on_commit_callbacks
):
    org = depts
    order = _dispatch(org, case, owner="billing", due_working_days=1)
    clock.at(local(2026, 12, 8, 10, 30))  # the order was due at 10:00; the case itself is not late
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    overdue = {n.user: n for n in _notices("work_order_overdue")}
    assert set(overdue) == {org.dept_staff, org.agent_a}
    assert overdue[org.dept_staff].link == f"/work-orders/{order.pk}/"
    assert overdue[org.agent_a].link == f"/complaints/{case.number}/#work-orders"
    assert words_only(overdue[org.agent_a].title + overdue[org.agent_a].body)
