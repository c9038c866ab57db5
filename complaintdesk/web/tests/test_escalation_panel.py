"""The case page's escalation: the panel escalates to the next or a named level with a reason (holder,
level clocks), records an external referral, refuses bad input next to the field; the page's header then
shows the level's clocks, not the front line's resolution time."""

import re

from django.test import Client

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.escalation.models import CaseEscalation, ExternalReferral
from complaintdesk.testing import handling_case, ladder_org  # noqa: F401 (fixture)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_escalate_to_a_named_level_from_the_panel(ladder_org):  # noqa: F811
    org = ladder_org
    complaint = handling_case(org.agent_a)
    front_line = complaint.resolution_due_at
    client = _client(org.agent_a)
    panel = client.get(f"/complaints/{complaint.number}/escalation/panel").content.decode()
    assert (
        "上一层级：业务经理" in panel
        and "营业机构负责人" in panel
        and "外部机构" not in _text(panel).split("登记外部转办")[0]
    )
    assert "解决时限" in _text(panel)  # the front line's clock runs until then

    response = client.post(
        f"/complaints/{complaint.number}/escalation/escalate", {"level": "2", "reason": "涉及两家门店"}
    )
    assert response.status_code == 302
    state = CaseEscalation.objects.get(complaint=complaint)
    assert state.level_position == 2 and state.holder == org.head

    page = _text(client.get(f"/complaints/{complaint.number}/").content.decode())
    assert "升级层级 营业机构负责人 · head" in page
    assert "营业机构负责人解决时限" in page and "营业机构负责人告知客户时限" in page
    assert front_line.astimezone(state.resolve_due_at.tzinfo) != state.resolve_due_at
    panel = _text(client.get(f"/complaints/{complaint.number}/escalation/panel").content.decode())
    assert "当前层级： 营业机构负责人" in panel and "承接人：head" in panel.replace(" ", "")


def test_refused_escalation_and_a_referral(ladder_org):  # noqa: F811
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    url = f"/complaints/{complaint.number}/escalation/escalate"
    response = client.post(url, {"level": "", "reason": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "此项为必填项" in response.content.decode()
    assert not CaseEscalation.objects.filter(complaint=complaint, level_position__gt=0).exists()

    response = client.post(
        f"/complaints/{complaint.number}/escalation/referral",
        {
            "body": "administrative_authority",
            "body_name": "市市场监管局",
            "reference_no": "SH-88",
            "reason": "客户向监管部门投诉",
            "response_due_on": "2026-12-30",
        },
    )
    assert response.status_code == 302
    referral = ExternalReferral.objects.get(complaint=complaint)
    assert referral.reference_no == "SH-88" and str(referral.response_due_on) == "2026-12-30"
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.EXTERNAL_REFERRAL).exists()
    response = client.post(
        f"/complaints/{complaint.number}/escalation/referral",
        {"body": "court", "reason": "诉讼", "response_due_on": "明天"},
        HTTP_HX_REQUEST="true",
    )
    assert "请按“年-月-日”填写日期" in response.content.decode()
