"""Portal services: filing, one-time codes (expiry, single use, attempts, contact), and what a verified
customer can do — add information, object (有异议 → escalation), withdraw — as the web channel."""

import datetime as dt

import pytest
from django.core import mail

from complaintdesk.accounts.models import SystemUser
from complaintdesk.accounts.system import system_user
from complaintdesk.channels.base import IncomingFile
from complaintdesk.channels.web import WebFormAdapter
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.complaints.services import complaint_add_note, complaint_transition
from complaintdesk.escalation.models import EscalationHandOff, HandOffTrigger
from complaintdesk.escalation.services import complaint_object
from complaintdesk.portal import selectors, services
from complaintdesk.portal.models import AccessCode, AccessGrant
from complaintdesk.testing import resolve

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200


def test_the_web_form_files_a_complaint_as_the_web_channel(filed, org):
    assert filed.channel == "web" and filed.org_unit == org.store_a
    assert filed.customer.phone == "+8613800138000" and filed.demand == "尽快修好，并减免本月月租"
    assert filed.occurred_at.isoformat() == "2026-11-20T20:00:00+08:00"
    created = ComplaintEvent.objects.get(complaint=filed, kind=EventKind.CREATED)
    assert created.actor.username == "channel-web"


def test_the_demand_is_asked_for_and_nothing_is_written_without_it(org, form_data):
    message = WebFormAdapter().parse(dict(form_data, demand="  "))
    with pytest.raises(InvalidInput) as error:
        services.portal_complaint_file(message=message)
    assert set(error.value.fields) == {"demand"}
    assert not Complaint.objects.exists() and not Customer.objects.exists()


def test_html_in_every_text_field_is_stored_as_the_text_it_is(org, form_data):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    texts = {
        name: f"{name} {script}"
        for name in ("title", "description", "demand", "place", "product", "people_involved")
    }
    message = WebFormAdapter().parse(dict(form_data, name=f"王{script}"[:100], **texts))
    complaint = services.portal_complaint_file(message=message).complaint
    complaint.refresh_from_db()
    for name, value in texts.items():
        assert getattr(complaint, name) == value[:200] or getattr(complaint, name) == value
    assert complaint.customer.name.startswith("王<script>")


def test_a_code_goes_to_the_phone_on_file_and_only_its_hash_is_kept(filed, outbox):
    request = services.portal_code_request(number=filed.number.lower(), contact="+86 138-0013-8000")
    [sms] = outbox.codes_sms()
    code = outbox.last_sms_code()
    assert sms["to"] == "+8613800138000" and filed.number in sms["body"] and sms["body"].startswith("【")
    row = AccessCode.objects.get()
    assert row == request.code and row.delivered and row.recipient_masked == "138****8000"
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)
    stored = " ".join(str(value) for value in AccessCode.objects.values_list().get())
    assert code not in stored


def test_a_code_can_go_to_the_email_on_file(filed):
    services.portal_code_request(number=filed.number, contact="Wang.Li@Example.com", language="en")
    [message] = mail.outbox
    assert message.to == ["wang.li@example.com"] and filed.number in message.subject
    assert "valid for 10 minutes" in message.body


@pytest.mark.parametrize("contact", ["13900139000", "other@example.com"])
def test_another_contact_or_an_unknown_number_gets_nothing_and_the_same_answer(filed, outbox, contact):
    assert services.portal_code_request(number=filed.number, contact=contact).code is None
    assert services.portal_code_request(number="TS20990101000001", contact="13800138000").code is None
    assert outbox.codes_sms() == [] and mail.outbox == [] and not AccessCode.objects.exists()


def test_a_contact_that_is_neither_phone_nor_email_is_a_field_error(filed):
    with pytest.raises(InvalidInput) as error:
        services.portal_code_request(number="", contact="12345")
    assert set(error.value.fields) == {"number", "contact"}


def test_the_code_verifies_once_and_grants_that_case_for_30_minutes(filed, outbox, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC), tick=False)
    services.portal_code_request(number=filed.number, contact="13800138000")
    code = outbox.last_sms_code()
    verified = services.portal_code_verify(number=filed.number, code=f" {code[:3]} {code[3:]} ")
    grant = verified.grant
    assert grant.complaint == filed and grant.expires_at - grant.created_at == dt.timedelta(minutes=30)
    assert grant.key_hash != verified.token
    assert selectors.portal_grant_find(number=filed.number, token=verified.token) == grant
    # Single use.
    with pytest.raises(InvalidInput) as error:
        services.portal_code_verify(number=filed.number, code=code)
    assert error.value.fields == {"code": ["验证码不正确或已失效，请重新获取"]}
    # The grant covers that case only, and ends.
    other = services.portal_complaint_file(
        message=WebFormAdapter().parse(
            {
                "name": "李先生",
                "phone": "13900139000",
                "title": "快递丢件",
                "description": "没收到",
                "demand": "赔偿",
            }
        )
    ).complaint
    assert selectors.portal_grant_find(number=other.number, token=verified.token) is None
    assert selectors.portal_grant_find(number=filed.number, token="not-the-token") is None
    time_machine.move_to(dt.datetime(2026, 11, 24, 2, 30, 1, tzinfo=dt.UTC), tick=False)
    assert selectors.portal_grant_find(number=filed.number, token=verified.token) is None
    with pytest.raises(services.AccessExpired):
        services.portal_message_add(grant=grant, text="还在吗")


def test_a_code_expires_after_10_minutes(filed, outbox, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC), tick=False)
    services.portal_code_request(number=filed.number, contact="13800138000")
    time_machine.move_to(dt.datetime(2026, 11, 24, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    with pytest.raises(InvalidInput):
        services.portal_code_verify(number=filed.number, code=outbox.last_sms_code())
    row = AccessCode.objects.get()
    assert row.voided_at is not None and row.used_at is None and not AccessGrant.objects.exists()


def test_five_wrong_tries_kill_the_code(filed, outbox):
    services.portal_code_request(number=filed.number, contact="13800138000")
    code = outbox.last_sms_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        with pytest.raises(InvalidInput):
            services.portal_code_verify(number=filed.number, code=wrong)
    row = AccessCode.objects.get()
    assert row.attempts == 5 and row.voided_at is not None
    with pytest.raises(InvalidInput):
        services.portal_code_verify(number=filed.number, code=code)
    assert not AccessGrant.objects.exists()


def test_asking_again_voids_the_older_code(filed, outbox):
    services.portal_code_request(number=filed.number, contact="13800138000")
    first = outbox.last_sms_code()
    services.portal_code_request(number=filed.number, contact="13800138000")
    second = outbox.last_sms_code()
    if first != second:
        with pytest.raises(InvalidInput):
            services.portal_code_verify(number=filed.number, code=first)
    assert services.portal_code_verify(number=filed.number, code=second).grant.complaint == filed


def test_a_malformed_code_is_a_field_error_and_costs_no_attempt(filed, outbox):
    services.portal_code_request(number=filed.number, contact="13800138000")
    with pytest.raises(InvalidInput) as error:
        services.portal_code_verify(number=filed.number, code="12ab")
    assert error.value.fields == {"code": ["请输入 6 位数字验证码"]}
    assert AccessCode.objects.get().attempts == 0


def test_nothing_of_the_case_is_shown_before_verification(filed):
    assert selectors.portal_grant_find(number=filed.number, token="") is None
    assert selectors.portal_grant_find(number=filed.number, token="guess") is None


def test_adding_information_appends_a_customer_message_from_the_web(verified, org):
    result = services.portal_message_add(
        grant=verified.grant,
        text="光猫照片见附件",
        files=[IncomingFile(name="光猫.png", content=PNG, declared_type="image/png")],
    )
    event = result.event
    assert (event.kind, event.field, event.new_value) == (EventKind.CUSTOMER_MESSAGE, "web", "光猫照片见附件")
    assert event.actor.username == "channel-web"
    assert list(Attachment.objects.values_list("original_name", "channel")) == [("光猫.png", "web")]


def test_a_refused_file_writes_nothing(verified):
    before = ComplaintEvent.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.portal_message_add(
            grant=verified.grant,
            text="发票见附件",
            files=[IncomingFile(name="发票.pdf", content=EXE, declared_type="application/pdf")],
        )
    assert "可执行" in error.value.fields["files.0"][0]
    assert ComplaintEvent.objects.count() == before and not Attachment.objects.exists()


def test_the_public_view_shows_no_internal_notes_or_staff(verified, org):
    complaint = verified.grant.complaint
    complaint_add_note(number=complaint.number, actor=org.agent_a, text="内部：客户情绪激动，注意话术")
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    view = selectors.portal_case_view(
        grant=selectors.portal_grant_find(number=complaint.number, token=verified.token)
    )
    texts = " ".join(f"{e.title} {e.text}" for e in view.timeline)
    assert "内部" not in texts and "agent_a" not in texts
    assert "已受理" in texts and view.status_label == "已受理" and view.contact == "138****8000"
    assert view.can_withdraw and not view.can_object


def _resolved(complaint, org):
    for status in ("accepted", "handling"):
        complaint_transition(number=complaint.number, actor=org.agent_a, to=status)
    resolve(org.agent_a, complaint.number)


def test_an_objection_before_a_result_is_refused_and_writes_nothing(verified):
    before = ComplaintEvent.objects.count()
    with pytest.raises(InvalidInput):
        services.portal_objection(grant=verified.grant, reason="不满意")
    assert ComplaintEvent.objects.count() == before and not EscalationHandOff.objects.exists()


def test_an_objection_to_the_result_escalates_the_case(verified, org):
    complaint = verified.grant.complaint
    _resolved(complaint, org)
    assert selectors.portal_case_view(grant=verified.grant).can_object
    hand_off = services.portal_objection(grant=verified.grant, reason="只减免了一半月租，不接受")
    complaint.refresh_from_db()
    assert complaint.status == "escalated"
    assert hand_off.trigger == HandOffTrigger.OBJECTION and hand_off.reason == "只减免了一半月租，不接受"
    # What the customer said, on the web, as theirs; then the ladder's objection and escalation.
    said = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.CUSTOMER_MESSAGE).get()
    assert (said.actor.username, said.field, said.new_value) == (
        "channel-web",
        "web",
        "只减免了一半月租，不接受",
    )
    objection = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CUSTOMER_OBJECTION)
    assert objection.new_value == "只减免了一半月租，不接受" and objection.id > said.id
    assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1
    view = selectors.portal_case_view(grant=verified.grant)
    assert [e.title for e in view.timeline if e.text == "只减免了一半月租，不接受"] == [
        "您对处理结果提出了异议"
    ]
    assert view.status == "escalated" and not view.can_object


def test_withdraw_while_open_then_not_again(verified):
    complaint = services.portal_withdraw(grant=verified.grant, reason="问题已自行解决")
    assert complaint.status == "withdrawn" and not complaint.is_open
    withdrew = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CUSTOMER_WITHDREW)
    transition = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.TRANSITION)
    assert withdrew.actor.username == transition.actor.username == "channel-web"
    assert "问题已自行解决" in transition.reason
    with pytest.raises(InvalidInput):
        services.portal_withdraw(grant=verified.grant)
    view = selectors.portal_case_view(grant=verified.grant)
    assert not view.can_withdraw and not view.can_object


def test_an_objection_the_ladder_refuses_leaves_no_trace(verified, org):
    complaint = verified.grant.complaint
    _resolved(complaint, org)
    for level in range(1, 6):  # up to the external level, recorded by staff
        complaint_object(
            number=complaint.number, actor=system_user(SystemUser.ESCALATION), reason=f"第{level}次异议"
        )
    resolve(system_user(SystemUser.ESCALATION), complaint.number)
    before = ComplaintEvent.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.portal_objection(grant=verified.grant, reason="仍然不接受")
    assert "level" in error.value.fields
    assert ComplaintEvent.objects.count() == before


def test_a_new_case_reads_registered_not_waiting_for_acceptance(verified):
    """The acknowledgement tells the customer "您的投诉已受理"; the page they open from its link must not
    answer "待受理" (the staff's word for a case nobody has taken yet)."""
    complaint = verified.grant.complaint
    assert complaint.status == "new"
    view = selectors.portal_case_view(
        grant=selectors.portal_grant_find(number=complaint.number, token=verified.token)
    )
    assert view.status_label == "已登记，等待处理"
    assert "待受理" not in " ".join(f"{e.title} {e.text}" for e in view.timeline)
