"""The shipped statutory deadline packs (issue 15, item 2), version 1 each. Figures as the regulations state
them; every reading the text leaves open is a field with the most defensible value and is listed in
`to_confirm` (shown in the admin and in docs/regulation.md). Organisations choose a pack in the admin
(PackSelection); none is selected by default."""

import datetime as dt

from django.db import migrations

PACKS = [
    {
        "code": "banking-insurance",
        "name": "银行保险机构消费投诉处理",
        "name_en": "Consumer complaints at banking and insurance institutions",
        "effective_from": dt.date(2020, 3, 1),
        "source": (
            "原中国银保监会《银行保险机构消费投诉处理管理办法》（2020年3月1日起施行）：自收到投诉之日起15日内"
            "作出处理决定并告知投诉人；情况复杂的可以延长至30日；情况特别复杂或者有其他特殊原因的，经其上级机构"
            "或者总行、总公司高级管理人员审批并告知投诉人，可以再延长30日；投诉人对处理决定有异议的，可以自收到"
            "处理决定之日起30日内申请核查。"
        ),
        "to_confirm": (
            "“日”按自然日计算（办法未写“工作日”）；自收到投诉的次日起算（《民法典》第二百零一条）；最后一日为"
            "节假日的顺延至其后第一个工作日（《民法典》第二百零三条）；再延长30日的审批角色默认为“管理层”"
            "（办法为“上级机构或者总行、总公司高级管理人员”）；“情况复杂”由机构认定；核查期限自投诉人收到处理"
            "决定之日起算，系统以作出处理决定之日计算。"
        ),
        "rules": [
            {"clock": "decision", "condition": "general", "amount": 15, "unit": "day"},
            {
                "clock": "decision", "condition": "complex", "amount": 30, "unit": "day",
                "extension_amount": 30, "extension_max_total": 60, "extension_approver_role": "executive",
                "extension_notice": True,
                "to_confirm": "再延长须经指定的高级管理人员审批并告知投诉人；审批角色请机构确认。",
            },
            {
                "clock": "review_window", "condition": "all", "amount": 30, "unit": "day", "anchor": "decided",
                "to_confirm": "自投诉人收到处理决定之日起算；系统以作出处理决定之日计算。",
            },
        ],
    },
    {
        "code": "telecom",
        "name": "电信用户投诉与申诉",
        "name_en": "Telecom user complaints and appeals",
        "effective_from": dt.date(2016, 7, 30),
        "source": (
            "工业和信息化部《电信用户申诉处理办法》（工业和信息化部令第35号）：用户已向电信业务经营者投诉且对"
            "处理结果不满意或者其未在15日内答复的，可以向申诉受理机构申诉（第十条）；属于收费争议的，申诉事项"
            "发生时距提起申诉时超过五个月的，其他申诉超过二年的，不予受理（第十一条）。"
        ),
        "to_confirm": (
            "15日按自然日计算；生效日期（2016-07-30）请核对；申诉期限是申诉受理机构的受理条件，自申诉事项"
            "发生之日起算，系统仅用于提示；是否属于收费争议由机构判定，未判定时两个期限都显示。"
        ),
        "rules": [
            {"clock": "answer", "condition": "all", "amount": 15, "unit": "day"},
            {"clock": "appeal_window", "condition": "fee_dispute", "amount": 5, "unit": "month", "anchor": "occurred"},
            {"clock": "appeal_window", "condition": "other_dispute", "amount": 2, "unit": "year", "anchor": "occurred"},
        ],
    },
    {
        "code": "postal-courier",
        "name": "邮政业用户投诉与申诉",
        "name_en": "Postal and courier user complaints and appeals",
        "effective_from": None,
        "source": (
            "国家邮政局《邮政业用户申诉处理办法》：用户向邮政企业、快递企业投诉后7日未得到答复的，可以向邮政业"
            "用户申诉中心（12305）申诉；企业应当自收到转办申诉之日起15日内向转办的邮政管理部门答复处理结果，"
            "包括调查结果、企业责任、与申诉人达成的处理意见、赔偿金额或者解释与道歉情况、申诉人对处理意见是否"
            "满意、企业申诉处理人及联系电话。"
        ),
        "to_confirm": (
            "7日按自然日计算（部分地方邮政管理部门表述为“7个工作日”，请确认）；15日按自然日计算；现行版本的"
            "文号和生效日期请核对（留空：适用于任何受理日期）。"
        ),
        "rules": [
            {"clock": "answer", "condition": "all", "amount": 7, "unit": "day",
             "to_confirm": "自然日还是工作日请确认。"},
            {
                "clock": "report_back", "condition": "forwarded", "amount": 15, "unit": "day",
                "content_required": "调查结果；企业责任；处理意见；赔偿金额或解释与道歉情况；申诉人是否满意；处理人；联系电话",
                "to_confirm": "自收到转办申诉之日起算。",
            },
        ],
    },
    {
        "code": "odr-12315",
        "name": "12315 在线消费纠纷解决（ODR）",
        "name_en": "12315 online dispute resolution (ODR)",
        "effective_from": None,
        "source": (
            "国家市场监督管理总局 全国12315平台在线消费纠纷解决（ODR）机制：ODR企业在10个工作日内与消费者协商"
            "和解，并记录处理时间、处理过程、处理方式和处理结果。"
        ),
        "to_confirm": (
            "依据文件的名称、文号和生效日期请核对（留空：适用于任何受理日期）；10个工作日自收到纠纷的次日起算，"
            "按受理机构的工作日历计算。"
        ),
        "rules": [
            {"clock": "decision", "condition": "all", "amount": 10, "unit": "workday",
             "content_required": "处理时间；处理过程；处理方式；处理结果"},
        ],
    },
]


def load(apps, schema_editor):
    DeadlinePack = apps.get_model("regulation", "DeadlinePack")
    DeadlineRule = apps.get_model("regulation", "DeadlineRule")
    for data in PACKS:
        data = dict(data)
        rules = data.pop("rules")
        pack, created = DeadlinePack.objects.get_or_create(code=data["code"], version=1, defaults=data)
        if not created:
            continue
        for order, rule in enumerate(rules):
            DeadlineRule.objects.create(pack=pack, sort_order=order, **rule)


def unload(apps, schema_editor):
    DeadlinePack = apps.get_model("regulation", "DeadlinePack")
    DeadlinePack.objects.filter(code__in=[p["code"] for p in PACKS], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("regulation", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
