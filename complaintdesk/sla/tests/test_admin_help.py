"""The SLA policy form in the admin explains how durations are written ("2h", "7d", "2wd"), in Chinese and
in English."""

from django.test import Client

from complaintdesk.accounts.models import User


def _admin(db) -> Client:
    user = User.objects.create_superuser("root", "root@example.com", "x-pass-123456")
    client = Client()
    client.force_login(user)
    return client


def test_every_duration_field_says_how_it_is_written(db):
    client = _admin(db)

    html = client.get("/admin/sla/slapolicy/add/").content.decode()
    assert html.count("2wd = 2 个工作日") == 8  # first responses, resolutions, acknowledge, levels, follow-up

    client.cookies["django_language"] = "en"
    english = client.get("/admin/sla/slapolicy/add/").content.decode()
    assert english.count("2wd = 2 working days") == 8
