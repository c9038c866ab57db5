import datetime as dt
import html as html_module
import re

import pytest
from django.core.cache import caches
from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_add_note,
    complaint_create,
    complaint_transition,
)
from complaintdesk.testing import resolve


def _case(actor, title="快递丢件", phone="13900139000", name="李先生"):
    return complaint_create(
        data=IntakeData(
            channel="phone",
            title=title,
            description="包裹显示签收但我没收到",
            customer=IntakeCustomer(name=name, phone=phone),
        ),
        actor=actor,
    )


def _client(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_healthz_answers_ok(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --- sign-in -------------------------------------------------------------------------------------


def test_login_then_queue_shows_my_units_cases(org):
    user_create(username="a_login", password="s3cret-pass-123", role="agent", org_unit=org.store_a)
    mine = _case(org.agent_a, "徐汇门店的投诉")
    other = _case(org.agent_b, "浦东门店的投诉")
    client = Client()
    assert client.get("/").status_code == 302
    response = client.post("/login/", {"username": "a_login", "password": "s3cret-pass-123"})
    assert response.status_code == 302
    page = client.get("/queues/team/").content.decode()
    assert mine.number in page
    assert other.number not in page
    # The user's unit and role are on every page.
    assert "徐汇门店" in page and "客服专员" in page


def test_login_locks_after_five_failures_for_that_username_and_address(org):
    user_create(username="lock_me", password="s3cret-pass-123", role="agent", org_unit=org.store_a)
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(4):
        page = client.post("/login/", {"username": "lock_me", "password": "wrong"}).content.decode()
        assert "用户名或密码不正确" in page
    page = client.post("/login/", {"username": "lock_me", "password": "wrong"}).content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    # Locked: even the right password is refused now, with the same clear message.
    response = client.post("/login/", {"username": "lock_me", "password": "s3cret-pass-123"})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same user from another address is not locked out by someone else's guessing.
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post("/login/", {"username": "lock_me", "password": "s3cret-pass-123"}).status_code == 302


def test_lockout_message_in_english(org):
    client = Client(REMOTE_ADDR="10.0.0.3", HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(5):
        response = client.post("/login/", {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "登录失败次数过多" not in html


def test_successful_login_forgets_earlier_failures(org):
    user_create(username="forgetful", password="s3cret-pass-123", role="agent", org_unit=org.store_a)
    client = Client(REMOTE_ADDR="10.0.0.4")
    for _attempt in range(4):
        client.post("/login/", {"username": "forgetful", "password": "wrong"})
    assert client.post("/login/", {"username": "forgetful", "password": "s3cret-pass-123"}).status_code == 302
    client.post("/logout/")
    for _attempt in range(4):
        client.post("/login/", {"username": "forgetful", "password": "wrong"})
    assert client.post("/login/", {"username": "forgetful", "password": "s3cret-pass-123"}).status_code == 302


def test_login_page_is_chinese_by_default(db):
    page = Client().get("/login/").content.decode()
    assert "登录" in page


def test_forms_require_csrf(org):
    case = _case(org.agent_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.agent_a)
    assert client.post(f"/complaints/{case.number}/note", {"text": "x"}).status_code == 403
    assert client.post("/intake/phone/", {"phone": "13900139000"}).status_code == 403
    assert (
        Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"}).status_code
        == 403
    )


# --- queues --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["mine", "team", "unassigned", "at_risk", "breached", "awaiting", "follow_up"]
)
def test_every_queue_shows_only_the_users_units(org, code):
    mine = _case(org.agent_a, "徐汇的")
    other = _case(org.agent_b, "浦东的")
    for case, agent in ((mine, org.agent_a), (other, org.agent_b)):
        complaint_transition(number=case.number, actor=agent, to="accepted")
    if code == "breached":
        Complaint.objects.update(due_at=now() - dt.timedelta(hours=1))
    elif code == "at_risk":
        Complaint.objects.update(
            received_at=now() - dt.timedelta(hours=9), due_at=now() + dt.timedelta(hours=1)
        )
    elif code == "awaiting":
        for case, agent in ((mine, org.agent_a), (other, org.agent_b)):
            complaint_transition(number=case.number, actor=agent, to="handling")
            complaint_transition(number=case.number, actor=agent, to="awaiting_customer")
    elif code == "follow_up":
        for case, agent in ((mine, org.agent_a), (other, org.agent_b)):
            complaint_transition(number=case.number, actor=agent, to="handling")
            resolve(agent, case.number)
    elif code == "unassigned":
        Complaint.objects.update(assignee=None)
    page = _client(org.agent_a).get(f"/queues/{code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/complaints/{mine.number}/" in html, code
    assert other.number not in html
    # A search for the other store's case number finds nothing either.
    html = _client(org.agent_a).get(f"/queues/{code}/", {"q": other.number}).content.decode()
    assert f"/complaints/{other.number}/" not in html


def test_queue_badge_colours_by_sla_state(org):
    case = _case(org.agent_a)
    complaint_transition(number=case.number, actor=org.agent_a, to="accepted")
    Complaint.objects.filter(pk=case.pk).update(due_at=now() - dt.timedelta(minutes=90))
    html = _client(org.agent_a).get("/").content.decode()
    assert 'class="sla sla-breached"' in html
    assert "超时 1小时30分" in html


def test_queue_search_and_filter_validation(org):
    _case(org.agent_a, "宽带断网")
    _case(org.agent_a, "快递延误")
    client = _client(org.agent_a)
    html = client.get("/queues/team/", {"q": "宽带"}).content.decode()
    assert '<td class="title">宽带断网</td>' in html and "快递延误" not in html
    response = client.get("/queues/team/", {"q": "宽"})
    assert response.status_code == 422
    assert "搜索词至少 2 个字符" in response.content.decode()
    response = client.get("/queues/team/", {"q": "宽"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "at least 2 characters" in response.content.decode()


def test_manager_bulk_assigns_through_the_service(org):
    cases = [_case(org.agent_a, f"第{i}单") for i in range(3)]
    client = _client(org.manager)
    page = client.get("/queues/unassigned/").content.decode()
    assert all(c.number in page for c in cases)
    response = client.post(
        "/queues-assign/",
        {
            "numbers": [c.number for c in cases[:2]],
            "assignee": "agent_a",
            "reason": "按门店分派",
            "next": "/queues/unassigned/",
        },
    )
    assert response.status_code == 302
    assigned = set(Complaint.objects.filter(assignee=org.agent_a).values_list("number", flat=True))
    assert assigned == {cases[0].number, cases[1].number}
    event = cases[0].events.get(kind=EventKind.ASSIGNED)
    assert event.actor == org.manager and event.reason == "按门店分派"
    # An agent cannot assign (no permission): nothing changes.
    _client(org.agent_a).post("/queues-assign/", {"numbers": [cases[2].number], "assignee": "agent_a"})
    assert Complaint.objects.get(pk=cases[2].pk).assignee is None


def test_queue_query_count_does_not_grow_with_cases(org, django_assert_max_num_queries):
    def load(count, offset):
        for i in range(count):
            case = _case(org.agent_a, f"第{offset + i}个投诉", phone=f"1390013{offset + i:04d}")
            complaint_transition(number=case.number, actor=org.agent_a, to="accepted")

    client = _client(org.manager)
    load(5, 0)
    # 18: the page's queries plus one read of the configuration versions (common.configcache), which
    # replaced a per-row query for the statutory clock badge, and one of the units offered for a bulk 转办.
    with django_assert_max_num_queries(18) as small:
        client.get("/queues/team/")
    load(45, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/queues/team/")
    assert page.content.decode().count("个投诉") == 50
    agent = _client(org.agent_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        agent.get("/")


# --- the case page -------------------------------------------------------------------------------


def test_case_page_is_404_outside_the_users_units(org):
    other = _case(org.agent_b)
    client = _client(org.agent_a)
    for path in ("/", "/scripts?stage=apology"):
        assert client.get(f"/complaints/{other.number}{path}").status_code == 404
    for path in ("/note", "/transition", "/reveal", "/reply/check", "/reply/send", "/analysis", "/message"):
        assert (
            client.post(f"/complaints/{other.number}{path}", {"text": "x", "to": "accepted"}).status_code
            == 404
        )
    assert not other.events.exclude(kind=EventKind.CREATED).exists()
    page = _client(org.agent_b).get(f"/complaints/{other.number}/")
    assert page.status_code == 200
    assert "139****9000" in page.content.decode()
    assert "13900139000" not in page.content.decode()


def test_reveal_shows_the_phone_and_is_audited(org):
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    assert 'data-testid="reveal"' in client.get(f"/complaints/{case.number}/").content.decode()
    response = client.post(f"/complaints/{case.number}/reveal", {"field": "phone", "reason": "回电核实"})
    assert response.status_code == 200
    assert "139 0013 9000" in response.content.decode()  # as people read it
    event = case.events.get(kind=EventKind.PERSONAL_DATA_REVEALED)
    assert event.actor == org.agent_a and event.field == "phone"
    # A manager's role sees it in full anyway: no reveal button.
    html = _client(org.manager).get(f"/complaints/{case.number}/").content.decode()
    assert "139 0013 9000" in html and 'data-testid="reveal"' not in html
    # The quality inspector reads cases but may not reveal.
    assert _client(org.inspector).post(f"/complaints/{case.number}/reveal").status_code == 403


def test_case_page_offers_exactly_the_allowed_transitions(org):
    case = _case(org.agent_a)
    html = _client(org.agent_a).get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="to-accepted"' in html and 'data-testid="to-withdrawn"' in html
    assert 'data-testid="to-resolved"' not in html
    # The inspector may not change status: no buttons at all.
    html = _client(org.inspector).get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="to-' not in html
    # The process panel names the current step.
    assert 'aria-current="step">倾听并记录' in html


def test_transition_and_its_validation(org):
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    response = client.post(f"/complaints/{case.number}/transition", {"to": "accepted"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=case.pk).status == "accepted"
    response = client.post(f"/complaints/{case.number}/transition", {"to": "closed"}, follow=True)
    assert response.status_code == 200
    assert "不能转为 closed" in response.content.decode()
    response = client.post(f"/complaints/{case.number}/transition", {"to": "withdrawn"}, follow=True)
    assert "需要填写原因" in response.content.decode()
    response = client.post(
        f"/complaints/{case.number}/transition", {"to": "withdrawn"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "reason" in response.content.decode().lower()
    assert Complaint.objects.get(pk=case.pk).status == "accepted"


def test_a_refused_transition_redirects_so_that_refresh_does_not_post_again(org):
    """Post/Redirect/Get: the refusal is shown on the case page reached by GET, once, with the input."""
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    url = f"/complaints/{case.number}/"
    response = client.post(f"{url}transition", {"to": "withdrawn", "reason": "  "})
    assert response.status_code == 302 and response["Location"] == f"{url}#process"
    page = client.get(url).content.decode()
    assert "需要填写原因" in page
    # F5 on that page is a GET: the page again, without the message, and nothing was posted twice.
    again = client.get(url).content.decode()
    assert "需要填写原因" not in again
    assert Complaint.objects.get(pk=case.pk).status == "new"
    # A refused reason keeps what was typed in the right transition's form.
    client.post(f"{url}transition", {"to": "closed", "reason": "客户说不用了"})
    page = client.get(url).content.decode()
    assert "不能转为 closed" in page
    # Another case's page does not show this one's refusal.
    other = _case(org.agent_a, "另一单")
    client.post(f"{url}transition", {"to": "closed"})
    assert "不能转为 closed" not in client.get(f"/complaints/{other.number}/").content.decode()
    assert "不能转为 closed" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "path, data, anchor, shown",
    [
        ("note", {"text": ""}, "notes", "这个字段是必填项"),
        ("message", {"text": "", "channel": "phone"}, "notes", "这个字段是必填项"),
        ("analysis", {"category": "", "complexity": "nonsense"}, "analysis", "nonsense"),
        ("reply/send", {"text": "您好，但是我们做不到。"}, "reply", "我们做不到"),
    ],
)
def test_every_refused_case_form_redirects_and_keeps_the_input(org, path, data, anchor, shown):
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    url = f"/complaints/{case.number}/"
    response = client.post(f"{url}{path}", data)
    assert response.status_code == 302 and response["Location"] == f"{url}#{anchor}"
    page = client.get(url).content.decode()
    assert shown in page and 'class="error"' in page
    assert 'class="error"' not in client.get(url).content.decode()
    assert not case.notifications.exists()


def test_refused_phone_intake_redirects_to_the_form_with_what_was_typed(org):
    client = _client(org.agent_a)
    response = client.post("/intake/phone/", INTAKE | {"phone": "12345", "restated": ""})
    assert response.status_code == 302 and response["Location"] == "/intake/phone/"
    page = client.get("/intake/phone/").content.decode()
    assert "请先向客户复述问题和诉求" in page and "宽带连续三天断网" in page and 'value="12345"' in page
    fresh = client.get("/intake/phone/").content.decode()
    assert "请先向客户复述问题和诉求" not in fresh and "宽带连续三天断网" not in fresh
    assert not Complaint.objects.exists()


def test_analysis_posts_to_the_service(org):
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    response = client.post(
        f"/complaints/{case.number}/analysis",
        {
            "category": "billing_dispute",
            "complexity": "complex",
            "severity": "general",
            "priority": "2",
            "responsibility": "system",
            "root_cause": "计费系统重复扣费",
            "impact": "多扣 30 元",
            "amount_at_stake": "30",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category.code == "billing_dispute" and case.complexity == "complex" and case.priority == 2
    response = client.post(
        f"/complaints/{case.number}/analysis",
        {
            "category": "",
            "complexity": "nonsense",
            "severity": "general",
            "priority": "3",
            "responsibility": "system",
        },
    )
    assert response.status_code == 302
    assert "nonsense" in client.get(response["Location"]).content.decode()


def test_user_text_is_escaped(org):
    case = _case(org.agent_a, title="<b>粗体</b>标题")
    complaint_add_note(number=case.number, actor=org.agent_a, text='<script>alert("x")</script>')
    html = _client(org.agent_a).get(f"/complaints/{case.number}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<b>粗体</b>" not in html


def test_note_requires_text_in_both_languages(org):
    case = _case(org.agent_a)
    response = _client(org.agent_a).post(f"/complaints/{case.number}/note", {"text": ""}, follow=True)
    assert "这个字段是必填项" in response.content.decode()
    response = _client(org.agent_a, HTTP_ACCEPT_LANGUAGE="en").post(
        f"/complaints/{case.number}/note", {"text": ""}, follow=True
    )
    assert "This field is required" in response.content.decode()


def test_earlier_complaints_of_the_customer_with_repeat_flag_never_another_store(org):
    first = _case(org.agent_a, "第一次")
    other_store = _case(org.agent_b, "浦东那次")  # the same customer (same phone) at the other store
    second = _case(org.agent_a, "第二次")
    html = _client(org.agent_a).get(f"/complaints/{second.number}/").content.decode()
    assert first.number in html
    assert 'data-testid="repeat"' in html
    assert other_store.number not in html


def test_reply_checker_findings_and_send(org):
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    response = client.post(f"/complaints/{case.number}/reply/check", {"text": "您好，但是我们做不到。"})
    html = response.content.decode()
    assert 'data-testid="findings"' in html
    assert "我们做不到" in html
    # Sending a draft with a blocking finding is refused and nothing goes out.
    response = client.post(f"/complaints/{case.number}/reply/send", {"text": "您好，但是我们做不到。"})
    assert response.status_code == 302
    assert not case.notifications.exists()
    # The case page shows the draft with what the checker found.
    html = client.get(response["Location"]).content.decode()
    assert "您好，但是我们做不到。" in html and 'data-testid="findings"' in html


def test_case_page_query_count_does_not_grow_with_events(org, django_assert_max_num_queries):
    case = _case(org.agent_a)
    client = _client(org.agent_a)
    for i in range(5):
        complaint_add_note(number=case.number, actor=org.agent_a, text=f"备注{i}")
    with django_assert_max_num_queries(30) as small:
        client.get(f"/complaints/{case.number}/")
    for i in range(60):
        complaint_add_note(number=case.number, actor=org.agent_a, text=f"更多备注{i}")
    for i in range(5):
        _case(org.agent_a, f"同一客户第{i}次")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(f"/complaints/{case.number}/")
    assert page.content.decode().count("更多备注") == 60


# --- phone intake --------------------------------------------------------------------------------

INTAKE = {
    "phone": "13812345678",
    "name": "王女士",
    "title": "宽带连续三天断网",
    "description": "周五晚上开始断网，重启光猫也没用。",
    "demand": "尽快修好并减免月租",
    "perceived_severity": "high",
    "preferred_channel": "phone",
    "product": "家庭宽带",
    "restated": "on",
}


def test_phone_intake_creates_the_case_through_the_channel(org):
    client = _client(org.agent_a)
    assert client.get("/intake/phone/").status_code == 200
    response = client.post("/intake/phone/", INTAKE)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Complaint.objects.get(title="宽带连续三天断网")
    assert response["Location"] == f"/complaints/{case.number}/"
    assert case.channel == "phone" and case.recorded_by == org.agent_a and case.org_unit == org.store_a
    assert case.customer.phone == "+8613812345678" and case.demand == "尽快修好并减免月租"
    page = client.get(response["Location"]).content.decode()
    assert case.number in page


def test_phone_intake_validation_in_chinese_and_english(org):
    client = _client(org.agent_a)
    bad = INTAKE | {"phone": "12345", "restated": ""}
    response = client.post("/intake/phone/", bad, follow=True)
    html = response.content.decode()
    assert "请先向客户复述问题和诉求" in html
    response = client.post("/intake/phone/", INTAKE | {"phone": "12345"}, follow=True)
    assert "电话号码无效" in response.content.decode()
    response = _client(org.agent_a, HTTP_ACCEPT_LANGUAGE="en").post(
        "/intake/phone/", INTAKE | {"phone": "12345"}, follow=True
    )
    assert "Invalid phone number" in response.content.decode()
    assert not Complaint.objects.exists()


def test_phone_lookup_is_masked_and_scoped(org):
    _case(org.agent_a, phone="13900139000", name="李先生")
    _case(org.agent_b, phone="13700137000", name="浦东张女士")
    client = _client(org.agent_a)
    html = client.get("/intake/phone/lookup", {"phone": "1390013"}).content.decode()
    assert "李先生" in html and "139****9000" in html and "13900139000" not in html
    html = client.get("/intake/phone/lookup", {"phone": "13700137000"}).content.decode()
    assert "浦东张女士" not in html


def test_restate_script_has_the_problem_filled(org):
    html = _client(org.agent_a).post("/intake/phone/restate", INTAKE).content.decode()
    assert "宽带连续三天断网" in html and "尽快修好并减免月租" in html
    assert "{problem}" not in html


# --- supervisor ----------------------------------------------------------------------------------


def test_supervisor_view_shows_breaches_escalations_and_risk_in_the_users_units(
    org, django_assert_max_num_queries
):
    from complaintdesk.complaints.timeline import event_record

    ours = _case(org.agent_a, "徐汇超时")
    complaint_transition(number=ours.number, actor=org.agent_a, to="accepted")
    complaint_transition(number=ours.number, actor=org.agent_a, to="escalated", reason="客户要求找经理")
    event_record(complaint=ours, actor=None, kind=EventKind.SLA_BREACH, at=now(), field="resolution")
    risky = _case(org.agent_b, "浦东快超时")
    Complaint.objects.filter(pk=risky.pk).update(
        received_at=now() - dt.timedelta(hours=9), due_at=now() + dt.timedelta(hours=1)
    )
    client = _client(org.manager)
    with django_assert_max_num_queries(20):
        response = client.get("/supervisor/")
    html = response.content.decode()
    assert response.status_code == 200
    assert ours.number in html and risky.number in html
    # An agent has the queues, not this view; a store agent never sees the other store here either.
    assert _client(org.agent_a).get("/supervisor/").status_code == 404
    html = _client(org.executive).get("/supervisor/").content.decode()
    assert ours.number in html


def test_scripts_panel_fills_placeholders_from_the_case(org):
    case = _case(org.agent_a, title="宽带断网", name="王女士", phone="13812345678")
    html = (
        _client(org.agent_a)
        .get(f"/complaints/{case.number}/scripts", {"stage": "clarifying"})
        .content.decode()
    )
    assert 'data-testid="script"' in html
    assert "宽带断网" in html
    html = (
        _client(org.agent_a).get(f"/complaints/{case.number}/scripts", {"stage": "apology"}).content.decode()
    )
    assert "王女士" in html and "{customer_title}" not in html


def test_case_page_shows_the_intelligence_suggestions(org):
    from complaintdesk.intelligence.services.enrichment import complaint_enrich

    case = _case(org.agent_a, title="你们太过分了，乱扣我话费，再不处理我就投诉到12315")
    complaint_enrich(complaint_id=case.pk)
    html = _client(org.agent_a).get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="insight"' in html
    assert "情绪" in html and "建议严重级别" in html
    html = _client(org.agent_a, HTTP_ACCEPT_LANGUAGE="en").get(f"/complaints/{case.number}/").content.decode()
    assert "Suggestions" in html


def test_reply_with_warnings_needs_a_reason_which_is_recorded(org):
    case = _case(org.agent_a, name="王女士")
    client = _client(org.agent_a)
    draft = "王女士，给您添麻烦了，我非常抱歉，但是维修师傅今天都排满了。"
    response = client.post(f"/complaints/{case.number}/reply/send", {"text": draft}, follow=True)
    assert "填写原因后仍然发送" in response.content.decode()
    assert not case.notifications.exists()
    response = client.post(
        f"/complaints/{case.number}/reply/send",
        {"text": draft, "override_reason": "客户要求马上回复，稍后电话补充"},
    )
    assert response.status_code == 302
    event = case.events.get(kind=EventKind.REPLY_OVERRIDDEN)
    assert event.actor == org.agent_a and event.reason == "客户要求马上回复，稍后电话补充"
    notification = case.notifications.get()
    assert notification.template_code == "progress" and "维修师傅今天都排满了" in notification.body


def test_attachment_download_is_access_checked(org):
    import io

    from complaintdesk.complaints.attachments import attachment_add

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    case = _case(org.agent_b)
    attachment, _created = attachment_add(
        number=case.number, actor=org.agent_b, content=io.BytesIO(png), name="<img>收据.png"
    )
    path = f"/complaints/{case.number}/attachments/{attachment.pk}"
    html = _client(org.agent_b).get(f"/complaints/{case.number}/").content.decode()
    assert path in html and "&lt;img&gt;收据.png" in html
    response = _client(org.agent_b).get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    assert "attachment" in response["Content-Disposition"]
    assert _client(org.agent_a).get(path).status_code == 404


def test_queue_pages_with_a_keyset_cursor(org):
    for i in range(55):
        _case(org.agent_a, f"排队第{i:02d}号", phone=f"1390013{i:04d}")
    client = _client(org.agent_a)
    first = client.get("/queues/team/").content.decode()
    assert first.count("排队第") == 50
    [query] = re.findall(r'hx-get="\?([^"]+)"', first)
    rest = client.get("/queues/team/?" + html_module.unescape(query), HTTP_HX_REQUEST="true").content.decode()
    assert rest.count("排队第") == 5
    assert "<html" not in rest  # only the rows, appended in place
    shown = set(re.findall(r"排队第\d\d号", first)) | set(re.findall(r"排队第\d\d号", rest))
    assert len(shown) == 55


# --- what the case page offers follows the domain ------------------------------------------------


def _closed(actor):
    case = _case(actor)
    Complaint.objects.filter(pk=case.pk).update(status="closed", is_open=False)
    return Complaint.objects.get(pk=case.pk)


def test_a_closed_case_offers_no_sending_to_the_customer_and_refuses_it(org):
    from complaintdesk.surveys.models import ResultFeedback

    case = _closed(org.agent_a)
    client = _client(org.agent_a)
    url = f"/complaints/{case.number}/"
    page = client.get(url).content.decode()
    assert 'data-testid="reply-form"' not in page and 'data-testid="reply-send"' not in page
    assert 'data-testid="reply-closed"' in page and 'id="analysis"' not in page
    # Only what the transition table allows from "closed": reopening.
    assert re.findall(r'data-testid="to-([a-z_]+)"', page) == ["reopened"]
    panel = client.get(f"{url}feedback/panel").content.decode()
    assert 'data-testid="result-form"' not in panel and 'data-testid="confirm-form"' not in panel
    # Posting anyway is refused with a clear message, and nothing goes out.
    result = {"cause": "光缆被挖断", "measures": "更换光缆", "outcome": "已恢复"}
    response = client.post(f"{url}feedback/result", result)
    assert response.status_code == 302 and response["Location"] == f"{url}#feedback"
    assert "处理中或已升级的投诉才能反馈结果" in client.get(f"{url}feedback/panel").content.decode()
    response = client.post(
        f"{url}reply/send", {"text": "王女士您好，我是客服小李，工号 1024，我会在今天 18:00 前回电。"}
    )
    assert response.status_code == 302
    assert "不能再向客户发送答复" in client.get(url).content.decode()
    assert not case.notifications.exists() and not ResultFeedback.objects.exists()


def test_an_archived_case_offers_no_reply_scripts_to_use(org):
    # The reply panel follows customer_reply_send's guard as a whole: no form, and no scripts whose
    # "使用这段话术" would fill a reply nobody may send.
    open_case = _case(org.agent_a, title="宽带断网")
    client = _client(org.agent_a)
    page = client.get(f"/complaints/{open_case.number}/").content.decode()
    assert f"/complaints/{open_case.number}/scripts" in page and 'data-testid="reply-form"' in page
    scripts = client.get(f"/complaints/{open_case.number}/scripts?stage=follow_up").content.decode()
    assert 'data-testid="script"' in scripts and "data-use-script" in scripts

    case = _closed(org.agent_a)
    page = client.get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="reply-closed"' in page
    assert f"/complaints/{case.number}/scripts" not in page and "data-use-script" not in page
    scripts = client.get(f"/complaints/{case.number}/scripts?stage=follow_up").content.decode()
    assert 'data-testid="script"' in scripts and "data-use-script" not in scripts


def test_timeline_deadlines_are_shown_in_local_time_not_iso(org):
    import datetime as dt

    from complaintdesk.complaints.timeline import event_record

    case = _case(org.agent_a)
    due = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    event_record(
        complaint=case, actor=None, kind=EventKind.DEADLINES, at=now(), field="resolution_due_at", new=due
    )
    event_record(
        complaint=case,
        actor=None,
        kind=EventKind.SLA_BREACH,
        at=now(),
        field="level_resolve_due_at",
        old="2026-11-22T09:30:00+00:00",
        new="2026-11-23T10:00:00+00:00",
        reason="本层级解决时限 2026-11-23T10:00:00Z 已过",
    )
    for client in (_client(org.agent_a), _client(org.agent_a, HTTP_ACCEPT_LANGUAGE="en")):
        page = client.get(f"/complaints/{case.number}/").content.decode()
        timeline = page[page.index('data-testid="timeline"') :]
        assert "T10:00" not in timeline and "+00:00" not in timeline and "+08:00" not in timeline
        assert "2026-11-23 18:00" in timeline and "2026-11-22 17:30" in timeline
        assert "本层级解决时限 2026-11-23 18:00 已过" in timeline


def test_local_times_text():
    from complaintdesk.web.templatetags.workbench import local_times_text

    assert local_times_text("2026-11-23T10:00:00+00:00") == "2026-11-23 18:00"
    assert local_times_text("到期 2026-11-23T18:00:00.123456+08:00。") == "到期 2026-11-23 18:00。"
    assert local_times_text("2026-11-23T18:00") == "2026-11-23 18:00"  # no zone: already local
    assert local_times_text("备注 20261123 无时间") == "备注 20261123 无时间"
    assert local_times_text("") == ""
