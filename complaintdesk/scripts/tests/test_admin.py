"""Admins edit the library and the rules in the Django admin; every text edit is a new version."""

import pytest
from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.scripts.models import ReplyRule, Script, ScriptVersion
from complaintdesk.scripts.services import reply_override_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(org):
    admin = user_create(
        username="root", password=None, role="administrator", org_unit=org.hq, display_name="管理员"
    )
    client = Client()
    client.force_login(admin)
    client.user = admin
    return client


def _script_form(**overrides):
    data = {
        "code": "apology-billing",
        "title": "计费争议致歉",
        "stage": "apology",
        "language": "zh-hans",
        "category": "",
        "channel": "",
        "sort_order": "5",
        "is_active": "on",
        "body": "{customer_title}，账单的问题给您添了麻烦，我非常抱歉。",
        "change_note": "新增",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_pages_load(admin_client, complaint, agent):
    reply_override_record(
        complaint=complaint,
        agent=agent,
        text="退款可能明天到账。我是李敏，工号10086。",
        finding_codes=["vague-zh"],
        reason="客户要求",
    )
    script = Script.objects.get(code="greeting-phone-zh")
    urls = [
        "/admin/scripts/",
        "/admin/scripts/script/",
        "/admin/scripts/script/add/",
        f"/admin/scripts/script/{script.pk}/change/",
        "/admin/scripts/script/?stage=apology&language=en",
        "/admin/scripts/scriptversion/",
        f"/admin/scripts/scriptversion/{script.current_version_id}/change/",
        "/admin/scripts/replyrule/",
        f"/admin/scripts/replyrule/{ReplyRule.objects.first().pk}/change/",
        "/admin/scripts/replyrule/add/",
        "/admin/scripts/replycheckoverride/",
        f"/admin/scripts/replycheckoverride/{complaint.reply_overrides.get().pk}/change/",
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/admin/scripts/script/{script.pk}/change/").content.decode()
    assert "欢迎致电{brand}客服中心" in page and "{customer_title}/{称呼}" in page


def test_adding_and_editing_a_script_keeps_every_version(admin_client):
    response = admin_client.post("/admin/scripts/script/add/", _script_form())
    assert response.status_code == 302, response.content.decode()
    script = Script.objects.get(code="apology-billing")
    assert script.current_version.number == 1 and script.current_version.created_by == admin_client.user

    edited = _script_form(body="{customer_title}，账单多扣了费用，我向您郑重道歉。", change_note="更具体")
    response = admin_client.post(f"/admin/scripts/script/{script.pk}/change/", edited)
    assert response.status_code == 302
    # Saving without touching the text adds no version.
    admin_client.post(f"/admin/scripts/script/{script.pk}/change/", edited | {"title": "计费致歉"})
    script.refresh_from_db()
    assert script.title == "计费致歉"
    assert list(script.versions.values_list("number", "note")) == [(2, "更具体"), (1, "新增")]
    assert script.body.endswith("我向您郑重道歉。")

    v1 = script.versions.get(number=1)
    response = admin_client.post(
        "/admin/scripts/scriptversion/", {"action": "restore", "_selected_action": [v1.pk]}
    )
    assert response.status_code == 302
    script.refresh_from_db()
    assert script.current_version.number == 3 and script.body == v1.body


def test_admin_refuses_a_script_the_checker_blocks(admin_client):
    response = admin_client.post(
        "/admin/scripts/script/add/", _script_form(body="{customer_title}，这个不行，我们做不到。")
    )
    assert response.status_code == 200
    assert "不要直接拒绝客户" in response.content.decode()
    response = admin_client.post("/admin/scripts/script/add/", _script_form(body="{客户称谓}您好"))
    assert "未知的占位符" in response.content.decode()
    assert not Script.objects.filter(code="apology-billing").exists()


def test_admin_warns_about_softer_findings(admin_client):
    response = admin_client.post(
        "/admin/scripts/script/add/", _script_form(body="{customer_title}，我们很抱歉。"), follow=True
    )
    assert response.status_code == 200
    assert "我们很抱歉" in response.content.decode()  # shown as a warning message, saved all the same
    assert Script.objects.filter(code="apology-billing").exists()


def test_versions_cannot_be_edited_or_deleted_in_the_admin(admin_client):
    version = ScriptVersion.objects.first()
    assert admin_client.post(f"/admin/scripts/scriptversion/{version.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/scripts/script/{version.script_id}/delete/").status_code == 403


def test_admin_rejects_a_rule_whose_regex_does_not_compile(admin_client):
    rule = ReplyRule.objects.get(code="manager-zh")
    data = {
        "code": rule.code,
        "name": rule.name,
        "language": rule.language,
        "kind": rule.kind,
        "severity": "block",
        "patterns": "我要请示(领导",
        "exceptions": "",
        "unless_patterns": "",
        "reason": rule.reason,
        "reason_en": "",
        "suggestion": rule.suggestion,
        "is_active": "on",
        "sort_order": "40",
    }
    response = admin_client.post(f"/admin/scripts/replyrule/{rule.pk}/change/", data)
    assert response.status_code == 200 and "无法解析的正则" in response.content.decode()
    response = admin_client.post(
        f"/admin/scripts/replyrule/{rule.pk}/change/", data | {"patterns": "我要请示领导"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.severity, rule.patterns) == ("block", "我要请示领导")
