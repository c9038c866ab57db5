"""The SLA badge's countdown in Chromium: workbench.js rewrites the badge on load and every 30 s, and must
say a duration exactly as the server does ("2 d 12 h left", "剩余 2天12小时"), in either language."""

import datetime as dt

import pytest

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.testing import intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass-123"


@pytest.fixture
def agent(org):
    user = org.agent_a
    user.set_password(PASSWORD)
    user.save()
    # 30 s of margin so that the minute does not turn between the server's text and the browser's.
    for title, due in (
        ("宽带装机一再改期", dt.timedelta(days=2, hours=12, seconds=30)),
        ("话费多扣了30元", dt.timedelta(hours=3, minutes=10, seconds=30)),
        ("营业员态度差", -dt.timedelta(hours=3, minutes=10)),
    ):
        case = intake(user, title=title)
        Complaint.objects.filter(pk=case.pk).update(due_at=now() + due, assignee=user)
    return user


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["2 d 12 h left", "3 h 10 min left", "3 h 10 min over"]),
        ("zh-hans", ["剩余 2天12小时", "剩余 3小时10分", "超时 3小时10分"]),
    ],
)
def test_the_countdown_says_durations_as_the_server_does(
    agent, new_page, sign_in, live_server, language, expected
):
    page = new_page(width=1366, height=768)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(page, agent.username, PASSWORD)
    page.goto("/queues/mine/")
    served = page.context.request.get(live_server.url + "/queues/mine/").text()
    badges = page.locator("table.queue .sla[data-due]")
    page.wait_for_function("document.querySelectorAll('table.queue .sla[data-due]').length === 3")
    shown = sorted(badges.all_inner_texts())
    assert shown == sorted(expected)
    for text in shown:  # the browser's text is the server's, word for word
        assert f">{text}</span>" in served
