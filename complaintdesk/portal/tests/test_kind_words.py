"""The portal speaks the kind of contact (issue 19): a question is 咨询 on the form, the acknowledgement and
the case page — never 投诉 — and a complaint keeps its words."""

import re

import pytest
from django.test import Client

from complaintdesk.complaints.models import Complaint

from .conftest import FORM

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


@pytest.mark.parametrize(
    ("kind", "file_word", "filed_word", "number_word"),
    [
        ("inquiry", "我要咨询", "您的咨询已登记", "咨询单号"),
        ("suggestion", "我要提建议", "感谢您的建议", "建议单号"),
        ("praise", "我要表扬", "感谢您的表扬", "表扬单号"),
    ],
)
def test_each_kind_is_said_in_its_words_from_the_form_to_the_case_page(
    org, outbox, kind, file_word, filed_word, number_word
):
    client = Client()
    form = client.get(f"/portal/?kind={kind}").content.decode()
    assert file_word in _title(form) and f"<h1>{file_word}</h1>" in form
    [checked] = re.findall(r'<input type="radio" name="kind" value="(\w+)"[^>]*checked', form)
    assert checked == kind

    response = client.post("/portal/", {**FORM, "kind": kind, "demand": ""})
    assert response.status_code == 302
    contact = Complaint.objects.get()
    assert contact.kind == kind
    filed = client.get(response["Location"]).content.decode()
    assert filed_word in _title(filed) or filed_word in filed
    assert "投诉" not in _title(filed) and "您的投诉" not in filed

    client.post("/portal/track/", {"number": contact.number, "contact": "13800138000"})
    client.post("/portal/track/verify/", {"number": contact.number, "code": outbox.last_sms_code()})
    page = client.get(f"/portal/case/{contact.number}/").content.decode()
    assert number_word in _title(page) and number_word in page
    assert "投诉" not in page.split("<main>", 1)[1].split("</main>", 1)[0]  # the case's own words, every one


def test_a_complaint_keeps_its_words(org, outbox):
    client = Client()
    assert "我要投诉" in _title(client.get("/portal/").content.decode())
    response = client.post("/portal/", FORM)
    filed = client.get(response["Location"]).content.decode()
    assert "您的投诉已登记" in filed and "投诉已登记" in _title(filed)


def test_an_unknown_kind_in_the_address_is_a_complaint_form(org):
    html = Client().get("/portal/?kind=<script>").content.decode()
    assert "我要投诉" in _title(html) and "<script>" not in _title(html)


def _visible_text(html: str) -> str:
    """What a customer reads on the page: the text between tags (titles, labels, buttons, messages)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_before_the_case_is_known_the_tracking_pages_are_neutral(org):
    """The track and code pages cannot know what the visitor filed: 受理单号, never 投诉单号."""
    client = Client()
    for url in ("/portal/track/", "/portal/track/verify/?number=TS20261123000001"):
        text = _visible_text(client.get(url).content.decode())
        assert "受理单号" in text
        assert "投诉" not in text, url
    refused = client.post("/portal/track/", {"number": "", "contact": "13800138000"})
    assert refused.status_code == 422
    assert "请填写受理单号" in _visible_text(refused.content.decode())


@pytest.mark.parametrize(
    ("kind", "sms_word"), [("inquiry", "咨询单"), ("suggestion", "建议单"), ("praise", "表扬单")]
)
def test_the_code_message_names_the_case_as_what_it_is(org, outbox, kind, sms_word):
    client = Client()
    client.post("/portal/", {**FORM, "kind": kind, "demand": ""})
    contact = Complaint.objects.get()
    client.post("/portal/track/", {"number": contact.number, "contact": "13800138000"})
    [code_sms] = outbox.codes_sms()
    assert f"您正在查询{sms_word} {contact.number}" in code_sms["body"]
    assert "投诉" not in code_sms["body"]
    verify = client.get(f"/portal/track/verify/?number={contact.number}").content.decode()
    assert "投诉" not in _visible_text(verify)
    client.post("/portal/track/verify/", {"number": contact.number, "code": outbox.last_sms_code()})
    page = _visible_text(client.get(f"/portal/case/{contact.number}/").content.decode())
    assert "投诉" not in page and "撤诉" not in page  # nor in the menu, the withdraw form or its labels


def test_a_complaints_code_message_still_says_complaint(org, outbox):
    client = Client()
    client.post("/portal/", FORM)
    contact = Complaint.objects.get()
    client.post("/portal/track/", {"number": contact.number, "contact": "13800138000"})
    assert f"您正在查询投诉单 {contact.number}" in outbox.codes_sms()[-1]["body"]


def test_an_answered_inquiry_cannot_be_withdrawn_and_says_so_in_its_words(org, outbox):
    from complaintdesk.complaints.services import complaint_transition

    client = Client()
    client.post("/portal/", {**FORM, "kind": "inquiry", "demand": ""})
    contact = Complaint.objects.get()
    complaint_transition(
        number=contact.number, actor=org.agent_a, to="closed", reason="月租减免在次月账单体现"
    )
    client.post("/portal/track/", {"number": contact.number, "contact": "13800138000"})
    client.post("/portal/track/verify/", {"number": contact.number, "code": outbox.last_sms_code()})
    refused = client.post(f"/portal/case/{contact.number}/withdraw/", {"confirm": "on"})
    text = _visible_text(refused.content.decode())
    assert "咨询已答复，不能再撤回" in text and "投诉" not in text
