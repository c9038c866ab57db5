"""Whoever has to make the follow-up call (回访) hears of it the moment the case is resolved: a notice in their
workbench (and a mail) naming the case, the customer, by when to call as people say it, opening the case at
its follow-up panel. The handler who resolved it themselves is not told what they just did; a case nobody
holds goes to the managers who assign its unit's cases."""

import pytest

from complaintdesk.complaints.transfers import complaint_transfer
from complaintdesk.inbox.models import StaffNotification
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
