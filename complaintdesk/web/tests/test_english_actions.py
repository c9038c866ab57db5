"""English pages say what a button does, not what happened: the same Chinese word has other meanings in
other apps' catalogues (升级 "Escalated" on the timeline, 提出方案 "Solution proposed", 已超时 "Expired" for an
approval), and the earlier catalogue wins for every page. A walk-through in English found the escalate
button reading "Escalated", the propose button "Solution proposed" and the breached queue "Expired"."""

import re

import pytest
from django.test import Client
from django.utils import translation

from complaintdesk.complaints.models import Complexity
from complaintdesk.escalation.models import HandOffDirection
from complaintdesk.solutions.models import ApprovalStatus
from complaintdesk.testing import handling_case

pytestmark = pytest.mark.django_db


def _client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _buttons(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", b)).strip()
        for b in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)
    ]


def test_the_case_pages_buttons_in_english_say_the_action(org):
    complaint = handling_case(org.agent_a)
    english = _client(org.agent_a, "en")

    escalation = _buttons(english.get(f"/complaints/{complaint.number}/escalation/panel").content.decode())
    assert "Escalate" in escalation and "Escalated" not in escalation
    solutions = english.get(f"/complaints/{complaint.number}/solutions/panel").content.decode()
    assert "Propose a solution" in _buttons(solutions) and "Solution proposed" not in solutions
    page = english.get(f"/complaints/{complaint.number}/").content.decode()
    assert "Move to “Awaiting customer confirmation”" in _buttons(page)


def test_the_breached_queue_is_not_called_expired_and_an_expired_approval_still_is(org):
    english = _client(org.agent_a, "en")
    html = english.get("/").content.decode()
    assert "Breached" in html and "Expired" not in html
    with translation.override("en"):
        assert str(ApprovalStatus.EXPIRED.label) == "Expired"


def test_the_chinese_pages_keep_their_words(org):
    complaint = handling_case(org.agent_a)
    chinese = _client(org.agent_a, "zh-hans")
    assert "升级" in _buttons(
        chinese.get(f"/complaints/{complaint.number}/escalation/panel").content.decode()
    )
    assert "提出方案" in _buttons(
        chinese.get(f"/complaints/{complaint.number}/solutions/panel").content.decode()
    )
    assert "转为“待客户确认”" in _buttons(chinese.get(f"/complaints/{complaint.number}/").content.decode())
    assert "已超时" in chinese.get("/").content.decode()


def _links(html: str) -> list[str]:
    header = re.search(r"<header.*?</header>", html, re.S)
    return [
        re.sub(r"<[^>]+>|\s+", " ", a).strip() for a in re.findall(r"<a [^>]*>(.*?)</a>", header[0], re.S)
    ]


def test_the_header_names_the_lists_not_one_item_or_a_status(org):
    # The lists' links shared their word with a status or a model's singular name in another catalogue:
    # 待审批 was "Awaiting approval" (the solution's status), 派工单 "Work order", 群体性投诉 "Group complaint".
    links = _links(_client(org.manager, "en").get("/").content.decode())
    assert {"Approvals", "Work orders", "Group complaints", "Follow-up"} <= {
        re.sub(r" \d+$", "", link) for link in links
    }, links
    chinese = _links(_client(org.manager, "zh-hans").get("/").content.decode())
    assert {"派工单", "群体性投诉", "回访"} <= set(chinese) and any(
        link.startswith("待审批") for link in chinese
    )


def test_the_process_step_and_the_hand_off_direction_read_as_what_they_are(org):
    complaint = handling_case(org.agent_a)
    page = _client(org.agent_a, "en").get(f"/complaints/{complaint.number}/").content.decode()
    assert "Propose a solution" in page and "Solution proposed" not in page
    with translation.override("en"):
        assert str(HandOffDirection.UP.label) == "Up"  # the hand-off's direction, not the button
        assert str(Complexity.GENERAL.label) == "Standard"  # beside "Complex", not the "Moderate" severity
