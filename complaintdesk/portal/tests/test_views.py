"""The portal's pages through Django's test client: filing, the acknowledgement, per-field errors in the
visitor's language with nothing written, escaping, tracking without revealing anything, the case page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaintdesk.common.time import local_zone
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.complaints.services import IntakeCustomer, complaint_add_note, complaint_transition
from complaintdesk.notifications.services import notification_send
from complaintdesk.portal.models import AccessCode
from complaintdesk.surveys.models import FollowUp, ResultFeedback
from complaintdesk.testing import intake, resolve

from .conftest import FORM, result_told, verify

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200
SCRIPT = '<script>alert("x")</script>'


def _file(client: Client, **overrides):
    return client.post("/portal/", {**FORM, **overrides})


def test_the_form_is_chinese_first_and_english_on_request(org):
    html = Client().get("/portal/").content.decode()
    assert '<html lang="zh-hans">' in html and "我要投诉" in html and "您的诉求：希望我们如何处理" in html
    assert 'name="viewport"' in html and "徐汇门店" in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/").content.decode()
    assert '<html lang="en">' in english and "File a complaint" in english and "我要投诉" not in english


def test_each_language_is_offered_in_its_own_name(org):
    # A visitor who reads only English finds "English" on the Chinese page, not "英语"; and the reverse.
    chinese = Client().get("/portal/").content.decode()
    assert '<option value="en">English</option>' in chinese and "英语" not in chinese
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/").content.decode()
    assert '<option value="zh-hans">简体中文</option>' in english


def test_filing_shows_the_acknowledgement_to_this_visitor_only(org):
    client = Client()
    response = _file(client)
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/filed/{complaint.number}/"
    html = client.get(response["Location"]).content.decode()
    assert complaint.number in html and "接下来会怎样" in html and "处理完成时限" in html
    assert html.count("<li>") >= 3  # the next steps
    # Another visitor who guesses the address is sent to tracking, and sees nothing of the case.
    other = Client().get(f"/portal/filed/{complaint.number}/")
    assert other.status_code == 302 and other["Location"].startswith("/portal/track/")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "电话号码无效，请检查位数和区号"),
        ("en", "Invalid phone number; please check the number of digits and the area code"),
    ],
)
def test_an_invalid_phone_is_a_field_error_in_the_visitors_language_and_writes_nothing(
    org, language, message
):
    response = _file(Client(HTTP_ACCEPT_LANGUAGE=language), phone="12345", email="")
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_phone_errors"><li>' + re.escape(message), html)
    assert not Complaint.objects.exists() and not Customer.objects.exists()


def test_several_bad_fields_are_each_named(org):
    response = _file(Client(), title="", description="", occurred_at="昨天晚上")
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_occurred_at_errors"' in html
    response = _file(Client(), title="", description="", email="not-an-email", phone="")
    html = response.content.decode()
    for field in ("title", "description", "email"):
        assert f'id="id_{field}_errors"' in html, field
    assert not Complaint.objects.exists()


def test_an_executable_claiming_to_be_a_pdf_is_refused_and_nothing_is_written(org):
    upload = SimpleUploadedFile("发票.pdf", EXE, content_type="application/pdf")
    response = Client().post("/portal/", {**FORM, "files": [upload]})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_files_errors"' in html and "发票.pdf：" in html and "可执行" in html
    assert (
        not Complaint.objects.exists() and not Attachment.objects.exists() and not Customer.objects.exists()
    )


def test_html_in_every_text_field_is_stored_as_text_and_shown_escaped(org, outbox):
    texts = {
        name: f"{SCRIPT} {name}"
        for name in ("title", "description", "demand", "place", "product", "people_involved")
    }
    client = Client()
    response = _file(client, name=f"王{SCRIPT}", **texts)
    complaint = Complaint.objects.get()
    for name, value in texts.items():
        assert getattr(complaint, name) == value
    assert complaint.customer.name == f"王{SCRIPT}"
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in html
    verify(client, complaint.number, outbox)
    client.post(f"/portal/case/{complaint.number}/message/", {"text": f"补充 {SCRIPT}"})
    html = client.get(f"/portal/case/{complaint.number}/").content.decode()
    assert "<script>alert" not in html and html.count("&lt;script&gt;alert") >= 3
    # And a bad form is re-shown with what was typed, escaped.
    html = _file(Client(), phone="1", title=SCRIPT).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_tracking_answers_the_same_whatever_the_number_or_contact(filed, outbox):
    answers = []
    for number, contact in (
        (filed.number, "13900139000"),
        ("TS20990101000001", "13800138000"),
        (filed.number, "13800138000"),
    ):
        client = Client()
        response = client.post("/portal/track/", {"number": number, "contact": contact})
        page = client.get(response["Location"]).content.decode()
        answers.append(
            (
                response.status_code,
                response["Location"].replace(number, "N"),
                page.replace(number, "N").replace(
                    re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', page)[0], ""
                ),
            )
        )
    assert answers[0] == answers[1] == answers[2]
    assert len(outbox.codes_sms()) == 1 and AccessCode.objects.count() == 1


def test_no_detail_of_the_case_before_the_code_is_verified(filed, outbox):
    client = Client()
    response = client.get(f"/portal/case/{filed.number}/")
    assert response.status_code == 302 and response["Location"] == f"/portal/track/?number={filed.number}"
    client.post("/portal/track/", {"number": filed.number, "contact": "13800138000"})
    wrong = client.post(
        "/portal/track/verify/",
        {"number": filed.number, "code": "000000" if outbox.last_sms_code() != "000000" else "111111"},
    )
    assert wrong.status_code == 422 and "验证码不正确或已失效" in wrong.content.decode()
    assert FORM["title"] not in wrong.content.decode()
    assert client.get(f"/portal/case/{filed.number}/").status_code == 302


def test_the_case_page_after_verification(filed, outbox, org):
    complaint_add_note(number=filed.number, actor=org.agent_a, text="内部备注：客户情绪激动")
    complaint_transition(number=filed.number, actor=org.agent_a, to="accepted")
    client = Client()
    response = verify(client, filed.number, outbox)
    assert response.status_code == 302 and response["Location"] == f"/portal/case/{filed.number}/"
    html = client.get(response["Location"]).content.decode()
    for text in (
        filed.number,
        "已受理",
        FORM["title"],
        FORM["demand"],
        "处理完成时限",
        "补充信息",
        "撤回投诉",
    ):
        assert text in html, text
    assert "内部备注" not in html and "agent_a" not in html and "提出异议" not in html
    assert "13800138000" not in html and "138****8000" in html
    # Times as the messages say them: the day with its weekday, in the organisation's zone, no ISO date.
    local = filed.created_at.astimezone(local_zone())
    weekday = "一二三四五六日"[local.weekday()]
    assert f"{local.month}月{local.day}日（周{weekday}）{local:%H:%M}" in html
    assert f"{local:%Y-%m-%d}" not in html
    # The grant is this session's only.
    assert Client().get(f"/portal/case/{filed.number}/").status_code == 302


def test_adding_information_with_a_photo_then_a_refused_file(filed, outbox):
    client = Client()
    verify(client, filed.number, outbox)
    photo = SimpleUploadedFile("光猫.png", PNG, content_type="image/png")
    response = client.post(
        f"/portal/case/{filed.number}/message/", {"text": "光猫指示灯一直红色", "files": [photo]}
    )
    assert response.status_code == 302 and response["Location"].endswith("?done=message")
    html = client.get(response["Location"]).content.decode()
    assert "已收到您补充的信息" in html and "光猫指示灯一直红色" in html and "光猫.png" in html
    event = ComplaintEvent.objects.get(kind=EventKind.CUSTOMER_MESSAGE)
    assert event.actor.username == "channel-web" and event.field == "web"

    bad = SimpleUploadedFile("发票.pdf", EXE, content_type="application/pdf")
    response = client.post(f"/portal/case/{filed.number}/message/", {"text": "发票", "files": [bad]})
    assert response.status_code == 422 and "可执行" in response.content.decode()
    assert ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).count() == 1
    assert Attachment.objects.count() == 1


def test_object_to_the_result_on_the_page(filed, outbox, org):
    for status in ("accepted", "handling"):
        complaint_transition(number=filed.number, actor=org.agent_a, to=status)
    resolve(org.agent_a, filed.number)
    client = Client()
    verify(client, filed.number, outbox)
    html = client.get(f"/portal/case/{filed.number}/").content.decode()
    assert "提出异议" in html and 'id="withdraw"' not in html
    empty = client.post(f"/portal/case/{filed.number}/objection/", {"reason": " "})
    assert empty.status_code == 422 and 'id="id_reason_errors"' in empty.content.decode()
    response = client.post(f"/portal/case/{filed.number}/objection/", {"reason": "减免金额不对"})
    assert response.status_code == 302
    assert Complaint.objects.get().status == "escalated"


def test_withdraw_needs_the_confirmation(filed, outbox):
    client = Client()
    verify(client, filed.number, outbox)
    response = client.post(f"/portal/case/{filed.number}/withdraw/", {"reason": "已解决"})
    assert response.status_code == 422 and Complaint.objects.get().status == "new"
    response = client.post(f"/portal/case/{filed.number}/withdraw/", {"reason": "已解决", "confirm": "on"})
    assert response.status_code == 302
    assert Complaint.objects.get().status == "withdrawn"
    html = client.get(f"/portal/case/{filed.number}/").content.decode()
    assert "已撤诉" in html and 'id="withdraw"' not in html


def test_leaving_ends_the_access(filed, outbox):
    client = Client()
    verify(client, filed.number, outbox)
    client.post(f"/portal/case/{filed.number}/leave/")
    assert client.get(f"/portal/case/{filed.number}/").status_code == 302


def test_code_requests_are_limited_per_case_whatever_the_address(filed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal-code-case": "3/600"}
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{i}")
        .post("/portal/track/", {"number": filed.number, "contact": "13800138000"})
        .status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_code_entry_is_limited_per_address(filed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal-code-verify": "3/600"}
    client = Client()
    statuses = [
        client.post("/portal/track/verify/", {"number": filed.number, "code": "123456"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    limited = client.post("/portal/track/verify/", {"number": filed.number, "code": "123456"})
    assert limited["Retry-After"] and "操作太频繁了" in limited.content.decode()


def test_filing_is_limited_per_address(org, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal-file": "1/3600"}
    client = Client()
    assert _file(client).status_code == 302
    assert _file(client).status_code == 429
    assert Complaint.objects.count() == 1


def test_the_tracking_pages_speak_english(filed, outbox):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/portal/track/", {"number": filed.number, "contact": "12"})
    assert response.status_code == 422 and "Invalid phone number" in response.content.decode()
    client.post("/portal/track/", {"number": filed.number, "contact": "13800138000"})
    assert "valid for" in outbox.codes_sms()[-1]["body"]
    wrong = client.post("/portal/track/verify/", {"number": filed.number, "code": "12"})
    assert "Please enter the 6-digit code" in wrong.content.decode()
    assert verify(client, filed.number, outbox).status_code == 302
    html = client.get(f"/portal/case/{filed.number}/").content.decode()
    for text in ("Case number", "Your complaint", "History", "Add information", "Withdraw the complaint"):
        assert text in html, text
    local = filed.created_at.astimezone(local_zone())
    assert f"{local:%A} {local.day} {local:%B}, {local:%H:%M}" in html


def test_the_result_card_and_its_outcome_have_different_english_names(filed, outbox, org):
    # 处理结果 names both the card (原因 / 处理措施 / 处理结果 / 补偿) and its third part; in English the
    # card is the "Result" and the part its "Outcome", never both "Outcome".
    result_told(filed.number, org.agent_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    verify(client, filed.number, outbox)
    html = client.get(f"/portal/case/{filed.number}/").content.decode()
    card = re.search(r'<div class="card" id="result">(.*?)</div>', html, re.DOTALL).group(1)
    assert re.search(r"<h2>\s*Result\s*</h2>", card), card
    assert re.findall(r"<dt>(.*?)</dt>", card)[:3] == ["Reason", "Measures taken", "Outcome"], card


def test_accept_the_result_on_the_page(filed, outbox, org):
    client = Client()
    verify(client, filed.number, outbox)
    assert (
        'id="accept"' not in client.get(f"/portal/case/{filed.number}/").content.decode()
    )  # nothing told yet
    result_told(filed.number, org.agent_a)
    html = client.get(f"/portal/case/{filed.number}/").content.decode()
    assert 'id="accept"' in html and "提出异议" in html  # accept, or object
    response = client.post(f"/portal/case/{filed.number}/accept/", {"note": "谢谢，网络正常了"})
    assert response.status_code == 302 and response["Location"].endswith("?done=accept")
    html = client.get(response["Location"]).content.decode()
    assert "感谢您确认处理结果" in html and 'id="accept"' not in html
    assert Complaint.objects.get().status == "resolved"
    result = ResultFeedback.objects.get()
    assert result.confirmed_via == "portal" and result.confirmed_at is not None
    assert FollowUp.objects.filter(complaint__number=filed.number, state="open").exists()
    said = ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_MESSAGE).last()
    assert said.new_value == "谢谢，网络正常了" and said.actor.username == "channel-web"
    # Accepting twice is refused in words, not a crash.
    again = client.post(f"/portal/case/{filed.number}/accept/", {"note": ""})
    assert again.status_code == 422 and "收到处理结果后才能确认" in again.content.decode()


def test_the_result_on_the_page_is_whole_where_the_sms_shortened_it(
    filed, outbox, org, django_capture_on_commit_callbacks
):
    measures = "工程师已于今天上门，光缆已熔接修复，并更换了老化的光猫"
    compensation = "费用减免 128.00 元 减免本月宽带月租128元，并安排工程师明天上门检测"
    with django_capture_on_commit_callbacks(execute=True):
        result_told(
            filed.number,
            org.agent_a,
            cause="徐汇区一处光缆被施工挖断，晚高峰时段备用链路拥塞",
            measures=measures,
            outcome="宽带已恢复正常，晚高峰测速达到签约速率",
            compensation_text=compensation,
        )
    told = [line["body"] for line in outbox.sms() if line["template"] == "result"][-1]
    assert measures not in told  # the SMS had to shorten it …
    client = Client()
    verify(client, filed.number, outbox)
    html = client.get(f"/portal/case/{filed.number}/").content.decode()
    card = re.search(r'<div class="card" id="result">(.*?)</div>', html, re.DOTALL).group(1)
    for label, text in (("处理措施", measures), ("补偿", compensation)):  # … the page need not
        assert label in card and text in card, label
    assert "…" not in card


def test_the_link_in_an_english_message_opens_the_tracking_pages_in_english_on_a_chinese_phone(org, settings):
    settings.PUBLIC_BASE_URL = "https://cs.example.com"
    case = intake(org.agent_a, language="en", customer=IntakeCustomer(name="Ms Wang", phone="13900139000"))
    sms = notification_send(complaint=case, template_code="acknowledgement", channel="sms").body
    [link] = re.findall(r"https://cs\.example\.com(/\S+)", sms)
    assert link == f"/t/{case.number}/en"  # short: the SMS stays within its segments
    phone = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    response = phone.get(link, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(f"/portal/track/?number={case.number}&lang=en", 302)]
    assert "Track your case" in page and case.number in page and "查询办理进度" not in page
    assert f'value="{case.number}"' in page  # the number filled in
    # Asking for the code leads on to the next page, still in English.
    answer = phone.post("/portal/track/", {"number": case.number, "contact": "13900139000"}, follow=True)
    assert "Enter the code" in answer.content.decode() and "输入验证码" not in answer.content.decode()


def test_the_link_in_a_chinese_message_leaves_the_page_in_the_phones_language(org, settings):
    settings.PUBLIC_BASE_URL = "https://cs.example.com"
    case = intake(org.agent_a)
    sms = notification_send(complaint=case, template_code="acknowledgement", channel="sms").body
    [link] = re.findall(r"https://cs\.example\.com(/\S+)", sms)
    assert link == f"/t/{case.number}"
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get(link, follow=True).content.decode()
    assert "查询办理进度" in page and f'value="{case.number}"' in page


def test_the_long_tracking_address_of_earlier_messages_still_opens_in_english(org):
    case = intake(org.agent_a, language="en", customer=IntakeCustomer(name="Ms Wang", phone="13900139000"))
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get(f"/portal/track/?number={case.number}&lang=en")
    assert page.status_code == 200 and "Track your case" in page.content.decode()


def test_a_short_link_with_a_language_the_site_does_not_speak_opens_the_page_as_usual(org):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/t/TS20261124000001/xx", follow=True)
    assert response.redirect_chain == [("/portal/track/?number=TS20261124000001", 302)]
    assert "查询办理进度" in response.content.decode()
