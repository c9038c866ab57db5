"""Result feedback, the survey and its link, the policy on unhappy answers, and the follow-up (回访)."""

import datetime as dt

import pytest
from django.test import override_settings

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_assign, complaint_transition
from complaintdesk.notifications.models import Notification
from complaintdesk.scripts.models import ReplyCheckOverride
from complaintdesk.scripts.services import ReplyBlocked
from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState
from complaintdesk.sla.timers import timers_process_due
from complaintdesk.surveys import links, resolution, results, services
from complaintdesk.surveys.follow_ups import follow_up_outcome_record
from complaintdesk.surveys.models import (
    FollowUp,
    FollowUpOutcome,
    FollowUpState,
    ResultFeedback,
    SurveyAction,
    SurveyAnswer,
    SurveyInvitation,
)
from complaintdesk.surveys.resolution import result_unreachable_record
from complaintdesk.testing import resolve

from .conftest import CLEAN_RESULT, local

pytestmark = pytest.mark.django_db


def _events(complaint, kind):
    return list(ComplaintEvent.objects.filter(complaint=complaint, kind=kind).order_by("id"))


def _send(complaint, actor, **overrides):
    return results.result_send(number=complaint.number, actor=actor, **(CLEAN_RESULT | overrides))


def _token_of(complaint) -> str:
    """The survey link's token, as the customer reads it in the message (the database keeps only a hash)."""
    body = Notification.objects.filter(complaint=complaint, template_code="survey").latest("id").body
    return body.rsplit("/s/", 1)[1].split()[0].rstrip("。.")


def _summarise(complaint, actor):
    """Closing needs a complete case summary (archive app's transition guard)."""
    from complaintdesk.archive.services import case_summary_write

    case_summary_write(
        number=complaint.number,
        actor=actor,
        problem="宽带连续三天断网",
        cause="小区光缆被施工挖断",
        solution="更换光缆并减免当月月租",
        lesson="施工前与物业确认管线位置",
    )


def _resolved_case(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    complaint.refresh_from_db()
    return complaint


# --- result feedback ----------------------------------------------------------------------------------------


def test_a_clean_result_is_sent_stored_and_the_case_waits_for_the_customer(org, handling_case):
    complaint = handling_case(org.agent_a)
    result = _send(complaint, org.agent_a)

    complaint.refresh_from_db()
    assert complaint.status == "awaiting_customer"
    assert complaint.sla_paused_at is not None  # the clocks stand still while the customer decides
    assert (result.cause, result.measures, result.outcome, result.compensation) == (
        "小区光缆被施工挖断",
        "我们已安排工程师更换了光缆",
        "网络已恢复正常",
        "本月宽带月租已全额减免",
    )
    sent = Notification.objects.get(complaint=complaint, template_code="result")
    assert sent.channel == "sms"  # preferred channel: phone → SMS
    assert "网络已恢复正常" in sent.body and "本月宽带月租已全额减免" in sent.body
    [event] = _events(complaint, EventKind.RESULT_SENT)
    assert event.actor == org.agent_a and "小区光缆被施工挖断" in event.reason
    assert _events(complaint, EventKind.REPLY_OVERRIDDEN) == []
    # The survey follows the result.
    invitation = SurveyInvitation.objects.get(complaint=complaint)
    assert invitation.agent == org.agent_a and invitation.org_unit == org.store_a
    assert Notification.objects.filter(complaint=complaint, template_code="survey").count() == 1


def test_a_blocking_finding_refuses_the_result_and_writes_nothing(org, handling_case):
    complaint = handling_case(org.agent_a)
    with pytest.raises(ReplyBlocked) as refused:
        _send(complaint, org.agent_a, outcome="这个不行，只能等下个月", override_reason="客户同意")
    assert "refusal-zh" in {f.code for f in refused.value.findings}
    complaint.refresh_from_db()
    assert complaint.status == "handling"
    assert (
        not ResultFeedback.objects.exists() and not Notification.objects.filter(complaint=complaint).exists()
    )
    assert not SurveyInvitation.objects.exists()
    assert _events(complaint, EventKind.RESULT_SENT) == []


def test_warnings_need_a_reason_and_the_override_is_recorded(org, handling_case):
    complaint = handling_case(org.agent_a)
    wording = {"outcome": "但是网络已恢复正常"}
    with pytest.raises(results.ResultNeedsOverride) as needs:
        _send(complaint, org.agent_a, **wording)
    assert needs.value.check.warning_codes == ["but-zh"]
    assert not ResultFeedback.objects.exists()

    result = _send(complaint, org.agent_a, override_reason="客户原话如此", **wording)
    assert result.override is not None and result.override.finding_codes == ["but-zh"]
    assert ReplyCheckOverride.objects.get().reason == "客户原话如此"
    [event] = _events(complaint, EventKind.REPLY_OVERRIDDEN)
    assert event.new_value == "but-zh" and event.actor == org.agent_a
    complaint.refresh_from_db()
    assert complaint.status == "awaiting_customer"


def test_result_needs_its_fields_and_a_case_being_handled(org, handling_case):
    complaint = handling_case(org.agent_a)
    with pytest.raises(InvalidInput) as missing:
        results.result_send(
            number=complaint.number, actor=org.agent_a, cause="", measures=" ", outcome="好了"
        )
    assert set(missing.value.fields) == {"cause", "measures"}
    resolve(org.agent_a, complaint.number)
    with pytest.raises(InvalidInput) as wrong_state:
        _send(complaint, org.agent_a)
    assert "status" in wrong_state.value.fields


def test_an_agent_records_the_customers_confirmation(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    assert complaint.status == "resolved"
    result = ResultFeedback.objects.get(complaint=complaint)
    assert result.confirmed_via == "agent" and result.confirmed_by == org.agent_a


# --- the survey link ----------------------------------------------------------------------------------------


def _nothing_recorded(complaint, status):
    complaint.refresh_from_db()
    assert complaint.status == status
    assert _events(complaint, EventKind.SURVEY) == []


def test_a_reused_link_is_refused_and_records_nothing_more(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    token = _token_of(complaint)
    services.survey_answer_submit(token=token, stars=5, solved=True)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()

    with pytest.raises(services.SurveyLinkRefused) as refused:
        services.survey_answer_submit(token=token, stars=1, solved=False, comment="再来一次")
    assert refused.value.reason == "used"
    assert SurveyAnswer.objects.count() == 1 and SurveyAnswer.objects.get().stars == 5
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


def test_an_expired_link_is_refused_and_records_nothing(org, handling_case, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    token = _token_of(complaint)
    clock.at(local(2026, 11, 30, 10, 1))  # 7 days and a minute later
    with pytest.raises(services.SurveyLinkRefused) as refused:
        services.survey_answer_submit(token=token, stars=1, solved=False)
    assert refused.value.reason == "expired"
    assert not SurveyAnswer.objects.exists()
    _nothing_recorded(complaint, "awaiting_customer")


def test_a_tampered_link_is_refused_and_records_nothing(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    token = _token_of(complaint)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, token + "x", "", "../" + token):
        with pytest.raises(services.SurveyLinkRefused) as refused:
            services.survey_answer_submit(token=bad, stars=1, solved=False)
        assert refused.value.reason == "invalid"
    assert not SurveyAnswer.objects.exists()
    _nothing_recorded(complaint, "awaiting_customer")


def test_the_database_keeps_only_the_tokens_hash(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    token = _token_of(complaint)
    invitation = SurveyInvitation.objects.get()
    assert token not in invitation.token_hash and invitation.token_hash == links.token_hash(token)


def test_a_corrected_result_voids_the_earlier_link(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    first = _token_of(complaint)
    _send(complaint, org.agent_a, outcome="网络已恢复正常，测速达到签约带宽")
    with pytest.raises(services.SurveyLinkRefused):
        services.survey_answer_submit(token=first, stars=5, solved=True)
    services.survey_answer_submit(token=_token_of(complaint), stars=5, solved=True)


def test_bad_answers_record_nothing(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    token = _token_of(complaint)
    for bad in (
        {"stars": 0},
        {"stars": 6},
        {"stars": 3, "nps": 11},
        {"stars": "5"},
        {"stars": 4, "comment": "长" * 2001},
    ):
        with pytest.raises(InvalidInput):
            services.survey_answer_submit(token=token, **bad)
    assert not SurveyAnswer.objects.exists()
    assert SurveyInvitation.objects.get().used_at is None  # the link still works
    services.survey_answer_submit(token=token, stars=4, nps=9, solved=True)


# --- what an answer does ------------------------------------------------------------------------------------


def test_solved_confirms_the_result_and_answers_are_tied_to_agent_and_unit(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    # The case changes hands afterwards; the rating stays with who handled it when the customer was asked.
    complaint_assign(number=complaint.number, actor=org.manager, assignee=org.manager)
    answer = services.survey_answer_submit(
        token=_token_of(complaint), stars=5, nps=10, solved=True, comment="很及时"
    )

    assert (answer.complaint, answer.agent, answer.org_unit) == (complaint, org.agent_a, org.store_a)
    assert (answer.stars, answer.nps, answer.solved, answer.comment) == (5, 10, True, "很及时")
    assert answer.action == SurveyAction.CONFIRMED
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    assert ResultFeedback.objects.get().confirmed_via == "survey"
    [event] = _events(complaint, EventKind.SURVEY)
    assert "5" in event.new_value and event.reason == "很及时"
    assert FollowUp.objects.filter(complaint=complaint, state=FollowUpState.OPEN).exists()


def test_a_low_rating_reopens_the_case_with_the_comment_as_the_reason(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    answer = services.survey_answer_submit(
        token=_token_of(complaint), stars=2, solved=True, comment="宽带还是很慢"
    )
    assert answer.action == SurveyAction.REOPENED
    complaint.refresh_from_db()
    assert complaint.status == "handling" and complaint.sla_paused_at is None
    transition = _events(complaint, EventKind.TRANSITION)[-1]
    assert (transition.old_value, transition.new_value) == ("awaiting_customer", "handling")
    assert "宽带还是很慢" in transition.reason and "2" in transition.reason


def test_a_low_rating_after_resolution_reopens_it(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    services.survey_answer_submit(token=_token_of(complaint), stars=1, comment="根本没修好")
    complaint.refresh_from_db()
    assert complaint.status == "reopened" and complaint.is_open
    assert FollowUp.objects.get(complaint=complaint).state == FollowUpState.CANCELLED


@override_settings(SURVEY_UNHAPPY_ACTION="escalate")
def test_not_solved_escalates_under_the_escalate_policy(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    answer = services.survey_answer_submit(
        token=_token_of(complaint), stars=4, solved=False, comment="还是断网"
    )
    assert answer.action == SurveyAction.ESCALATED
    complaint.refresh_from_db()
    assert complaint.status == "escalated"
    [objection] = _events(complaint, EventKind.CUSTOMER_OBJECTION)
    assert "还是断网" in objection.reason
    assert _events(complaint, EventKind.ESCALATED)


# --- follow-up (回访) --------------------------------------------------------------------------------------


def test_resolution_opens_a_follow_up_due_in_seven_calendar_days_with_a_timer(org, handling_case, clock):
    clock.at(local(2026, 11, 23, 10, 0))  # a Monday
    complaint = _resolved_case(org, handling_case)
    task = FollowUp.objects.get(complaint=complaint)
    assert task.state == FollowUpState.OPEN and task.assignee == org.agent_a and task.org_unit == org.store_a
    assert task.due_at == local(
        2026, 11, 30, 10, 0
    )  # calendar days (the SLA policy's "7d"), weekend included
    assert task.warn_at == task.resolved_at + dt.timedelta(days=7) * 0.8
    timer = SlaTimer.objects.get(complaint=complaint, kind=TimerKind.FOLLOW_UP, state=TimerState.PENDING)
    assert timer.due_at == task.due_at and timer.subject == f"F{task.pk}"
    [due_event] = [e for e in _events(complaint, EventKind.FOLLOW_UP) if e.field == "due"]
    assert "2026-11-30" in due_event.reason


def test_resolving_without_reaching_the_customer_also_gets_the_follow_up(org, handling_case):
    complaint = handling_case(org.agent_a)
    result_unreachable_record(
        number=complaint.number,
        actor=org.agent_a,
        reason="电话三次无人接听，短信无回复",
        cause="光缆被挖断",
        measures="更换光缆",
        outcome="网络恢复",
    )
    assert FollowUp.objects.filter(complaint=complaint, state=FollowUpState.OPEN).count() == 1


def test_the_follow_up_timer_warns_and_fires_exactly_once(org, handling_case, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = _resolved_case(org, handling_case)
    task = FollowUp.objects.get(complaint=complaint)

    clock.at(local(2026, 11, 29, 10, 0))  # past 80 %
    assert timers_process_due().warned == 1
    assert timers_process_due().handled == 0
    clock.at(local(2026, 12, 1, 9, 0))  # past due
    assert timers_process_due().fired == 1
    assert timers_process_due().handled == 0

    task.refresh_from_db()
    assert task.warned_at == local(2026, 11, 29, 10, 0) and task.overdue_at == local(2026, 12, 1, 9, 0)
    assert [e.field for e in _events(complaint, EventKind.SLA_WARNING)] == ["follow_up"]
    assert [e.field for e in _events(complaint, EventKind.SLA_BREACH)] == ["follow_up"]


def test_three_times_not_reached_closes_the_case_as_not_reached(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    _summarise(complaint, org.agent_a)
    task = FollowUp.objects.get(complaint=complaint)
    first = follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False, note="无人接听")
    complaint.refresh_from_db()
    assert complaint.status == "follow_up" and not first.closed
    follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False)
    third = follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False)

    assert third.closed and third.follow_up.state == FollowUpState.NOT_REACHED
    assert third.follow_up.not_reached_count == 3 and third.follow_up.outcome == FollowUpOutcome.NOT_REACHED
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    close = _events(complaint, EventKind.TRANSITION)[-1]
    assert close.new_value == "closed" and "未联系上" in close.reason
    assert [e.field for e in _events(complaint, EventKind.FOLLOW_UP) if e.field != "due"] == [
        "not_reached"
    ] * 3
    assert not SlaTimer.objects.filter(
        complaint=complaint, kind=TimerKind.FOLLOW_UP, state__in=["pending", "warned"]
    ).exists()
    with pytest.raises(InvalidInput):
        follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False)


def test_reached_and_satisfied_closes_the_case(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    _summarise(complaint, org.agent_a)
    task = FollowUp.objects.get(complaint=complaint)
    recorded = follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=True, satisfied=True)
    assert recorded.closed and recorded.follow_up.outcome == FollowUpOutcome.SATISFIED
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_reached_and_unhappy_reopens_with_the_note(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    task = FollowUp.objects.get(complaint=complaint)
    with pytest.raises(InvalidInput) as needs_note:
        follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=True, satisfied=False)
    assert "note" in needs_note.value.fields
    recorded = follow_up_outcome_record(
        follow_up_id=task.pk, actor=org.agent_a, reached=True, satisfied=False, note="晚上还是会断网"
    )
    assert recorded.reopened
    complaint.refresh_from_db()
    assert complaint.status == "reopened"
    assert "晚上还是会断网" in _events(complaint, EventKind.TRANSITION)[-1].reason


def test_a_new_issue_opens_a_linked_case_named_on_both_timelines(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    _summarise(complaint, org.agent_a)
    task = FollowUp.objects.get(complaint=complaint)
    recorded = follow_up_outcome_record(
        follow_up_id=task.pk,
        actor=org.agent_a,
        reached=True,
        satisfied=True,
        new_issue="上个月的话费多扣了 30 元\n客户要求退还",
        note="原问题已解决",
    )
    linked = recorded.linked_complaint
    assert linked is not None and linked.pk != complaint.pk
    assert linked.customer_id == complaint.customer_id and linked.org_unit == complaint.org_unit
    assert linked.title == "上个月的话费多扣了 30 元" and linked.channel == "phone" and linked.status == "new"
    task.refresh_from_db()
    assert task.linked_complaint == linked and task.outcome == FollowUpOutcome.NEW_ISSUE
    assert any(
        e.field == "linked_complaint" and e.new_value == linked.number
        for e in _events(complaint, EventKind.FOLLOW_UP)
    )
    assert any(
        e.field == "linked_from" and e.new_value == complaint.number
        for e in _events(linked, EventKind.FOLLOW_UP)
    )
    complaint.refresh_from_db()
    assert complaint.status == "closed"  # the original problem is solved


def test_follow_up_outcome_is_scoped_and_needs_permission(org, handling_case):
    complaint = _resolved_case(org, handling_case)
    task = FollowUp.objects.get(complaint=complaint)
    from complaintdesk.common.errors import NotFound, PermissionDenied

    with pytest.raises(NotFound):  # store B's agent cannot see store A's case
        follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_b, reached=False)
    with pytest.raises(PermissionDenied):  # inspectors see everything but do not call customers
        follow_up_outcome_record(follow_up_id=task.pk, actor=org.inspector, reached=False)
    assert not task.attempts.exists()


def test_a_close_refused_by_a_guard_keeps_the_follow_up_recorded(org, handling_case):
    complaint = _resolved_case(org, handling_case)  # no case summary yet: the archive refuses to close
    task = FollowUp.objects.get(complaint=complaint)
    recorded = follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=True, satisfied=True)
    assert not recorded.closed and "归档总结" in recorded.close_error
    complaint.refresh_from_db()
    assert complaint.status == "follow_up"
    task.refresh_from_db()
    assert task.state == FollowUpState.DONE and task.attempts.count() == 1 and "归档总结" in task.close_note
    assert [e.field for e in _events(complaint, EventKind.FOLLOW_UP) if e.field != "due"] == ["satisfied"]
    # Once the summary is written, the agent closes the case the usual way.
    _summarise(complaint, org.agent_a)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="closed")
    # Archived now: the panel no longer says "暂未归档：…缺少归档总结".
    task.refresh_from_db()
    assert task.close_note == ""


def test_backfill_gives_cases_resolved_earlier_their_follow_up(org, handling_case):
    from django.core.management import call_command

    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    FollowUp.objects.all().delete()  # as if resolved before the app was installed
    SlaTimer.objects.filter(kind=TimerKind.FOLLOW_UP).delete()
    call_command("follow_ups_backfill")
    task = FollowUp.objects.get(complaint=complaint)
    assert SlaTimer.objects.filter(
        complaint=complaint, kind=TimerKind.FOLLOW_UP, subject=f"F{task.pk}"
    ).exists()
    call_command("follow_ups_backfill")
    assert FollowUp.objects.count() == 1
