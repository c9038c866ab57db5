"""The customer's web form and self-service portal in Chromium at a phone-sized viewport (390×844):
file a complaint with a photo, read the acknowledgement, receive the one-time code by SMS (the file
backend's outbox), track the case, add information."""

import json
import re
import uuid

import pytest

from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, EventKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def outbox(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"browser-{uuid.uuid4().hex}",
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"

    def lines() -> list[dict]:
        path = settings.NOTIFY_SMS_OUTBOX
        return (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if path.exists()
            else []
        )

    return lines


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_file_track_and_add_information_on_a_phone(org, new_page, outbox, screenshot):
    page = new_page(**PHONE)

    # File a complaint, with a photo, on the web form.
    page.goto("/portal/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert _fits_the_screen(page)
    page.fill("#id_name", "王丽女士")
    page.fill("#id_phone", "138 0013 8000")
    page.select_option("#id_preferred_channel", "sms")
    page.fill("#id_title", "宽带连续三天断网")
    page.fill("#id_description", "家里宽带从周五晚上开始断网，重启光猫也没用。")
    page.fill("#id_demand", "尽快修好，并减免本月月租")
    page.fill("#id_occurred_at", "2026-11-20T20:00")
    page.select_option("#id_org_unit", "SH-A")
    page.set_input_files("#id_files", files=[{"name": "光猫.png", "mimeType": "image/png", "buffer": PNG}])
    screenshot(page, "portal-1-form")
    page.get_by_role("button", name="提交", exact=True).click()  # the form serves every kind of contact

    # The acknowledgement: case number, next steps, deadline.
    page.wait_for_url(re.compile(r"/portal/filed/TS\d+/$"))
    number = page.locator("#case-number").inner_text().strip()
    complaint = Complaint.objects.get(number=number)
    assert complaint.channel == "web" and complaint.org_unit == org.store_a
    assert page.locator("#next-steps li").count() == 3
    # The promise as the messages phrase it: "12月8日（周二）18:00" (or 24:00 for a whole day).
    assert re.fullmatch(
        r"(\d{4}年)?\d{1,2}月\d{1,2}日（周[一二三四五六日]）\d{2}:\d{2}",
        page.locator("#resolution-due").inner_text().strip(),
    )
    assert _fits_the_screen(page)
    screenshot(page, "portal-2-acknowledgement")
    # The acknowledgement also went out by SMS (notifications, after the intake committed).
    assert any(line["template"] == "acknowledgement" and number in line["body"] for line in outbox())

    # Track it: ask for a code, read it from the SMS outbox, enter it.
    page.get_by_role("link", name="查询处理进度").click()
    page.wait_for_url(re.compile(r"/portal/track/"))
    assert page.input_value("#id_number") == number
    page.fill("#id_contact", "13800138000")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(re.compile(r"/portal/track/verify/"))
    [sms] = [line for line in outbox() if line["template"] == "portal_code"]
    assert sms["to"] == "+8613800138000"
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms["body"]).group(1)
    page.fill("#id_code", code)
    screenshot(page, "portal-3-code")
    page.get_by_role("button", name="查看办理情况").click()

    # The case: status, what was filed, the photo's name.
    page.wait_for_url(re.compile(rf"/portal/case/{number}/$"))
    assert page.locator("#case-status").inner_text() == "已登记，等待处理"
    assert "尽快修好" in page.locator("#case-demand").inner_text()
    assert "光猫.png" in page.locator("#attachments").inner_text()
    assert _fits_the_screen(page)

    # Add information, with another photo.
    page.fill("#id_text", "光猫指示灯一直是红色，照片见附件。")
    page.set_input_files(
        "#add-information input[type=file]",
        files=[{"name": "指示灯.png", "mimeType": "image/png", "buffer": PNG + b"\x01"}],
    )
    page.get_by_role("button", name="提交补充信息").click()
    page.wait_for_url(re.compile(r"\?done=message$"))
    assert "已收到您补充的信息" in page.locator(".done").inner_text()
    assert "光猫指示灯一直是红色" in page.locator("#timeline").inner_text()
    assert "指示灯.png" in page.locator("#attachments").inner_text()
    screenshot(page, "portal-4-case")

    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CUSTOMER_MESSAGE)
    assert (event.actor.username, event.field) == ("channel-web", "web")
    assert set(Attachment.objects.filter(complaint=complaint).values_list("original_name", flat=True)) == {
        "光猫.png",
        "指示灯.png",
    }


def test_the_case_page_needs_the_code(org, new_page, outbox):
    page = new_page(**PHONE)
    page.goto("/portal/case/TS20990101000001/")
    page.wait_for_url(re.compile(r"/portal/track/\?number=TS20990101000001$"))
    assert page.input_value("#id_number") == "TS20990101000001"
