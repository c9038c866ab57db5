"""The case page's form to register the customer's objection to the result (客户异议): offered once a
result has been given, refuses an empty reason next to the field, and goes through the same service as
the API (`escalation.services.complaint_object`): the case goes one level up and the timeline says so
in words."""

import re

from django.test import Client

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff
from complaintdesk.surveys.results import result_send
from complaintdesk.testing import CLEAN_RESULT, handling_case, ladder_org, resolve  # noqa: F401 (fixture)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _panel(client, number: str) -> str:
    return client.get(f"/complaints/{number}/escalation/panel").content.decode()


def test_the_form_is_offered_only_once_the_customer_has_a_result(ladder_org):  # noqa: F811
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    assert 'data-testid="objection-form"' not in _panel(client, complaint.number)

    result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)  # → awaiting the customer
    panel = _panel(client, complaint.number)
    assert 'data-testid="objection-form"' in panel and "登记客户异议" in panel

    resolve_number = handling_case(org.agent_a, title="另一件").number
    resolve(org.agent_a, resolve_number)
    assert 'data-testid="objection-form"' in _panel(client, resolve_number)


def test_an_objection_from_the_case_page_escalates_and_shows_on_the_timeline(ladder_org):  # noqa: F811
    org = ladder_org
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    client = _client(org.agent_a)
    url = f"/complaints/{complaint.number}/escalation/objection"

    # No reason: refused next to the field, nothing written, the form keeps its place.
    response = client.post(url, {"reason": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "此项为必填项" in body and 'data-testid="objection-form"' in body
    assert not EscalationHandOff.objects.filter(complaint=complaint).exists()
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.CUSTOMER_OBJECTION).exists()

    response = client.post(url, {"reason": "只退了一半月租，客户要求全额退还"})
    assert response.status_code == 302 and response["Location"].endswith(
        f"/complaints/{complaint.number}/#escalation"
    )
    complaint.refresh_from_db()
    assert complaint.status == "escalated"
    state = CaseEscalation.objects.get(complaint=complaint)
    assert state.level_position == 1 and state.holder == org.manager
    hand_off = EscalationHandOff.objects.get(complaint=complaint)
    assert hand_off.trigger == "objection" and hand_off.actor == org.agent_a

    page = _text(client.get(f"/complaints/{complaint.number}/").content.decode())
    timeline = page.split("处理记录", 1)[1].split("附件", 1)[0]
    assert "客户有异议" in timeline and timeline.count("只退了一半月租，客户要求全额退还") >= 1
    objection_line = timeline.split("客户有异议", 1)[1].split("升级", 1)[0]
    assert objection_line.count("只退了一半月租") == 1  # the customer's words once, not again as the reason
    assert "业务经理" in timeline  # the level it went to, in words
    for code in ("objection", "escalation_level", "escalated", "result"):
        assert not re.search(rf"\b{code}\b", timeline), code
    # Escalated, the case has no result any more: the form is not offered again until there is one.
    assert 'data-testid="objection-form"' not in _panel(client, complaint.number)


def test_the_page_in_english_names_the_form_and_its_refusal(ladder_org):  # noqa: F811
    org = ladder_org
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    client = _client(org.agent_a)
    client.cookies["django_language"] = "en"
    panel = _text(_panel(client, complaint.number))
    assert "Register the customer's objection" in panel
    response = client.post(
        f"/complaints/{complaint.number}/escalation/objection", {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert "This field is required" in _text(response.content.decode())


def test_someone_who_cannot_see_the_case_gets_the_product_404(ladder_org):  # noqa: F811
    org = ladder_org
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    response = _client(org.agent_b).post(
        f"/complaints/{complaint.number}/escalation/objection", {"reason": "不满意"}
    )
    assert response.status_code == 404
    assert not EscalationHandOff.objects.filter(complaint=complaint).exists()
