"""Every link in every message to a customer is absolute: each template (every kind, channel and language
in the database, as shipped) rendered for a real case, and the links the other senders build."""

import re

import pytest

from complaintdesk.notifications.content import notification_values, public_url, template_render, track_url
from complaintdesk.notifications.models import NotificationTemplate
from complaintdesk.surveys.invitations import survey_url
from complaintdesk.surveys.results import ResultFields, result_values

pytestmark = pytest.mark.django_db

BASE = "https://cs.example.com"
# Anything that looks like a link or a path of this site: a scheme, or a path a phone cannot open alone.
LINKISH = re.compile(r"https?://[^\s，。；、）]+|(?<![\w.:/])/(?:portal|s|complaints|api)/[^\s，。；、）]*")


def _links(text: str) -> list[str]:
    return LINKISH.findall(text or "")


@pytest.fixture
def public(settings):
    settings.PUBLIC_BASE_URL = BASE
    return settings


def test_every_template_renders_only_absolute_links(public, make_complaint):
    complaint = make_complaint(email="wang@example.com", wechat_openid="oPENID123")
    templates = list(NotificationTemplate.objects.all())
    kinds = {t.code for t in templates}
    assert {"acknowledgement", "progress", "result", "survey", "escalated"} <= kinds
    result = result_values(
        ResultFields(cause="光缆被挖断", measures="更换光缆", outcome="网络恢复", compensation="减免月租"),
        language="zh-hans",
    )
    seen = 0
    for template in templates:
        extra = {
            **result,
            "progress": "工程师已上门",
            "level": "业务经理",
            "survey_url": survey_url("tok3n"),
        }
        values = notification_values(complaint=complaint, language=template.language, extra=extra)
        rendered = template_render(
            channel=template.channel,
            subject=template.subject,
            body=template.body,
            provider_fields=template.provider_fields or {},
            values=values,
        )
        texts = [rendered.subject, rendered.body, *map(str, rendered.params.values())]
        for link in (link for text in texts for link in _links(text)):
            seen += 1
            assert link.startswith(BASE + "/"), (template.code, template.channel, template.language, link)
    assert seen >= len(kinds)  # the check saw links: tracking in acknowledgements and results, surveys


def test_the_result_message_carries_the_tracking_link_and_all_four_parts(public, make_complaint):
    complaint = make_complaint()
    template = NotificationTemplate.objects.get(code="result", channel="sms", language="zh-hans")
    values = notification_values(
        complaint=complaint,
        language="zh-hans",
        extra=result_values(
            ResultFields(
                cause="光缆被挖断", measures="更换光缆", outcome="网络恢复", compensation="减免月租"
            ),
            language="zh-hans",
        ),
    )
    body = template_render(
        channel="sms", subject="", body=template.body, provider_fields={}, values=values
    ).body
    assert "原因：光缆被挖断" in body and "措施：更换光缆" in body and "结果：网络恢复" in body
    assert "补偿：减免月租" in body
    assert body.endswith(f"{BASE}/t/{complaint.number}")


def test_links_built_from_settings_are_absolute_whatever_is_configured(settings):
    settings.PUBLIC_BASE_URL = ""
    settings.STAFF_BASE_URL = "http://desk.example.com:8000"
    assert survey_url("abc") == "http://desk.example.com:8000/s/abc"
    settings.PUBLIC_BASE_URL = BASE + "/"
    assert survey_url("abc") == f"{BASE}/s/abc"
    settings.NOTIFY_SURVEY_URL = "/rate/{token}"  # a path: put after the public address
    assert survey_url("abc") == f"{BASE}/rate/abc"
    settings.NOTIFY_TRACK_URL = "/t/{case_number}"
    assert track_url("TS1") == f"{BASE}/t/TS1"
    settings.NOTIFY_TRACK_URL = "https://other.example.com/t/{case_number}"
    assert track_url("TS1") == "https://other.example.com/t/TS1"
    assert public_url("") == ""


# How a phone's SMS, mail or WeChat app makes a link of an address in a text: everything up to a space, Chinese
# characters and full-width punctuation included (Android's Linkify takes them, as any IRI character); only
# an English sentence's full stop or comma at the very end is left out.
PHONE_LINK = re.compile(r"https?://\S+")


def _tapped(text: str) -> list[str]:
    return [link.rstrip(".,;:!?)") for link in PHONE_LINK.findall(text or "")]


def _shipped_messages(complaint) -> list[tuple[str, str]]:
    result = result_values(
        ResultFields(cause="光缆被挖断", measures="更换光缆", outcome="网络恢复", compensation="减免月租"),
        language="zh-hans",
    )
    messages = []
    for template in NotificationTemplate.objects.all():
        extra = {**result, "progress": "工程师已上门", "level": "业务经理", "survey_url": survey_url("tok3n")}
        extra |= {
            "decision_day": "12月1日（周二）",
            "extension_reason": "需调取记录",
            "extension_reason_short": "需调取记录",
        }
        values = notification_values(complaint=complaint, language=template.language, extra=extra)
        rendered = template_render(
            channel=template.channel,
            subject=template.subject,
            body=template.body,
            provider_fields=template.provider_fields or {},
            values=values,
        )
        messages.append((f"{template.code}/{template.channel}/{template.language}", rendered.body))
    return messages


def test_every_link_a_phone_makes_of_a_shipped_message_opens_the_address_sent(public, make_complaint):
    complaint = make_complaint(email="wang@example.com", wechat_openid="oPENID123")
    addresses = {track_url(complaint.number), track_url(complaint.number, "en"), survey_url("tok3n")}
    tapped = 0
    for name, body in _shipped_messages(complaint):
        for link in _tapped(body):
            tapped += 1
            assert link in addresses, (name, link, body)
    assert tapped >= 20  # acknowledgements, results and surveys on every channel carry one


def test_a_link_an_administrator_glued_to_chinese_punctuation_still_opens(public, make_complaint):
    complaint = make_complaint()
    values = notification_values(complaint=complaint, language="zh-hans")
    rendered = template_render(
        channel="sms",
        subject="",
        body="您的投诉已受理（进度查询：{track_url}），请保存单号{case_number}。",
        provider_fields={},
        values=values,
    )
    address = f"{BASE}/t/{complaint.number}"
    assert _tapped(rendered.body) == [address]
    assert f"进度查询：{address} ），请保存单号" in rendered.body
