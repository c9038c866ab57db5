"""The team's learning: a finished case becomes a training example only with its handler's consent and
without the customer's personal data; agents keep a daily log their supervisors read; sharing counts in
the scorecard's contribution."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from complaintdesk.accounts.models import Role
from complaintdesk.analytics.scorecards import Shared, _sharing_part, shared_knowledge
from complaintdesk.archive.services import article_promote, case_summary_write
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import local_today, now
from complaintdesk.complaints.services import IntakeCustomer, complaint_transition
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.learning import selectors, services
from complaintdesk.learning.models import Consent, ServiceLogEntry, TrainingCase
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import handling_case, resolve

LESSON = "断网超过24小时要主动上门，不要让客户反复打电话。"


@pytest.fixture
def finished(org):
    """A case of 王女士 (13800138000) handled by agent_a to the end, her phone number also in the text."""
    complaint = handling_case(
        org.agent_a, description="宽带连续三天断网，王女士说请打 13800138000 或 13912345678 联系她。"
    )
    resolve(org.agent_a, complaint.number)
    complaint.refresh_from_db()
    assert complaint.assignee_id == org.agent_a.pk
    return complaint


def propose(org, complaint, **overrides):
    values = {"kind": "bad", "title": "断网三天无人上门", "lesson": LESSON, **overrides}
    return services.training_case_propose(number=complaint.number, actor=org.manager, **values)


def test_a_proposed_case_asks_its_handler_and_keeps_no_personal_data(
    org, finished, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = propose(org, finished)
    assert case.consent == Consent.ASKED and case.published_at is None
    for personal in ("13800138000", "13912345678", "王女士"):
        assert personal not in case.narrative
    assert "宽带连续三天断网" in case.narrative
    notice = StaffNotification.objects.get(user=org.agent_a, kind="learning_consent")
    assert finished.number in notice.title and notice.link == f"/learning/cases/{case.pk}/"
    # Not in the library, and nobody but the handler and the curators can open it yet.
    assert selectors.training_cases_published(user=org.agent_b) == []
    with pytest.raises(NotFound):
        selectors.training_case_for_user(user=org.agent_b, case_id=case.pk)
    assert selectors.training_case_for_user(user=org.agent_a, case_id=case.pk) == case
    assert selectors.training_cases_awaiting(user=org.agent_a) == [case]


def test_consent_publishes_and_tells_the_curator_declining_unpublishes(
    org, finished, django_capture_on_commit_callbacks
):
    case = propose(org, finished)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=True)
    case.refresh_from_db()
    assert case.consent == Consent.GRANTED and case.published_at is not None
    assert selectors.training_cases_published(user=org.agent_b) == [case]
    assert StaffNotification.objects.filter(user=org.manager, kind="learning_consent_answer").count() == 1
    services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=False, note="客户能认出是谁")
    case.refresh_from_db()
    assert case.consent == Consent.DECLINED and case.published_at is None
    assert selectors.training_cases_published(user=org.agent_b) == []


def test_only_the_handler_answers(org, finished):
    case = propose(org, finished)
    for someone in (org.agent_b, org.manager):
        with pytest.raises(NotFound):
            services.training_case_consent(case_id=case.pk, actor=someone, agree=True)
    assert TrainingCase.objects.get(pk=case.pk).consent == Consent.ASKED


def test_who_may_propose_what(org, finished):
    with pytest.raises(PermissionDenied):
        services.training_case_propose(
            number=finished.number, actor=org.agent_a, kind="good", title="好", lesson="好"
        )
    open_case = handling_case(org.agent_a)
    with pytest.raises(InvalidInput) as caught:
        propose(org, open_case)
    assert caught.value.fields == {"number": ["只有已解决或已归档的投诉可以作为培训案例"]}
    propose(org, finished)
    with pytest.raises(InvalidInput) as caught:
        propose(org, finished)
    assert caught.value.fields == {"number": ["这件投诉已是培训案例"]}


def test_bad_input_names_each_field_in_words(org, finished):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        propose(org, finished, kind="great", title="  ", lesson="x" * 2001)
    assert caught.value.fields == {
        "kind": ["请选择：正面案例、反面案例"],
        "title": ["此项为必填项"],
        "lesson": ["最多 2000 个字"],
    }
    assert not TrainingCase.objects.exists()


def test_a_supervisor_sharing_their_own_case_has_agreed(org):
    complaint = handling_case(org.manager)
    resolve(org.manager, complaint.number)
    case = propose(org, complaint, kind="good")
    assert case.consent == Consent.GRANTED and case.published_at is not None


def test_service_log_one_entry_a_day_read_by_the_supervisors_of_the_unit(org):
    services.service_log_write(actor=org.agent_a, went_well="安抚了一位很生气的客户", to_improve="")
    services.service_log_write(actor=org.agent_a, went_well="安抚了一位很生气的客户", to_improve="查账单太慢")
    entry = ServiceLogEntry.objects.get(agent=org.agent_a)
    assert (entry.day, entry.to_improve) == (local_today(), "查账单太慢")
    services.service_log_write(actor=org.agent_b, went_well="准时回访", to_improve="")
    # The branch manager reads both stores; the executive everyone; an agent only their own.
    assert {e.agent_id for e in selectors.service_logs_readable(reader=org.manager)} == {
        org.agent_a.pk,
        org.agent_b.pk,
    }
    assert [e.agent_id for e in selectors.service_logs_readable(reader=org.agent_b)] == [org.agent_b.pk]
    assert len(selectors.service_logs_readable(reader=org.executive, agent_id=org.agent_a.pk)) == 1


def test_service_log_refuses_an_empty_entry_and_old_days(org):
    with pytest.raises(InvalidInput) as caught:
        services.service_log_write(actor=org.agent_a, went_well=" ", to_improve="")
    assert caught.value.fields == {"went_well": ["请至少写一项：做得好的，或待改进的"]}
    with pytest.raises(InvalidInput) as caught:
        services.service_log_write(
            actor=org.agent_a, went_well="好", to_improve="", day=local_today() - dt.timedelta(days=2)
        )
    assert caught.value.fields == {"day": ["只能填写今天或昨天的日志"]}
    with pytest.raises(PermissionDenied):
        services.service_log_write(actor=org.inspector, went_well="好", to_improve="")
    assert not ServiceLogEntry.objects.exists()


def test_sharing_counts_in_the_contribution_once_the_team_uses_it(org, finished):
    month = local_today().replace(day=1)
    shared, in_use = shared_knowledge(
        agent_ids=[org.agent_a.pk, org.agent_b.pk], month_from=month, month_to=month
    )
    assert not in_use and _sharing_part(shared[org.agent_a.pk], months=1, in_use=in_use).score is None
    case = propose(org, finished)
    services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=True)
    shared, in_use = shared_knowledge(
        agent_ids=[org.agent_a.pk, org.agent_b.pk], month_from=month, month_to=month
    )
    assert in_use and shared[org.agent_a.pk] == Shared(articles=0, cases=1)
    assert _sharing_part(shared[org.agent_a.pk], months=1, in_use=True).score == 100.0
    assert _sharing_part(shared[org.agent_b.pk], months=1, in_use=True).score == 0.0
    assert _sharing_part(Shared(cases=1), months=4, in_use=True).score == 25.0


def test_pages_from_the_case_page_to_the_library(org, finished):
    manager, handler, other = Client(), Client(), Client()
    manager.force_login(org.manager)
    handler.force_login(org.agent_a)
    other.force_login(org.agent_b)
    panel = manager.get(f"/complaints/{finished.number}/learning/panel")
    assert panel.status_code == 200 and "推荐为培训案例" in panel.content.decode()
    assert (
        handler.get(f"/complaints/{finished.number}/learning/panel").content == b""
    )  # an agent cannot choose
    refused = manager.post(
        f"/complaints/{finished.number}/learning/propose", {"kind": "bad", "title": "", "lesson": LESSON},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert refused.status_code == 422 and "此项为必填项" in refused.content.decode()
    done = manager.post(
        f"/complaints/{finished.number}/learning/propose",
        {"kind": "bad", "title": "断网三天", "lesson": LESSON},
    )
    assert done.status_code == 302
    case = TrainingCase.objects.get()
    assert other.get(f"/learning/cases/{case.pk}/").status_code == 404
    page = handler.get(f"/learning/cases/{case.pk}/").content.decode()
    assert "同意发布" in page and "13800138000" not in page
    assert "断网三天" in handler.get("/learning/cases/").content.decode()  # waiting for their answer
    handler.post(f"/learning/cases/{case.pk}/consent", {"answer": "agree"})
    library = other.get("/learning/cases/").content.decode()
    assert "断网三天" in library and "反面案例" in library
    log = handler.post("/learning/log/", {"went_well": "耐心解释了账单", "to_improve": ""})
    assert log.status_code == 302
    assert "耐心解释了账单" in manager.get("/learning/log/").content.decode()
    assert "耐心解释了账单" not in other.get("/learning/log/").content.decode()
    assert now()


def test_the_library_text_keeps_no_address_no_number_no_staff_name_and_neither_do_title_and_lesson(org):
    org.agent_a.display_name, org.agent_a.employee_no = "张晓雯", "A4997"
    org.agent_a.save(update_fields=["display_name", "employee_no"])
    complaint = handling_case(
        org.agent_a,
        customer=IntakeCustomer(name="黄宇轩", phone="13855160806"),
        description=(
            "我住在上海杨浦区绿洲新城26号楼3单元2001室，手机信号只有一格。运单号CD473637275721的充电宝也没到，"
            "张晓雯（工号A4997）说要等。"
        ),
    )
    resolve(org.agent_a, complaint.number)
    case = propose(
        org, complaint, title="黄宇轩家（绿洲新城）信号差", lesson="黄先生的楼要先查覆盖，张晓雯做得好"
    )
    text = " ".join((case.title, case.lesson, case.narrative))
    for personal in ("绿洲新城", "2001室", "CD473637275721", "张晓雯", "A4997", "黄宇轩", "黄先生"):
        assert personal not in text
    assert "【地址】" in case.narrative and "手机信号只有一格" in case.narrative
    assert (
        case.title == "【姓名】家（【地址】）信号差" and case.lesson == "某先生的楼要先查覆盖，【姓名】做得好"
    )


def test_an_article_from_the_agents_summary_counts_as_written_by_them(org, finished):
    case_summary_write(
        number=finished.number,
        actor=org.agent_a,
        problem="断网",
        cause="端口老化",
        solution="换端口",
        lesson="巡检",
    )
    complaint_transition(number=finished.number, actor=org.manager, to="closed", reason="归档")
    article_promote(
        number=finished.number, actor=org.manager
    )  # the supervisor publishes the agent's write-up
    month = local_today().replace(day=1)
    shared, in_use = shared_knowledge(
        agent_ids=[org.agent_a.pk, org.agent_b.pk, org.manager.pk], month_from=month, month_to=month
    )
    assert in_use
    assert shared[org.agent_a.pk] == Shared(articles=1, cases=0)
    assert shared[org.agent_b.pk] == Shared()
    assert shared[org.manager.pk] == Shared(articles=1, cases=0)  # and for whoever wrote the article
    case_summary_write(  # a second version by the same agent does not make it two articles
        number=finished.number,
        actor=org.agent_a,
        problem="断网",
        cause="端口老化",
        solution="换端口",
        lesson="每月巡检",
    )
    shared, _in_use = shared_knowledge(agent_ids=[org.agent_a.pk], month_from=month, month_to=month)
    assert shared[org.agent_a.pk].articles == 1


def test_the_handlers_answer_clears_their_question_and_a_handler_who_left_cannot_be_asked(
    org, finished, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = propose(org, finished)
    asked = StaffNotification.objects.get(user=org.agent_a, kind="learning_consent")
    assert asked.read_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=False, note="客户能认出是谁")
    asked.refresh_from_db()
    assert asked.read_at is not None  # answered: no longer waiting among their unread notices
    told = StaffNotification.objects.get(user=org.manager, kind="learning_consent_answer")
    assert "不同意" in told.title and told.body == "客户能认出是谁"
    # The supervisor sees what they chose and its state until it is published.
    assert selectors.training_cases_proposed_by(user=org.manager) == [case]
    assert selectors.training_cases_proposed_by(user=org.agent_a) == []

    other = handling_case(org.agent_b)
    resolve(org.agent_b, other.number)
    org.agent_b.is_active = False
    org.agent_b.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput) as caught:
        propose(org, other)
    assert caught.value.fields == {"number": ["这件投诉的经办人账号已停用，无法征得同意"]}


def test_removing_needs_the_source_case_in_ones_units_and_tells_handler_and_curator(
    org, finished, django_capture_on_commit_callbacks
):
    case = propose(org, finished)
    services.training_case_consent(case_id=case.pk, actor=org.agent_a, agree=True)
    south = orgunit_create(code="SZ", name="深圳分公司", kind="branch", parent=org.hq)
    far_manager = org.user("manager_sz", Role.BUSINESS_MANAGER, south)
    assert selectors.training_cases_published(user=far_manager) == [case]  # the library is for everyone
    with pytest.raises(PermissionDenied):
        services.training_case_remove(case_id=case.pk, actor=far_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_case_remove(case_id=case.pk, actor=org.executive)
    assert not TrainingCase.objects.exists()
    told = StaffNotification.objects.filter(kind="learning_removed")
    assert sorted(n.user_id for n in told) == sorted([org.agent_a.pk, org.manager.pk])
    assert all("已从案例库撤下" in n.title for n in told)


def test_a_supervisor_reads_the_logs_of_their_units_by_person_and_day(org):
    south = orgunit_create(code="SZ", name="深圳分公司", kind="branch", parent=org.hq)
    far_agent = org.user("agent_sz", Role.AGENT, south)
    services.service_log_write(actor=org.agent_a, went_well="安抚了客户", to_improve="")
    services.service_log_write(actor=far_agent, went_well="深圳的日志", to_improve="")
    yesterday = local_today() - dt.timedelta(days=1)
    services.service_log_write(actor=org.agent_b, went_well="昨天的", to_improve="", day=yesterday)
    assert {e.agent_id for e in selectors.service_logs_readable(reader=org.manager)} == {
        org.agent_a.pk,
        org.agent_b.pk,
    }  # not Shenzhen's
    assert [e.agent_id for e in selectors.service_logs_readable(reader=org.manager, day=yesterday)] == [
        org.agent_b.pk
    ]
    assert far_agent not in selectors.log_agents_for(reader=org.manager)
    manager = Client()
    manager.force_login(org.manager)
    page = manager.get("/learning/log/", {"day": yesterday.isoformat()}).content.decode()
    assert "昨天的" in page and "安抚了客户" not in page and "深圳的日志" not in page
    page = manager.get(f"/learning/log/?agent={far_agent.pk}").content.decode()
    assert "深圳的日志" not in page
    assert manager.get("/learning/log/?day=2026-02-31").status_code == 200  # no such day: no filter, no error
