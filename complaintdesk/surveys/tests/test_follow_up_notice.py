"""Whoever has to make the follow-up call (回访) hears of it the moment the case is resolved: a notice in their
workbench (and a mail) naming the case, the customer, by when to call as people say it, opening the case at
its follow-up panel. The handler who resolved it themselves is not told what they just did; a case nobody
holds goes to the managers who assign its unit's cases."""

import pytest

from complaintdesk.complaints.transfers import complaint_transfer
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.sla.timers import timers_process_due
from complaintdesk.surveys import resolution
from complaintdesk.surveys.models import FollowUp
from complaintdesk.surveys.results import result_send

from .conftest import CLEAN_RESULT, local

pytestmark = pytest.mark.django_db


def _notices(user):
    return list(StaffNotification.objects.filter(user=user, kind="follow_up_created"))


def _resolve(complaint, *, sent_by, confirmed_by, capture):
    with capture(execute=True):
        result_send(number=complaint.number, actor=sent_by, **CLEAN_RESULT)
        resolution.result_confirm(number=complaint.number, actor=confirmed_by, note="客户电话确认")
    complaint.refresh_from_db()
    return complaint


def test_the_handler_hears_of_a_follow_up_someone_else_resolved(
    org, handling_case, clock, django_capture_on_commit_callbacks
):
    clock.at(local(2026, 11, 23, 10, 0))  # a Monday
    complaint = handling_case(org.agent_a)
    _resolve(
        complaint, sent_by=org.agent_a, confirmed_by=org.manager, capture=django_capture_on_commit_callbacks
    )
    task = FollowUp.objects.get(complaint=complaint)
    assert task.assignee == org.agent_a

    [notice] = _notices(org.agent_a)
    assert notice.title == f"请回访客户：{complaint.number} 宽带断网，11月30日 10:00前"
    assert notice.link == f"/complaints/{complaint.number}/#feedback"
    assert notice.case_number == complaint.number
    assert "客户：王女士" in notice.body
    assert f"解决人：{org.manager}" in notice.body
    assert "请在11月30日 10:00前致电客户" in notice.body
    assert "_" not in notice.title + notice.body  # words, never a code
    assert not _notices(org.manager)  # who resolved it knows


def test_the_handler_who_resolved_it_is_not_told_of_their_own_follow_up(
    org, handling_case, django_capture_on_commit_callbacks
):
    complaint = handling_case(org.agent_a)
    _resolve(
        complaint, sent_by=org.agent_a, confirmed_by=org.agent_a, capture=django_capture_on_commit_callbacks
    )
    assert FollowUp.objects.get(complaint=complaint).assignee == org.agent_a
    assert not StaffNotification.objects.filter(kind="follow_up_created").exists()


def test_a_follow_up_nobody_holds_goes_to_the_managers_above(
    org, handling_case, clock, django_capture_on_commit_callbacks
):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    # Handed to the Pudong franchise, which has nobody assigned to it yet and no manager of its own.
    complaint_transfer(number=complaint.number, actor=org.manager, unit_code="SH-B", reason="属浦东门店")
    _resolve(
        complaint, sent_by=org.agent_b, confirmed_by=org.agent_b, capture=django_capture_on_commit_callbacks
    )
    task = FollowUp.objects.get(complaint=complaint)
    assert task.assignee is None

    [notice] = _notices(org.manager)  # the branch's business manager, who assigns the franchise's cases
    assert complaint.number in notice.title and "11月30日 10:00" in notice.title
    assert not _notices(org.agent_b) and not _notices(org.agent_a)


def test_the_notice_is_in_the_readers_language(org, handling_case, clock, django_capture_on_commit_callbacks):
    clock.at(local(2026, 11, 23, 10, 0))
    org.agent_a.language = "en"
    org.agent_a.save(update_fields=["language"])
    complaint = handling_case(org.agent_a)
    _resolve(
        complaint, sent_by=org.agent_a, confirmed_by=org.manager, capture=django_capture_on_commit_callbacks
    )

    [notice] = _notices(org.agent_a)
    assert notice.title == f"Follow up with the customer: {complaint.number} 宽带断网, by 30 Nov 10:00"
    assert "Call the customer by 30 Nov 10:00" in notice.body


def _told_of(user, complaint) -> list[str]:
    """The titles of the notices `user` got about the case's follow-up: its creation, the sweep's alerts."""
    return list(
        StaffNotification.objects.filter(
            user=user,
            case_number=complaint.number,
            kind__in=("follow_up_created", "case_warning", "case_breach"),
        )
        .order_by("pk")
        .values_list("title", flat=True)
    )


def test_a_follow_up_already_overdue_when_first_told_is_not_told_again_by_the_sweep(
    org, handling_case, clock, django_capture_on_commit_callbacks
):
    """The first notice came when the time was already up (it says so): the sweep's overdue alert for the same
    task is not sent again. One notice per person per overdue follow-up."""
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    with django_capture_on_commit_callbacks() as waiting:
        result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
        resolution.result_confirm(number=complaint.number, actor=org.manager, note="客户电话确认")
    clock.at(local(2026, 12, 1, 9, 0))  # the notice goes out after the deadline (e.g. a history replayed)
    for callback in waiting:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        assert timers_process_due().fired == 1  # the timeline still records the breach

    [title] = _told_of(org.agent_a, complaint)
    assert title.startswith("回访已超过时限：")
    assert complaint.events.filter(kind="sla_breach", field="follow_up").exists()


def test_a_follow_up_told_in_time_still_gets_the_sweeps_warning_and_overdue_alert(
    org, handling_case, clock, django_capture_on_commit_callbacks
):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    _resolve(
        complaint, sent_by=org.agent_a, confirmed_by=org.manager, capture=django_capture_on_commit_callbacks
    )
    clock.at(local(2026, 11, 29, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        timers_process_due()
    clock.at(local(2026, 12, 1, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        timers_process_due()
        timers_process_due()  # a second pass tells nobody again

    told = _told_of(org.agent_a, complaint)
    assert len(told) == 3 and told[0].startswith("请回访客户：")


def test_the_resolver_not_told_at_creation_hears_of_the_overdue_follow_up_from_the_sweep(
    org, handling_case, clock, django_capture_on_commit_callbacks
):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    with django_capture_on_commit_callbacks() as waiting:
        result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
        resolution.result_confirm(number=complaint.number, actor=org.agent_a, note="客户电话确认")
    clock.at(local(2026, 12, 1, 9, 0))
    for callback in waiting:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        timers_process_due()

    assert len(_told_of(org.agent_a, complaint)) == 1  # the sweep's alert, their only notice
