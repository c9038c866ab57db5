"""Each kind of contact on its own page (issue 19): an inquiry, a suggestion, praise show their own process
strip and only the panels that apply; the customer's portal and messages use the kind's words."""

import pytest
from django.test import Client

from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import ContactKind, Status
from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES
from complaintdesk.scripts.models import ScriptStage as Stage
from complaintdesk.scripts.selectors import scripts_for
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db

COMPLAINT_PANELS = tuple(
    f'id="{name}"' for name in ("escalation", "solutions", "feedback", "summary", "regulation", "learning")
)


def _page(user, number: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/complaints/{number}/")
    assert response.status_code == 200
    return response.content.decode()


def _strip(html: str) -> str:
    start = html.index('class="steps"')
    return html[start : html.index("</ol>", start)]


def test_a_complaint_keeps_its_ten_steps_and_its_panels(org):
    html = _page(org.agent_a, intake(org.agent_a).number)
    assert "致歉" in _strip(html) and "回访" in _strip(html)
    for panel in COMPLAINT_PANELS:
        assert panel in html


def test_an_inquiry_shows_the_inquiry_process_and_no_complaint_only_panel(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.HANDLING)
    html = _page(org.agent_a, inquiry.number)
    strip = _strip(html)
    assert "解答" in strip and "已答复" in strip and "致歉" not in strip and "回访" not in strip
    assert 'aria-current="step">解答<' in strip
    for panel in COMPLAINT_PANELS:
        assert panel not in html
    assert "work-orders/panel" in html  # an inquiry may still need a department
    # The timeline and the headings in the inquiry's words.
    assert "登记咨询" in html and "登记投诉" not in html and "投诉内容" not in html


def test_a_suggestion_and_praise_show_only_their_own_process(org):
    suggestion = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="建议增加账单导出", demand="")
    html = _page(org.agent_a, suggestion.number)
    assert "负责部门办理" in _strip(html) and "致歉" not in _strip(html)
    assert "work-orders/panel" not in html and 'id="analysis"' not in html
    for panel in COMPLAINT_PANELS:
        assert panel not in html
    praise = intake(org.agent_a, kind=ContactKind.PRAISE, title="表扬营业员", demand="")
    html = _page(org.agent_a, praise.number)
    assert "已记入表扬" in _strip(html) and "分析" not in _strip(html)
    assert "首次响应时限" not in html  # praise runs no clock: no empty deadline rows


# --- the customer's messages -------------------------------------------------------------------------------


def test_every_kind_has_its_own_progress_message_without_the_word_complaint():
    shipped = {(code, channel, language) for code, channel, language, *_rest in DEFAULT_TEMPLATES}
    for code in ("progress_inquiry", "progress_suggestion", "progress_praise"):
        for channel in ("sms", "email", "wechat"):
            for language in ("zh-hans", "en"):
                assert (code, channel, language) in shipped
    for code, _channel, language, subject, body, _fields in DEFAULT_TEMPLATES:
        if code.startswith("progress_"):
            assert ("投诉" if language == "zh-hans" else "complaint") not in (subject + body).lower(), code


def test_praise_and_inquiries_are_offered_no_script_that_apologises_or_compensates(org):
    """The shipped scripts that apologise or speak of a cause found and a compensation are complaint-only
    (scripts 0004): a customer who wrote to praise a member of staff is not told 为表歉意."""
    for stage in Stage.values:
        for language in ("zh-hans", "en"):
            for script in scripts_for(stage=stage, language=language, complaint=False):
                body = script.body.lower()
                assert not any(word in body for word in ("歉", "sorry", "apolog", "{compensation}")), (
                    script.code
                )
    # A complaint is still offered them.
    offered = scripts_for(stage=Stage.APOLOGY, language="zh-hans", complaint=True)
    assert offered and all("歉" in script.body for script in offered)
    assert scripts_for(stage=Stage.APOLOGY, language="zh-hans", complaint=False) == []
