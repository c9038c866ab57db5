"""The supervisor view's count of escalated cases: every case counted (not only the listed ones), up the
ladder in its order, and the levels named in the reader's language."""

import re

import pytest
from django.test import Client

from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.testing import intake
from complaintdesk.web import selectors

pytestmark = pytest.mark.django_db


def _client(user, language="zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _count_rows(html: str) -> list[tuple[str, str, str]]:
    table = html[html.index('data-testid="escalated"') :]
    table = table[: table.index("</table>")]
    return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>(\d+)</td></tr>", table)


def test_escalated_cases_are_counted_up_the_ladder_in_the_readers_language(org, monkeypatch):
    for title in ("徐汇宽带断网", "徐汇话费多扣"):
        case = intake(org.agent_a, title=title)
        complaint_escalate(number=case.number, actor=org.agent_a, reason="客户要求找负责人", to_level=2)
    case = intake(org.agent_b, title="浦东装机拖延")
    complaint_escalate(number=case.number, actor=org.agent_b, reason="客户要求经理处理")
    case = intake(org.agent_a, title="徐汇营业厅态度差")
    complaint_escalate(number=case.number, actor=org.agent_a, reason="客户要求经理处理")
    monkeypatch.setattr(selectors, "SUPERVISOR_LIMIT", 2)  # the list shows two; the counts still cover four

    rows = _count_rows(_client(org.manager).get("/supervisor/").content.decode())
    assert rows == [
        ("业务经理", "徐汇门店", "1"),
        ("业务经理", "浦东门店", "1"),
        ("营业机构负责人", "徐汇门店", "2"),
    ]
    english = _count_rows(_client(org.manager, "en").get("/supervisor/").content.decode())
    assert [level for level, _unit, _n in english] == ["Business manager", "Business manager", "Branch head"]
