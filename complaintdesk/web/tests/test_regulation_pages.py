"""The regulation panel of the case page (statutory due dates of the case's pack, regulatory codes suggested
and confirmed) and the regulatory statistics download."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.notifications.models import Notification
from complaintdesk.regulation.models import CaseCode, CaseCodeStatus, DeadlinePack, PackSelection
from complaintdesk.regulation.referrals import referral_record
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db

CARD_FRAUD = {
    "title": "信用卡被盗刷",
    "description": "手机银行APP里看到信用卡被盗刷了三笔。",
    "demand": "追回损失",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def banking_case(org, clock):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))
    clock.at(local(2026, 2, 3, 10))
    return intake(org.agent_a, **CARD_FRAUD)


def test_the_case_page_loads_the_panel(org, banking_case):
    page = client_for(org.agent_a).get(f"/complaints/{banking_case.number}/").content.decode()
    assert f"/complaints/{banking_case.number}/regulation/panel" in page


def test_the_panel_shows_the_statutory_due_dates_in_words(org, banking_case):
    html = client_for(org.agent_a).get(f"/complaints/{banking_case.number}/regulation/panel").content.decode()
    assert "银行保险机构消费投诉处理" in html
    assert "作出处理决定" in html and "2026-02-24 24:00 前" in html  # 15日 past 春节
    assert "decision" not in html and "banking-insurance" not in html


def test_suggest_then_confirm_from_the_panel(org, banking_case):
    client = client_for(org.agent_a)
    url = f"/complaints/{banking_case.number}/regulation/panel"
    suggested = client.post(url, {"action": "suggest"}, HTTP_HX_REQUEST="true").content.decode()
    assert "系统建议，依据关键词" in suggested
    assert '<option value="C09" selected>' in suggested
    done = client.post(
        url,
        {"action": "confirm", "code_A": "A010303", "code_B": "B03", "code_C": "C09"},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200 and "监管分类已确认" in done.content.decode()
    assert set(CaseCode.objects.filter(complaint=banking_case).values_list("status", flat=True)) == {
        CaseCodeStatus.CONFIRMED
    }


def test_an_incomplete_confirmation_is_refused_in_words(org, banking_case):
    answer = client_for(org.agent_a).post(
        f"/complaints/{banking_case.number}/regulation/panel", {"action": "confirm", "code_A": "A0101"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert answer.status_code == 422
    assert "请选择“业务类别”的代码" in answer.content.decode()
    assert not CaseCode.objects.filter(complaint=banking_case).exists()


def test_another_stores_case_is_not_found(org, banking_case):
    assert (
        client_for(org.agent_b).get(f"/complaints/{banking_case.number}/regulation/panel").status_code == 404
    )


def test_the_statistics_page_downloads_the_workbook(org, banking_case):
    client = client_for(org.manager)
    form = client.get("/regulation/statistics/")
    assert form.status_code == 200 and "监管统计报表" in form.content.decode()
    download = client.get(
        "/regulation/statistics/",
        {
            "download": "1",
            "start": "2026-02-01",
            "end": "2026-02-28",
            "unit": "SH",
            "rows": "A",
            "column": "",
        },
    )
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert rows[0][:2] == ("A 业务办理渠道", "合计") and rows[-1][1] == 1


def test_a_bad_statistics_request_is_answered_in_words(org):
    answer = client_for(org.manager).get(
        "/regulation/statistics/", {"download": "1", "start": "2026-02-28", "end": "2026-02-01", "unit": "SH"}
    )
    assert answer.status_code == 422 and "结束日期不能早于开始日期" in answer.content.decode()
    other = client_for(org.agent_b).get(
        "/regulation/statistics/",
        {"download": "1", "start": "2026-02-01", "end": "2026-02-28", "unit": "SH-A"},
    )
    assert other.status_code == 422 and "请选择您可查看的机构" in other.content.decode()


def test_the_designated_role_extends_from_the_panel(org, banking_case):
    complaint_analyse(number=banking_case.number, actor=org.agent_a, changes={"complexity": "complex"})
    url = f"/complaints/{banking_case.number}/regulation/panel"
    agent_view = client_for(org.agent_a).get(url).content.decode()
    assert (
        "regulation-extend" not in agent_view and "经“管理层”审批并告知投诉人，可再延长 30 日" in agent_view
    )
    executive = client_for(org.executive)
    done = executive.post(
        url, {"action": "extend", "amount": "30", "reason": "需调取跨行交易记录"}, HTTP_HX_REQUEST="true"
    )
    html = done.content.decode()
    assert "法定时限已延长，已通过短信告知投诉人新的处理期限和理由" in html
    assert "2026-03-05" not in html and "2026-04-07 24:00 前" in html
    (told,) = Notification.objects.filter(complaint=banking_case, template_code="statutory_extension")
    assert "4月7日（周二）" in told.body and "需调取跨行交易记录" in told.body
    bad = executive.post(url, {"action": "extend", "amount": "x", "reason": "r"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "请填写延长的天数" in bad.content.decode()


def test_a_12305_report_back_from_the_panel_asks_for_each_part_and_keeps_what_was_typed(org, clock):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="postal-courier", version=1))
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    referral = referral_record(
        number=case.number, actor=org.agent_a,
        data={"source": "spb_12305", "reference": "YZ-9", "forwarded_on": "2026-10-01"},
    )  # fmt: skip
    url = f"/complaints/{case.number}/regulation/panel"
    agent = client_for(org.agent_a)
    form = agent.get(url).content.decode()
    for name in ("investigation", "liability", "compensation_amount", "complainant_satisfied", "handler"):
        assert f'name="{name}"' in form
    assert 'name="contact_phone"' in form and "12305 转办的回复须写明以下各项" in form
    typed = {
        "action": "report", "referral": str(referral.pk), "channel": "platform",
        "investigation": "快件在中转站丢失", "liability": "", "compensation_amount": "0",
        "handler": "张三", "contact_phone": "12",
    }  # fmt: skip
    refused = agent.post(url, typed, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "须写明责任认定" in html and "须写明投诉人是否满意" in html and "回拨" in html
    assert "快件在中转站丢失" in html and 'value="张三"' in html  # what was typed is kept
    referral.refresh_from_db()
    assert referral.reported_at is None
    done = agent.post(
        url,
        {**typed, "liability": "我司全责", "complainant_satisfied": "true", "contact_phone": "021-12345678"},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200, done.content.decode()[:500]
    referral.refresh_from_db()
    assert referral.report_satisfied is True and referral.report_compensation == 0
    assert "赔偿金额：0.00 元" in done.content.decode()


def test_the_statistics_days_are_typed_year_first(org, banking_case):
    page = client_for(org.manager).get("/regulation/statistics/").content.decode()
    assert 'type="date"' not in page and "年-月-日，如 2026-12-01" in page
    answer = client_for(org.manager).get(
        "/regulation/statistics/",
        {"download": "1", "start": "2026年2月1日", "end": "2026/2/28", "unit": "SH"},
    )
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    wrong = client_for(org.manager).get(
        "/regulation/statistics/", {"download": "1", "start": "02/01/2026", "end": "2026-02-28", "unit": "SH"}
    )
    assert (
        wrong.status_code == 422
        and "请按“年-月-日”填写日期，例如 2026-12-01：02/01/2026" in wrong.content.decode()
    )
