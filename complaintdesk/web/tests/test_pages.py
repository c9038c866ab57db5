from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create


def _case(actor, title="快递丢件"):
    return complaint_create(
        data=IntakeData(channel="phone", title=title, description="包裹显示签收但我没收到",
                        customer=IntakeCustomer(name="李先生", phone="13900139000")),
        actor=actor,
    )


def test_healthz_answers_ok(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_then_home_shows_my_units_cases(org):
    user_create(username="a_login", password="s3cret-pass-123", role="agent", org_unit=org.store_a)
    mine = _case(org.agent_a, "徐汇门店的投诉")
    other = _case(org.agent_b, "浦东门店的投诉")
    client = Client()
    assert client.get("/").status_code == 302
    response = client.post("/login/", {"username": "a_login", "password": "s3cret-pass-123"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert mine.number in page
    assert other.number not in page


def test_complaint_page_is_404_outside_the_users_units(org):
    other = _case(org.agent_b)
    client = Client()
    client.force_login(org.agent_a)
    assert client.get(f"/complaints/{other.number}/").status_code == 404
    client.force_login(org.agent_b)
    page = client.get(f"/complaints/{other.number}/")
    assert page.status_code == 200
    # An agent sees the phone masked.
    assert "139****9000" in page.content.decode()
    assert "13900139000" not in page.content.decode()


def test_login_page_is_chinese_by_default(db):
    page = Client().get("/login/").content.decode()
    assert "登录" in page


def test_home_queue_query_count_does_not_grow_with_cases(org, django_assert_max_num_queries):
    from complaintdesk.complaints.services import complaint_transition

    for i in range(12):
        complaint_transition(number=_case(org.agent_a, f"第{i}个投诉").number, actor=org.agent_a, to="accepted")
    client = Client()
    client.force_login(org.agent_a)
    # Queue rows load only the columns they show; a deferred column read in the template would
    # cost one query per row and break this bound.
    with django_assert_max_num_queries(12):
        page = client.get("/")
    assert page.content.decode().count("第") >= 12
