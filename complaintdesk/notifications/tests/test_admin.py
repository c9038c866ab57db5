"""Templates are edited in the admin; the log shows recipients masked."""

import pytest
from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.notifications.admin import NotificationTemplateForm
from complaintdesk.notifications.models import NotificationTemplate
from complaintdesk.notifications.services import notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(org):
    user = user_create(
        username="root", password=None, role="administrator", org_unit=org.hq, display_name="root"
    )
    client = Client()
    client.force_login(user)
    return client


def test_recipient_is_masked_in_str_and_admin(make_complaint, admin_client):
    sms = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    mail = notification_send(complaint=make_complaint(phone="", email="wang.li@example.com", name="王丽"),
                             template_code="acknowledgement")  # fmt: skip
    assert sms.recipient == "+8613800138000"  # kept in full for sending
    assert "138****8000" in str(sms) and "13800138000" not in str(sms)
    assert "w***@example.com" in str(mail)

    listing = admin_client.get("/admin/notifications/notification/").content.decode()
    assert "138****8000" in listing and "w***@example.com" in listing
    assert "13800138000" not in listing and "wang.li@" not in listing
    detail = admin_client.get(f"/admin/notifications/notification/{sms.pk}/change/").content.decode()
    assert "138****8000" in detail and "+8613800138000" not in detail


def test_template_form_refuses_unknown_placeholders_and_long_sms(org):
    template = NotificationTemplate.objects.get(code="progress", channel="sms", language="zh-hans")
    data = {"code": "progress", "channel": "sms", "language": "zh-hans", "subject": "", "provider_template_id": "",
            "provider_fields": "{}", "is_active": True}  # fmt: skip

    form = NotificationTemplateForm(data={**data, "body": "投诉{case_number}：{progres}"}, instance=template)
    assert not form.is_valid() and "{progres}" in str(form.errors["body"])

    form = NotificationTemplateForm(
        data={**data, "body": "投诉{case_number}" + "很长" * 100}, instance=template
    )
    assert not form.is_valid() and "短信过长" in str(form.errors["body"])

    form = NotificationTemplateForm(
        data={**data, "body": "投诉{case_number}进展：{progress}"}, instance=template
    )
    assert form.is_valid(), form.errors


def test_template_admin_pages_open(admin_client):
    template = NotificationTemplate.objects.first()
    assert admin_client.get("/admin/notifications/notificationtemplate/").status_code == 200
    assert (
        admin_client.get(f"/admin/notifications/notificationtemplate/{template.pk}/change/").status_code
        == 200
    )
