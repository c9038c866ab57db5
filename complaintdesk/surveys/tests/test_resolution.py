"""A case reaches "resolved" only through feeding back the result (or the customer recorded as unreachable);
a rating given on the phone; a due follow-up survives archiving; scripts filled from the case's result."""

import pytest
from django.test import Client

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.scripts.services import script_values
from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState
from complaintdesk.surveys import resolution, results
from complaintdesk.surveys.follow_ups import follow_up_outcome_record
from complaintdesk.surveys.models import (
    FollowUp,
    FollowUpState,
    ResultFeedback,
    SurveyAnswer,
    SurveyInvitation,
)
from complaintdesk.surveys.resolution import result_unreachable_record
from complaintdesk.surveys.services import rating_record

from .conftest import CLEAN_RESULT

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "reason": "12月3日、4日三次来电无人接听，短信和邮件均无回复",
    "cause": "小区光缆被施工挖断",
    "measures": "更换光缆",
    "outcome": "网络已恢复",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send(complaint, actor):
    return results.result_send(number=complaint.number, actor=actor, **CLEAN_RESULT)


def _status(complaint) -> str:
    complaint.refresh_from_db()
    return complaint.status


# --- only through feedback ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["handling", "awaiting_customer", "escalated"])
def test_a_bare_status_change_to_resolved_is_refused_saying_what_to_do(org, handling_case, via):
    complaint = handling_case(org.agent_a)
    if via != "handling":
        complaint_transition(number=complaint.number, actor=org.manager, to=via, reason="客户要求")
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(number=complaint.number, actor=org.manager, to="resolved")
    assert "反馈处理结果" in refused.value.fields["to"][0]
    assert _status(complaint) == via
    assert not FollowUp.objects.filter(complaint=complaint).exists()


def test_a_result_told_but_not_accepted_does_not_resolve_by_a_status_change(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(number=complaint.number, actor=org.agent_a, to="resolved")
    assert "客户尚未确认" in refused.value.fields["to"][0]
    resolution.result_confirm(number=complaint.number, actor=org.agent_a, note="客户电话确认")
    assert _status(complaint) == "resolved"


def test_after_a_reopening_the_earlier_acceptance_does_not_count(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="reopened", reason="客户说又断了")
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling")
    with pytest.raises(InvalidInput):
        complaint_transition(number=complaint.number, actor=org.agent_a, to="resolved")


def test_the_survey_goes_out_with_the_result(org, handling_case):
    complaint = handling_case(org.agent_a)
    result = _send(complaint, org.agent_a)
    [invitation] = SurveyInvitation.objects.filter(complaint=complaint)
    assert invitation.result == result and invitation.notification is not None


def test_an_unreachable_customer_resolves_with_the_reason_recorded(org, handling_case):
    complaint = handling_case(org.agent_a)
    with pytest.raises(InvalidInput) as missing:
        result_unreachable_record(
            number=complaint.number, actor=org.agent_a, **{**UNREACHABLE, "reason": " "}
        )
    assert set(missing.value.fields) == {"reason"}
    assert _status(complaint) == "handling"

    result_unreachable_record(number=complaint.number, actor=org.agent_a, **UNREACHABLE)
    assert _status(complaint) == "resolved"
    result = ResultFeedback.objects.get(complaint=complaint)
    assert result.unreachable_reason == UNREACHABLE["reason"] and result.confirmed_via == "unreachable"
    assert result.channel == "" and result.notification is None  # nothing was sent
    transition = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION).last()
    assert transition.new_value == "resolved" and UNREACHABLE["reason"] in transition.reason
    assert FollowUp.objects.filter(complaint=complaint, state=FollowUpState.OPEN).exists()


# --- a rating given on the phone ---------------------------------------------------------------------------------


def test_a_phone_rating_is_recorded_and_solved_resolves_the_case(org, handling_case):
    complaint = handling_case(org.agent_a)
    with pytest.raises(InvalidInput):  # nothing told yet: nothing to rate
        rating_record(number=complaint.number, actor=org.agent_a, stars=5, solved=True)
    _send(complaint, org.agent_a)
    with pytest.raises(InvalidInput) as bad:
        rating_record(number=complaint.number, actor=org.agent_a, stars=6)
    assert "stars" in bad.value.fields

    answer = rating_record(number=complaint.number, actor=org.agent_a, stars=5, solved=True, comment="很满意")
    assert (answer.source, answer.recorded_by, answer.invitation, answer.action) == (
        "phone",
        org.agent_a,
        None,
        "confirmed",
    )
    assert _status(complaint) == "resolved"
    assert ResultFeedback.objects.get(complaint=complaint).confirmed_via == "agent"
    # The link sent with the result no longer works: this result has been rated.
    assert SurveyInvitation.objects.get(complaint=complaint).voided_at is not None
    event = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SURVEY).last()
    assert "客户电话评价" in event.new_value and event.actor == org.agent_a


def test_an_unhappy_phone_rating_sends_the_case_back_to_handling(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    answer = rating_record(
        number=complaint.number, actor=org.agent_a, stars=1, solved=False, comment="还是断"
    )
    assert answer.action == "reopened" and _status(complaint) == "handling"
    assert SurveyAnswer.objects.filter(complaint=complaint).count() == 1


def test_the_case_page_records_a_phone_rating_and_hides_the_bare_resolve(org, handling_case):
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    page = client.get(f"/complaints/{complaint.number}/").content.decode()
    assert 'data-testid="to-resolved"' not in page  # resolving is the feedback panel's
    panel = client.get(f"/complaints/{complaint.number}/feedback/panel").content.decode()
    assert 'data-testid="unreachable-form"' in panel and 'data-testid="rating-form"' not in panel

    _send(complaint, org.agent_a)
    refused = client.post(f"/complaints/{complaint.number}/feedback/rating", {"stars": "", "solved": "yes"})
    assert refused.status_code == 302 and _status(complaint) == "awaiting_customer"
    response = client.post(
        f"/complaints/{complaint.number}/feedback/rating",
        {"stars": "4", "solved": "yes", "comment": "师傅很准时"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "已登记客户的电话评价" in html and "师傅很准时" in html
    assert _status(complaint) == "resolved"


def test_the_case_page_records_an_unreachable_customer(org, handling_case):
    complaint = handling_case(org.agent_a)
    response = _client(org.agent_a).post(
        f"/complaints/{complaint.number}/feedback/unreachable", UNREACHABLE, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and UNREACHABLE["reason"] in html
    assert _status(complaint) == "resolved"


# --- the follow-up survives archiving ----------------------------------------------------------------------------


def test_archiving_keeps_a_due_follow_up_and_it_can_still_be_recorded(org, handling_case):
    from complaintdesk.archive.services import case_summary_write

    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    task = FollowUp.objects.get(complaint=complaint, state=FollowUpState.OPEN)
    case_summary_write(
        number=complaint.number,
        actor=org.manager,
        problem="宽带断网",
        cause="光缆被挖断",
        solution="更换光缆",
        lesson="施工前联系运营商",
    )
    complaint_transition(number=complaint.number, actor=org.manager, to="closed", reason="归档")

    task.refresh_from_db()
    assert task.state == FollowUpState.OPEN  # not dropped
    assert SlaTimer.objects.filter(
        complaint=complaint, kind=TimerKind.FOLLOW_UP, state=TimerState.PENDING
    ).exists()
    said = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.FOLLOW_UP, field="due").last()
    assert "已归档，回访仍待完成" in said.reason
    queue = _client(org.agent_a).get("/follow-ups/").content.decode()
    assert complaint.number in queue

    recorded = follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=True, satisfied=True)
    assert recorded.follow_up.state == FollowUpState.DONE and _status(complaint) == "closed"


def test_an_unhappy_follow_up_on_an_archived_case_reopens_it(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    from complaintdesk.archive.services import case_summary_write

    case_summary_write(
        number=complaint.number,
        actor=org.manager,
        problem="断网",
        cause="光缆",
        solution="更换",
        lesson="巡检",
    )
    complaint_transition(number=complaint.number, actor=org.manager, to="closed", reason="归档")
    task = FollowUp.objects.get(complaint=complaint)
    recorded = follow_up_outcome_record(
        follow_up_id=task.pk, actor=org.agent_a, reached=True, satisfied=False, note="又断网了"
    )
    assert recorded.reopened and _status(complaint) == "reopened"


# --- scripts filled from the case -------------------------------------------------------------------------------


def test_scripts_take_cause_measures_result_and_compensation_from_the_case(org, handling_case):
    complaint = handling_case(org.agent_a)
    complaint.root_cause = "分光器老化"
    complaint.save(update_fields=["root_cause"])
    assert script_values(complaint=complaint, agent=org.agent_a, language="zh-hans")["cause"] == "分光器老化"
    _send(complaint, org.agent_a)
    values = script_values(complaint=complaint, agent=org.agent_a, language="zh-hans")
    assert (values["cause"], values["measures"], values["result"], values["compensation"]) == (
        CLEAN_RESULT["cause"],
        CLEAN_RESULT["measures"],
        CLEAN_RESULT["outcome"],
        CLEAN_RESULT["compensation_text"],
    )


def test_the_archive_summary_starts_from_the_case_analysis_solution_and_result(org, handling_case):
    from complaintdesk.archive.selectors import summary_draft

    complaint = handling_case(org.agent_a)
    complaint.root_cause = "分光器老化"
    complaint.save(update_fields=["root_cause"])
    assert summary_draft(complaint=complaint)["cause"] == "分光器老化"
    _send(complaint, org.agent_a)
    draft = summary_draft(complaint=complaint)
    assert draft["problem"].startswith(complaint.title) and complaint.demand in draft["problem"]
    assert draft["cause"] == CLEAN_RESULT["cause"]
    assert CLEAN_RESULT["measures"] in draft["solution"] and CLEAN_RESULT["outcome"] in draft["solution"]
    assert CLEAN_RESULT["compensation_text"] in draft["solution"] and draft["lesson"] == ""
    # The case page's summary form shows the draft, to be checked and completed.
    html = _client(org.agent_a).get(f"/complaints/{complaint.number}/summary/panel").content.decode()
    assert CLEAN_RESULT["measures"] in html and "分光器老化" not in html
