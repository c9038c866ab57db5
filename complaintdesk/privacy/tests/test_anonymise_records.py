"""An expired case's personal data goes from its timeline and from the records the other apps keep about it
(their steps in `common.anonymisation`), while its timeline still verifies and its statistics count the
same: issue 15 item 6."""

import datetime as dt
import decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, TestCase

from complaintdesk.analytics.models import ComplaintFact, MonthlyRollup
from complaintdesk.analytics.services import analytics_rebuild
from complaintdesk.archive.models import ArchiveEntry, CaseSummary, KnowledgeArticle
from complaintdesk.archive.services import archive_index_complaint
from complaintdesk.channels.models import InboundEmail
from complaintdesk.common.anonymisation import case_anonymise_steps, retention_steps
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.services import (
    IntakeCustomer,
    complaint_add_customer_message,
    complaint_add_note,
)
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import chain_rows, chains_verify
from complaintdesk.dispatch.models import WorkOrder
from complaintdesk.escalation.models import EscalationHandOff, ExternalReferral
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.intelligence.models import ComplaintInsight, EmotionLabel, InsightCorrection
from complaintdesk.learning.models import TrainingCase
from complaintdesk.outreach.models import Incident, IncidentLink, OutreachMessage
from complaintdesk.privacy.services import cases_anonymise
from complaintdesk.privacy.tasks import anonymise_expired
from complaintdesk.regulation.models import StatutoryExtension
from complaintdesk.solutions.models import ApprovalRequest, Remedy, SolutionOption, SolutionProposal
from complaintdesk.surveys.models import FollowUp, FollowUpAttempt, ResultFeedback, SurveyAnswer
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "张伟明", "13912345678", "zhang.wm@example.com"
ID_NUMBER, ADDRESS = "110101199003071234", "上海市浦东新区幸福里18号1502户"
# Everything that identifies the customer, as it may appear in a text.
PERSONAL = (NAME, PHONE, "139 1234 5678", EMAIL, ID_NUMBER, "幸福里18号")
SAID = f"我是{NAME}，电话 {PHONE}，邮箱 {EMAIL}，身份证 {ID_NUMBER}，住{ADDRESS}"
EXPIRED_DAYS = 3 * 365 + 5


def _holds_personal_data(text: str) -> list[str]:
    return [value for value in PERSONAL if value in (text or "")]


def _expired_case(org) -> Complaint:
    """A case whose timeline quotes the customer (intake, a customer message, a note), then closed long ago."""
    customer = IntakeCustomer(name=NAME, phone=PHONE, email=EMAIL)
    case = intake(org.agent_a, customer=customer, description=SAID, title=f"{NAME}宽带断网")
    complaint_add_customer_message(number=case.number, actor=org.agent_a, text=SAID, channel="phone")
    complaint_add_note(
        number=case.number, actor=org.agent_a, text=f"已回电 139 1234 5678，{NAME}说住{ADDRESS}"
    )
    closed = now() - dt.timedelta(days=EXPIRED_DAYS)
    Complaint.objects.filter(pk=case.pk).update(status=Status.CLOSED, is_open=False, closed_at=closed)
    case.refresh_from_db()
    return case


def test_no_event_of_an_anonymised_case_holds_personal_data_and_the_chain_still_verifies(org, capsys):
    case = _expired_case(org)
    events = list(ComplaintEvent.objects.filter(complaint=case).values_list("new_value", flat=True))
    assert (
        sum(bool(_holds_personal_data(text)) for text in events) >= 2
    )  # the message and the note quote them

    run = cases_anonymise()

    assert run.cases == 1
    for event in ComplaintEvent.objects.filter(complaint=case):
        for text in (event.old_value, event.new_value, event.reason):
            assert not _holds_personal_data(text), (event.get_kind_display(), text)
    redacted = ComplaintEvent.objects.filter(complaint=case, redacted_at__isnull=False)
    assert redacted.count() >= 2 and all(event.redaction_seal for event in redacted)
    assert "139****5678" in redacted.filter(kind="customer_message").get().new_value  # masked, not gone
    report = chains_verify(chain_rows(complaint_ids=[case.pk]))
    assert report.broken is None and report.events == ComplaintEvent.objects.filter(complaint=case).count()
    call_command("timeline_verify", case.number)
    assert "timeline intact" in capsys.readouterr().out
    # The last event says in words what happened, counting the redacted events.
    last = ComplaintEvent.objects.filter(complaint=case).order_by("-id").first()
    assert f"处理记录中 {redacted.count()} 条已去除个人信息" in last.new_value
    # A second run redacts nothing again and the chain still holds.
    before = list(
        ComplaintEvent.objects.filter(complaint=case).values_list("id", "new_value", "redaction_seal")
    )
    cases_anonymise()
    assert (
        list(ComplaintEvent.objects.filter(complaint=case).values_list("id", "new_value", "redaction_seal"))
        == before
    )


def test_the_statistics_count_the_anonymised_case_as_before(org):
    case = _expired_case(org)
    analytics_rebuild()
    fact_fields = [f.attname for f in ComplaintFact._meta.concrete_fields if f.attname != "computed_at"]
    fact = ComplaintFact.objects.filter(complaint=case).values(*fact_fields).get()
    rollups = list(MonthlyRollup.objects.order_by("pk").values())

    cases_anonymise()
    analytics_rebuild()  # computed again from the anonymised case and its redacted timeline

    assert ComplaintFact.objects.filter(complaint=case).values(*fact_fields).get() == fact
    assert [
        {k: v for k, v in row.items() if k != "id"} for row in MonthlyRollup.objects.order_by("pk").values()
    ] == [{k: v for k, v in row.items() if k != "id"} for row in rollups]


def test_every_app_that_keeps_texts_about_a_case_has_registered_its_step():
    names = {name for name, _step in case_anonymise_steps()}
    assert {
        "regulation", "regulation-extensions", "archive", "surveys", "solutions", "dispatch", "escalation",
        "quality", "channels", "inbox", "intelligence", "intelligence-labels", "learning", "outreach",
    } <= names  # fmt: skip
    # An incident's messages and care messages (no case), by the same daily job.
    assert "outreach" in {name for name, _step in retention_steps()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_other_apps_texts_about_the_case_lose_the_personal_data(org, media):
    case = _expired_case(org)
    at = case.closed_at
    quote = f"{NAME}（{PHONE}）"
    feedback = ResultFeedback.objects.create(
        complaint=case, cause=f"{NAME}家光缆断", measures=f"上门到{ADDRESS}", outcome="已修复", channel="sms",
        language="zh-hans", message=f"{NAME}您好，已修复，有问题请回电 {PHONE}", sent_by=org.agent_a, sent_at=at,
    )  # fmt: skip
    answer = SurveyAnswer.objects.create(
        complaint=case, org_unit=case.org_unit, stars=2, answered_at=at, comment=f"我是{NAME}，再打{PHONE}"
    )
    follow_up = FollowUp.objects.create(
        complaint=case, org_unit=case.org_unit, resolved_at=at, due_at=at, created_at=at, close_note=quote
    )
    attempt = FollowUpAttempt.objects.create(
        follow_up=follow_up, at=at, actor=org.agent_a, reached=True, outcome="satisfied", note=f"拨打 {PHONE}"
    )
    proposal = SolutionProposal.objects.create(
        complaint=case, proposed_by=org.agent_a, proposed_at=at, status="accepted", updated_at=at,
        note=f"给{quote}减免", customer_note=f"{NAME}同意",
    )  # fmt: skip
    remedy = Remedy.objects.first() or Remedy.objects.create(code="waiver", name="减免")
    option = SolutionOption.objects.create(
        proposal=proposal, label="A", remedy=remedy, description=f"送到{ADDRESS}"
    )
    approval = ApprovalRequest.objects.create(
        proposal=proposal, complaint=case, level_position=1, requested_at=at, amount=decimal.Decimal("50"),
        due_at=at, reason=f"{NAME}是老客户，身份证 {ID_NUMBER}",
    )  # fmt: skip
    order = WorkOrder.objects.create(
        complaint=case, department=case.org_unit, instructions=f"联系{quote}，上门{ADDRESS}", due_working_days=2,
        created_by=org.agent_a, created_at=at, due_at=at, updated_at=at, result=f"已联系 {EMAIL}",
    )  # fmt: skip
    summary = CaseSummary.objects.create(
        complaint=case, version=1, problem=f"{quote}断网", cause="光缆断", solution=f"到{ADDRESS}修复",
        lesson="及时回电", written_by=org.agent_a, written_at=at,
    )  # fmt: skip
    archive_index_complaint(complaint=case)
    assert _holds_personal_data(ArchiveEntry.objects.get(complaint=case).text)
    article = KnowledgeArticle.objects.create(
        title="断网处理",
        body=f"案例：{quote}",
        source_complaint=case,
        promoted_by=org.agent_a,
        status="draft",
        created_at=at,
        updated_at=at,
    )
    raw = default_storage.save("mail/2023/01/abc.eml", ContentFile(SAID.encode()))
    mail = InboundEmail.objects.create(
        external_id="<m1@example.com>", sender=EMAIL, subject=f"{NAME}投诉", polled_at=at, outcome="opened",
        sha256="0" * 64, complaint=case, raw=raw, reason=f"来自 {EMAIL}",
    )  # fmt: skip
    notice = StaffNotification.objects.create(
        user=org.agent_a, kind="case_assigned", title=f"{NAME}的投诉", body=SAID, language="zh-hans",
        created_at=at, complaint_id=case.pk, case_number=case.number,
    )  # fmt: skip

    hand_off = EscalationHandOff.objects.create(
        complaint=case, at=at, trigger="manual", direction="up", from_level_position=1, to_level_position=2,
        reason=f"{NAME}情绪激动", instructions=f"今天回电 {PHONE}",
    )  # fmt: skip
    referral = ExternalReferral.objects.create(
        complaint=case,
        body="12315",
        received_at=at,
        created_at=at,
        updated_at=at,
        outcome_note=f"{NAME}已撤回",
    )
    extension = StatutoryExtension.objects.create(
        complaint=case, amount=30, reason=f"需核实{NAME}的身份证 {ID_NUMBER}", approved_by=org.executive,
        approver_role="executive", approved_at=at,
    )  # fmt: skip

    insight = ComplaintInsight.objects.create(
        complaint=case, created_at=at, suggested_category_code="network_quality", category_confidence=0.8,
        category_explanation=["断网", NAME[:2], PHONE], emotion_cues=[{"kind": "anger", "text": f"{NAME}气死了", "weight": 2.0}],
        severity_reasons=[{"rule": "perceived", "points": 2, "detail": quote}], explanation=f"{quote}情绪激动",
        severity_score=5,
    )  # fmt: skip
    correction = InsightCorrection.objects.create(
        complaint=case, insight=insight, field="emotion", suggested="calm", corrected="angry",
        reason=f"{NAME}骂人了", corrected_by=org.agent_a, created_at=at,
    )  # fmt: skip
    label = EmotionLabel.objects.create(complaint=case, text=SAID, level="angry", created_at=at)
    training = TrainingCase.objects.create(
        complaint=case, kind="good", title="断网安抚", lesson="先道歉", narrative="客户【姓名】断网",
        handler=org.agent_a, curated_by=org.agent_a, created_at=at, consent_note=f"同意，{NAME}的事处理得好",
    )  # fmt: skip
    # An incident explained the case and told its customer before; it was resolved as long ago as the case.
    incident = Incident.objects.create(
        title="光缆中断", explanation="光缆被挖断", accounts=[PHONE], starts_at=at, declared_at=at, updated_at=at,
        status="resolved", resolved_at=at,
    )  # fmt: skip
    link = IncidentLink.objects.create(
        incident=incident, complaint=case, linked_at=at, feedback_note=f"已短信告知 {PHONE}"
    )
    message = OutreachMessage.objects.create(
        customer=case.customer, purpose="notice", incident=incident, channel="sms", recipient=PHONE,
        language="zh-hans", status="sent", created_at=at, sent_at=at, last_error=f"{PHONE} 暂时无法接收",
        body=f"光缆被挖断。不想再收到这类通知，点此退订：http://localhost/portal/stop/{case.customer_id}.n:Xy-z/",
    )  # fmt: skip

    with TestCase.captureOnCommitCallbacks(execute=True):
        totals = anonymise_expired()  # the daily job: the cases, then the incidents' messages
    assert totals["cases"] == 1 and totals["outreach"]["messages"] == 1

    rows = [
        (feedback, ("cause", "measures", "message")), (answer, ("comment",)), (follow_up, ("close_note",)),
        (attempt, ("note",)), (proposal, ("note", "customer_note")), (option, ("description",)),
        (approval, ("reason",)), (order, ("instructions", "result")), (summary, ("problem", "solution")),
        (article, ("body",)), (mail, ("sender", "subject", "reason")), (notice, ("title", "body")),
        (hand_off, ("reason", "instructions")), (referral, ("outcome_note",)), (extension, ("reason",)),
        (insight, ("category_explanation", "emotion_cues", "severity_reasons", "explanation")),
        (correction, ("reason",)), (label, ("text",)), (training, ("consent_note",)), (link, ("feedback_note",)),
        (message, ("recipient", "last_error")), (incident, ("accounts",)),
    ]  # fmt: skip
    for row, fields in rows:
        row.refresh_from_db()
        for name in fields:
            assert not _holds_personal_data(str(getattr(row, name))), (
                type(row).__name__,
                name,
                getattr(row, name),
            )
    assert "139****5678" in feedback.message  # masked where it stood
    # The opt-out link's token named the customer.
    assert f"/stop/{case.customer_id}." not in message.body and "光缆被挖断" in message.body
    assert not _holds_personal_data(ArchiveEntry.objects.get(complaint=case).text)
    assert not _holds_personal_data(ArchiveEntry.objects.get(complaint=case).segmented)
    assert mail.raw.name == "" and not default_storage.exists(raw)  # the original mail is gone
    # What the figures read stays: the stars, the amounts, the outcome, the order's department and times.
    assert (answer.stars, approval.amount, attempt.outcome, order.department_id) == (
        2, decimal.Decimal("50"), "satisfied", case.org_unit_id,
    )  # fmt: skip


def test_the_case_page_of_an_anonymised_case_shows_no_personal_data_even_to_a_role_that_sees_it_whole(org):
    case = _expired_case(org)
    client = Client()
    client.force_login(org.executive)  # sees phone and e-mail whole on a live case
    before = client.get(f"/complaints/{case.number}/").content.decode()
    assert PHONE in before and NAME in before
    cases_anonymise()
    page = client.get(f"/complaints/{case.number}/").content.decode()
    assert not _holds_personal_data(page)
    assert "保存期满，此记录中的个人信息已去除" in page and "已去除个人信息" in page


def test_the_page_and_the_api_of_an_anonymised_case_hide_a_customer_kept_for_a_live_case(org, api_for):
    case = _expired_case(org)
    live = intake(org.agent_a, customer=IntakeCustomer(name=NAME, phone=PHONE, email=EMAIL), title="又断网了")
    assert live.customer_id == case.customer_id
    assert cases_anonymise().customers == 0  # the record keeps its details for the live case
    client = Client()
    client.force_login(org.executive)
    page = client.get(f"/complaints/{case.number}/").content.decode()
    assert not _holds_personal_data(page), [v for v in PERSONAL if v in page]
    assert "（已匿名化）" in page and live.number not in page  # no link to the customer's other cases
    assert (
        "139 1234 5678" in client.get(f"/complaints/{live.number}/").content.decode()
    )  # the live case as before
    answer = api_for(org.executive).get(f"/complaints/{case.number}")
    assert answer.status_code == 200 and answer.json()["customer"]["name"] == "（已匿名化）"
    assert not _holds_personal_data(answer.content.decode())
