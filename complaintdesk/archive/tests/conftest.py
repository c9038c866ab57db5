import pytest

from complaintdesk.archive.services import case_summary_write
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.testing import resolve

TO_HANDLING = ["accepted", "handling"]


def case_make(org, *, unit, title, description, demand="", summary=None, close=True, actor=None):
    """A case taken in `unit`, worked to resolved by the manager, summarised and closed (when asked)."""
    data = IntakeData(
        channel="phone",
        title=title,
        description=description,
        demand=demand,
        customer=IntakeCustomer(name="李先生", phone="13900139000"),
        org_unit_code=unit.code,
    )
    complaint = complaint_create(data=data, actor=actor or org.manager)
    for step in TO_HANDLING:
        complaint_transition(number=complaint.number, actor=org.manager, to=step, reason="处理")
    resolve(org.manager, complaint.number)
    if summary:
        problem, cause, solution, lesson = summary
        case_summary_write(
            number=complaint.number,
            actor=org.manager,
            problem=problem,
            cause=cause,
            solution=solution,
            lesson=lesson,
        )
    if close:
        complaint_transition(number=complaint.number, actor=org.manager, to="closed", reason="归档")
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def archive(org):
    """Five archived cases with real-sounding texts and one open case."""
    cases = {
        "broadband": case_make(
            org,
            unit=org.store_a,
            title="家里宽带连续三天断网",
            description="从周五晚上开始宽带就断网了，光猫一直亮红灯，打了三次客服电话都说在排查。",
            demand="尽快修好，减免本月月租",
            summary=(
                "宽带断网三天，光猫亮红灯",
                "小区分光器端口老化",
                "更换分光器端口和光猫，减免半个月月租",
                "光猫亮红灯先远程查端口，超过24小时未恢复要主动上门",
            ),
        ),
        "refund": case_make(
            org,
            unit=org.store_a,
            title="销户后预存话费一直不退",
            description="上个月办理了销户，营业厅说预存的话费会原路退回，申请退费一个月了还没到账。",
            demand="退还剩余话费",
            summary=(
                "销户后退费超时",
                "退费审批单卡在财务环节",
                "财务加急处理，三个工作日内原路退回",
                "退费流程要给客户明确时限并跟踪到账",
            ),
        ),
        "parcel": case_make(
            org,
            unit=org.store_b,
            title="快递丢件没人管",
            description="寄给客户的样品在中转站丢了，快递员说不归他管，网点推诿了一个星期。",
            demand="按价赔偿",
            summary=(
                "快递丢件，网点推诿",
                "中转站交接漏扫",
                "按保价金额赔偿并致歉",
                "交接必须扫描，丢件当天上报",
            ),
        ),
        "annual_fee": case_make(
            org,
            unit=org.store_a,
            title="信用卡年费未经同意被扣",
            description="办卡时说首年免年费，结果账单里扣了300元年费，客服说没有刷满六次。",
            demand="退还年费",
            summary=(
                "信用卡年费争议",
                "办卡时未说明免年费条件",
                "退还年费并补充告知",
                "营销话术必须讲清免年费条件",
            ),
        ),
        "card_theft": case_make(
            org,
            unit=org.store_a,
            title="信用卡被盗刷",
            description="凌晨收到短信，信用卡在境外被刷了两笔，本人卡在身上。",
            demand="冻结卡片并追回损失",
            summary=(
                "信用卡境外盗刷",
                "卡片信息泄露",
                "挂失换卡，调单后退回盗刷金额",
                "境外交易提醒要实时推送",
            ),
        ),
        "grace": case_make(
            org,
            unit=org.store_a,
            title="还款宽限期被算逾期",
            description="在宽限期内还的款，征信上还是记了一次逾期。",
            demand="更正征信记录",
            summary=(
                "宽限期内还款被记逾期",
                "系统未识别宽限期",
                "申请更正征信",
                "宽限期规则要在系统里配置正确",
            ),
        ),
    }
    return cases
