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
