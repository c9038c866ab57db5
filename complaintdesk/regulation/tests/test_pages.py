"""The workbench side of items 2, 3 and 7: the case panel shows the statutory clock beside the SLA's and which
one the queue follows, records a referral and its report-back, and tells the agent the admissibility hints
(also as a banner at the top of the case page); the queue row shows "法定 X月X日"; the regulator queue."""

import pytest
from django.test import Client

from complaintdesk.regulation.models import DeadlinePack, PackSelection, RegulatorReferral
from complaintdesk.sla.models import SlaPolicy

from .conftest import intake, local

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def postal(org):
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="postal-courier", version=1))


def lax_sla():
    SlaPolicy.objects.create(
        name="宽松", first_response_general="30d", resolution_general="30d", acknowledge="30d"
    )


def panel(user, case) -> str:
    return client_for(user).get(f"/complaints/{case.number}/regulation/panel").content.decode()


def test_the_panel_shows_both_clocks_and_which_the_queue_follows(org, banking, clock):
    lax_sla()
    clock.at(local(2026, 9, 28, 15))
    case = intake(org.agent_a, title="信用卡年费争议")
    html = panel(org.agent_a, case)
    assert "法定处理时限" in html and "2026-10-13 24:00 前 · 还剩 15 天" in html
    assert "本机构服务时限" in html and "2026-10-28 15:00" in html
    statutory = html[html.index('data-testid="statutory-clock"') :]
    assert statutory.index("队列按此排序") < statutory.index('data-testid="sla-clock"')
    assert "尚未纳入" not in html


def test_the_queue_row_shows_the_statutory_day_beside_the_sla(org, banking, clock):
    clock.at(local(2026, 9, 28, 15))
    case = intake(org.agent_a, title="信用卡年费争议")
    html = client_for(org.manager).get("/queues/team/").content.decode()
    assert case.number in html
    assert "法定 10月13日" in html


def test_referral_and_report_back_from_the_panel(org, postal, clock):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    client = client_for(org.agent_a)
    url = f"/complaints/{case.number}/regulation/panel"
    html = panel(org.agent_a, case)
    assert "赔偿金额" in html  # the report's required content, from the pack, prefilled
    refused = client.post(
        url,
        {"action": "refer", "source": "spb_12305", "reference": "", "forwarded_on": ""},
        HTTP_HX_REQUEST="true",
    )
    text = refused.content.decode()
    assert refused.status_code == 422 and "此项为必填项" in text
    assert not RegulatorReferral.objects.exists()
    done = client.post(
        url,
        {"action": "refer", "source": "spb_12305", "reference": "YZ-7", "forwarded_on": "2026-10-01", "due_on": "",
         "content_required": "调查情况、赔偿金额、处理人及联系电话"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    text = done.content.decode()
    assert "监管转办已登记" in text and "邮政业用户申诉 12305" in text and "还剩 15 天" in text
    assert "2026-10-16 24:00 前回复" in text
    referral = RegulatorReferral.objects.get()
    done = client.post(
        url, {"action": "report", "referral": referral.pk, "content": "已赔偿 200 元", "channel": "platform",
              "investigation": "快件在中转站丢失", "liability": "我司全责", "compensation_amount": "200",
              "complainant_satisfied": "true", "handler": "张三", "contact_phone": "021-12345678"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    text = done.content.decode()
    assert "向转办机构的回复已登记" in text and "通过转办机构的系统回复" in text
    assert "spb_12305" not in text.replace('value="spb_12305"', "")


def test_hints_are_in_the_panel_and_as_a_banner_once(org, clock):
    clock.at(local(2026, 10, 9, 10))
    first = intake(org.agent_a, category_code="billing_dispute")
    second = intake(org.agent_a, category_code="billing_dispute")
    html = panel(org.agent_a, second)
    assert html.count(f"该客户还有未结投诉 {first.number}") == 2  # banner (swapped to the top) and panel
    assert 'hx-swap-oob="afterend:section.case-head"' in html
    posted = (
        client_for(org.agent_a)
        .post(f"/complaints/{second.number}/regulation/panel", {"action": "suggest"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "hx-swap-oob" not in posted  # a re-rendered panel does not add the banner again


def test_the_regulator_queue_by_remaining_time_and_in_the_nav(org, postal, clock):
    from complaintdesk.regulation.referrals import referral_record

    clock.at(local(2026, 10, 9, 10))
    a, b, other = (
        intake(org.agent_a, title="甲"),
        intake(org.agent_a, title="乙"),
        intake(org.agent_b, title="丙"),
    )
    referral_record(
        number=a.number,
        actor=org.agent_a,
        data={
            "source": "samr_12315",
            "reference": "R1",
            "forwarded_on": "2026-10-09",
            "due_on": "2026-10-20",
        },
    )
    referral_record(
        number=b.number,
        actor=org.agent_a,
        data={
            "source": "nfra_12378",
            "reference": "R2",
            "forwarded_on": "2026-10-01",
            "due_on": "2026-10-08",
        },
    )
    referral_record(
        number=other.number,
        actor=org.agent_b,
        data={
            "source": "nfra_12378",
            "reference": "R3",
            "forwarded_on": "2026-10-09",
            "due_on": "2026-10-12",
        },
    )
    response = client_for(org.agent_a).get("/regulation/referrals/")
    html = response.content.decode()
    assert 'data-testid="nav-regulator"' in html
    assert html.index(b.number) < html.index(a.number) and other.number not in html
    assert "已逾期 1 天" in html and "还剩 11 天" in html and "金融监管 12378" in html
    elsewhere = client_for(org.dept_staff).get("/regulation/referrals/").content.decode()
    assert (
        a.number not in elsewhere and other.number not in elsewhere
    )  # another unit's referrals are not shown
