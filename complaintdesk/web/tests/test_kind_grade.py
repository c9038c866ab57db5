"""No complaint grade on other kinds (issue 19): 一般投诉 / 重大投诉 grades complaints only — an inquiry's case
page, its analysis form and the cases export say nothing of it; a complaint keeps it."""

import csv
import io
import re

import pytest
from django.test import Client

from complaintdesk.analytics.exports import cases_table
from complaintdesk.analytics.models import ComplaintFact
from complaintdesk.analytics.services import analytics_rebuild
from complaintdesk.complaints.states import ContactKind
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db

GRADES = ("一般投诉", "重大投诉", "严重级别")


def _read(user, number: str) -> str:
    """The case page as the agent reads it: the text between the tags."""
    client = Client()
    client.force_login(user)
    html = client.get(f"/complaints/{number}/").content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_inquiry_page_shows_no_complaint_grade(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    text = _read(org.agent_a, inquiry.number)
    assert "复杂程度" in text and "优先级" in text  # the inquiry is analysed, without a complaint's grade
    for word in GRADES:
        assert word not in text


def test_a_complaint_page_keeps_its_grade(org):
    text = _read(org.agent_a, intake(org.agent_a).number)
    assert "一般投诉" in text and "严重级别" in text


def test_the_cases_export_names_the_kind_and_grades_complaints_only(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    complaint = intake(org.agent_a)
    analytics_rebuild()
    facts = list(
        ComplaintFact.objects.select_related(
            "complaint", "complaint__customer", "org_unit", "category", "agent"
        ).order_by("complaint_id")
    )
    table = cases_table(facts, user=org.executive, status_labels={}, channel_labels={})
    rows = {row[0]: dict(zip(table.headers, row, strict=True)) for row in table.rows}
    assert table.headers[0] == "受理单号"
    assert (rows[inquiry.number]["联系类型"], rows[inquiry.number]["投诉级别"]) == ("咨询", "")
    assert (rows[complaint.number]["联系类型"], rows[complaint.number]["投诉级别"]) == ("投诉", "一般投诉")
    out = io.StringIO()
    csv.writer(out).writerows([table.headers, *table.rows])
    inquiry_line = next(line for line in out.getvalue().splitlines() if line.startswith(inquiry.number))
    assert "投诉" not in inquiry_line


@pytest.mark.parametrize("stage", ["greeting", "listening", "clarifying", "feedback", "follow_up"])
def test_an_inquiry_is_offered_no_script_that_speaks_of_a_complaint(org, stage):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    complaint = intake(org.agent_a)
    client = Client()
    client.force_login(org.agent_a)
    offered = client.get(f"/complaints/{inquiry.number}/scripts?stage={stage}").content.decode()
    assert "投诉" not in re.sub(r"<[^>]+>", " ", offered)
    if stage == "feedback":  # the complaint keeps its scripts that name the complaint
        kept = client.get(f"/complaints/{complaint.number}/scripts?stage={stage}").content.decode()
        assert "投诉单" in kept or "您的投诉" in kept


def test_earlier_cases_are_listed_by_kind_and_only_complaints_make_a_repeat(org):
    earlier_inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    complaint = intake(org.agent_a)  # the same customer (13800138000), after a question: not a repeat
    text = _read(org.agent_a, complaint.number)
    assert "该客户的其他案件" in text and earlier_inquiry.number in text and "重复投诉" not in text
    second = intake(org.agent_a, title="宽带又断网")
    assert "重复投诉" in _read(org.agent_a, second.number)  # a complaint after a complaint is
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询提速", demand="")
    text = _read(org.agent_a, inquiry.number)
    assert "重复投诉" not in text and "该客户的其他投诉" not in text
