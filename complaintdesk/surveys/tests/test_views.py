"""The public survey pages through Django's test client: no login, CSRF on, friendly refusals."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.notifications.models import Notification
from complaintdesk.surveys import results
from complaintdesk.surveys.models import SurveyAnswer

from .conftest import CLEAN_RESULT, local
from .test_services import _token_of

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["default"].clear()


@pytest.fixture
def sent(org, handling_case):
    complaint = handling_case(org.agent_a)
    results.result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    return complaint, _token_of(complaint)


def test_the_link_in_the_message_opens_the_form_without_login(sent):
    complaint, token = sent
    body = Notification.objects.get(complaint=complaint, template_code="survey").body
    page = Client(HTTP_USER_AGENT=PHONE).get(f"/s/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert complaint.number in html and 'name="viewport"' in html and "csrfmiddlewaretoken" in html
    assert "请为我们的处理评分" in html
    assert f"/s/{token}" in body


def test_answering_on_the_page_records_it_and_thanks(sent):
    complaint, token = sent
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=PHONE)
    page = client.get(f"/s/{token}")
    csrf = page.cookies["csrftoken"].value
    done = client.post(
        f"/s/{token}",
        {"csrfmiddlewaretoken": csrf, "stars": "5", "solved": "yes", "nps": "9", "comment": "很好"},
    )
    assert done.status_code == 302 and done["Location"].startswith("/s/thanks/")
    assert "感谢您的评价" in client.get(done["Location"]).content.decode()
    answer = SurveyAnswer.objects.get()
    assert (answer.stars, answer.nps, answer.solved, answer.comment) == (5, 9, True, "很好")


def test_a_post_without_the_csrf_token_is_refused(sent):
    _complaint, token = sent
    response = Client(enforce_csrf_checks=True).post(f"/s/{token}", {"stars": "1", "solved": "no"})
    assert response.status_code == 403
    assert not SurveyAnswer.objects.exists()


def test_a_missing_rating_shows_the_form_again(sent):
    _complaint, token = sent
    response = Client().post(f"/s/{token}", {"solved": "no"})
    assert response.status_code == 422 and "请选择 1 到 5 颗星" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def _refused(response, reason):
    html = response.content.decode()
    assert f'data-reason="{reason}"' in html
    return html


def test_a_reused_link_gets_a_friendly_page_and_records_nothing(sent):
    complaint, token = sent
    client = Client()
    client.post(f"/s/{token}", {"stars": "4", "solved": "yes"})
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    again = client.get(f"/s/{token}")
    assert again.status_code == 410 and "您已经评价过了" in _refused(again, "used")
    posted = client.post(f"/s/{token}", {"stars": "1", "solved": "no", "comment": "改主意了"})
    assert posted.status_code == 410
    _refused(posted, "used")
    assert SurveyAnswer.objects.count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


def test_an_expired_link_gets_a_friendly_page_and_records_nothing(org, handling_case, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    results.result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    token = _token_of(complaint)
    clock.at(local(2026, 12, 1, 10, 0))
    client = Client()
    assert "评价链接已过期" in _refused(client.get(f"/s/{token}"), "expired")
    response = client.post(f"/s/{token}", {"stars": "1", "solved": "no"})
    assert response.status_code == 410
    assert not SurveyAnswer.objects.exists()
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SURVEY).exists()


def test_a_tampered_link_gets_a_friendly_page_and_records_nothing(sent):
    complaint, token = sent
    tampered = token[:-2] + ("xy" if token[-2:] != "xy" else "yz")
    client = Client()
    page = client.get(f"/s/{tampered}")
    assert page.status_code == 404 and "评价链接无效" in _refused(page, "invalid")
    assert client.post(f"/s/{tampered}", {"stars": "1", "solved": "no"}).status_code == 404
    assert not SurveyAnswer.objects.exists()
    complaint.refresh_from_db()
    assert complaint.status == "awaiting_customer"


def test_the_page_speaks_english_when_asked(sent):
    _complaint, token = sent
    html = Client().get(f"/s/{token}?lang=en").content.decode()
    assert "Please rate how we handled it" in html and "Submit" in html and 'lang="en"' in html


@override_settings(RATE_LIMITS={"survey": "3/600"})
def test_the_pages_are_rate_limited_per_address(sent):
    _complaint, token = sent
    client = Client()
    codes = [client.get(f"/s/wrong{n}").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
    assert client.get(f"/s/{token}").status_code == 429
