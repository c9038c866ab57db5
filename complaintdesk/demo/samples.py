"""Sample complaints and customers written the way real customers write. Pure: a random.Random in,
plain values out, so `load_demo` and `bench/seed.py` share it and a seed reproduces a data set.

Each template has slots ({district}, {amount}, {tracking} …) filled per complaint; a slot keeps its
value within one complaint, so the title, description, demand and resolution agree with each other.
"""

import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

# Slot values ----------------------------------------------------------------------------------

DISTRICTS = {
    "北京": ("朝阳区", "海淀区", "丰台区", "通州区"),
    "上海": ("徐汇区", "浦东新区", "闵行区", "静安区", "杨浦区"),
    "杭州": ("西湖区", "余杭区", "拱墅区", "滨江区"),
    "广州": ("天河区", "越秀区", "海珠区", "番禺区", "白云区"),
    "深圳": ("南山区", "福田区", "宝安区", "龙岗区"),
}
COMMUNITIES = (
    "阳光花园",
    "锦绣华庭",
    "翠湖苑",
    "金色家园",
    "滨江一号",
    "绿洲新城",
    "梧桐里",
    "和平小区",
    "幸福里",
)
WHEN = ("上周五晚上", "前天下午", "本月初", "上个周末", "昨天上午", "大前天", "上周二", "月初的时候")
PERIODS = ("一个多月", "两个星期", "半个月左右", "这一个月")
MONTHS = ("上个月", "这个月", "上上个月")
TIMES = ("两", "三", "四", "五")
VAS = ("视频彩铃", "流量加油包", "游戏特权包", "云盘会员", "来电提醒", "天气预报短信", "阅读包")
COUNTRIES = ("日本", "泰国", "新加坡", "马来西亚", "韩国", "德国")
DESTINATIONS = ("北京", "成都", "武汉", "西安", "南京", "长沙", "重庆")
HUBS = ("上海", "杭州", "广州", "深圳", "武汉", "郑州")
PARCELS = ("合同原件", "孩子的证件", "生日礼物", "公司样品", "常用药")
FRAGILE = ("一套瓷器茶具", "两瓶红酒", "一个玻璃花瓶", "一台旧笔记本电脑")
BULKY = ("洗衣机", "一箱桶装水", "书柜", "两袋大米")
GIFTS = ("电饭煲", "拉杆箱", "保温杯", "蓝牙音箱", "50元话费充值卡")
FOODS = ("牛奶", "面包", "酸奶", "饼干", "火腿肠")
BUSINESSES = ("补办手机卡", "宽带报装", "套餐变更", "退货", "会员卡办理")
ISSUES = ("宽带退订", "话费异议", "快递丢件", "信用卡年费")
ONLINE = ("网上营业厅", "手机App", "微信公众号")
RUDE = ("不会用就别办", "你自己看不懂怪谁", "爱办不办", "后面还有人排队呢，快点", "这不归我管")
RUDE_FIELD = ("装网哪有不脏的", "你自己收拾一下就行", "嫌脏你自己装")
# (item, price, what went wrong): the fault has to fit the item.
ITEMS = (
    ("电饭煲", 299, "通电没反应"),
    ("电热水壶", 129, "底座漏水"),
    ("蓝牙耳机", 199, "右耳没声音"),
    ("空气炸锅", 399, "加热时有焦糊味"),
    ("吹风机", 159, "用着用着突然冒火花"),
    ("充电宝", 89, "充不进电"),
    ("台灯", 119, "灯光一直闪"),
)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.digits, k=n))


def _item(rng: random.Random) -> dict[str, str]:
    item, price, fault = rng.choice(ITEMS)
    return {"item": item, "price": str(price), "fault": fault}


def _fees(rng: random.Random) -> dict[str, str]:
    fee = rng.choice((39, 59, 79, 99, 129, 199))
    amount = rng.choice((5, 6, 10, 15, 20, 25, 30, 58))
    return {
        "fee": str(fee),
        "amount": str(amount),
        "bill": str(fee + amount),
        "old_fee": str(fee + rng.choice((-20, 20, 40))),
        "new_fee": str(fee + rng.choice((30, 40, 50))),
    }


def _speeds(rng: random.Random) -> dict[str, str]:
    speed = rng.choice((300, 500, 1000))
    return {"speed": str(speed), "actual": str(rng.randint(12, speed // 8))}


def _limits(rng: random.Random) -> dict[str, str]:
    limit = rng.choice((20000, 30000, 50000, 80000))
    return {"limit": str(limit), "limit_low": str(limit // rng.choice((4, 5, 10)))}


SLOTS: dict[str, Callable[[random.Random], str | dict[str, str]]] = {
    "community": lambda r: r.choice(COMMUNITIES),
    "building": lambda r: (
        f"{r.randint(1, 32)}号楼{r.randint(1, 3)}单元{r.randint(2, 28)}0{r.randint(1, 4)}室"
    ),
    "when": lambda r: r.choice(WHEN),
    "period": lambda r: r.choice(PERIODS),
    "month": lambda r: r.choice(MONTHS),
    "times": lambda r: r.choice(TIMES),
    "days": lambda r: str(r.randint(3, 9)),
    "hours": lambda r: r.choice(("24", "48", "72")),
    "months": lambda r: r.choice(("三", "四", "五", "六", "八")),
    "vas": lambda r: r.choice(VAS),
    "vas_fee": lambda r: r.choice(("5", "6", "10", "15", "20", "25")),
    "country": lambda r: r.choice(COUNTRIES),
    "roaming": lambda r: str(r.randint(6, 60) * 100 + r.choice((0, 30, 68))),
    "card_tail": lambda r: _digits(r, 4),
    "annual_fee": lambda r: r.choice(("200", "300", "480", "600")),
    "installment": lambda r: str(r.randint(6, 40) * 1000),
    "per_fee": lambda r: str(r.randint(60, 240)),
    "tracking": lambda r: "CD" + _digits(r, 12),
    "dest": lambda r: r.choice(DESTINATIONS),
    "hub": lambda r: r.choice(HUBS),
    "parcel": lambda r: r.choice(PARCELS),
    "fragile": lambda r: r.choice(FRAGILE),
    "bulky": lambda r: r.choice(BULKY),
    "pack_fee": lambda r: r.choice(("10", "15", "20", "30")),
    "gift": lambda r: r.choice(GIFTS),
    "points": lambda r: str(r.randint(8, 60) * 1000),
    "food": lambda r: r.choice(FOODS),
    "expired_days": lambda r: str(r.randint(2, 15)),
    "business": lambda r: r.choice(BUSINESSES),
    "issue": lambda r: r.choice(ISSUES),
    "online": lambda r: r.choice(ONLINE),
    "staff_no": lambda r: _digits(r, 4),
    "rude": lambda r: r.choice(RUDE),
    "rude_field": lambda r: r.choice(RUDE_FIELD),
    "wait": lambda r: r.choice(("50", "70", "90", "120")),
    "account": lambda r: "KD" + _digits(r, 10),
    "item": _item,
    "fee": _fees,
    "speed": _speeds,
    "limit": _limits,
}
# Slots produced together with another one (the fault goes with the item, the bill with the fee …).
_GROUP_OF = {"price": "item", "fault": "item", "amount": "fee", "bill": "fee", "old_fee": "fee", "new_fee": "fee",
             "actual": "speed", "limit_low": "limit"}  # fmt: skip


class _Slots(dict):
    """Slot values for one complaint, drawn on first use and then kept."""

    def __init__(self, rng: random.Random, **given: str):
        super().__init__(given)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = SLOTS[_GROUP_OF.get(key, key)](self.rng)
        if isinstance(value, dict):
            self.update(value)
            return value[key]
        self[key] = value
        return value


# Templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    category: str  # a code of demo.organisation.CATEGORIES
    products: tuple[str, ...]
    title: str
    description: str
    demands: tuple[str, ...]
    responsibility: tuple[str, ...]  # complaints.models.Responsibility values, as analysis finds them
    root_causes: tuple[str, ...]
    solutions: tuple[str, ...]
    channels: tuple[str, ...] = ()  # channels this kind of complaint often comes in on
    severity: tuple[int, int, int, int] = (2, 6, 3, 1)  # weights of low, medium, high, critical
    account: str = ""  # what goes into the customer's account/order number
    people: str = ""
    place: str = "{city}{district}{community}"
    amount: str = ""  # the slot holding the money at stake, if any


T = Template
TEMPLATES: tuple[Template, ...] = (
    # Network quality -----------------------------------------------------------------------
    T("network_quality", ("家庭宽带",),
      "家里宽带断网{days}天，报修后一直没人上门",
      "我家住{city}{district}{community}，{when}开始家里的宽带就上不了网，光猫上的光信号灯一直闪红灯。我已经打了{times}次"
      "报修电话，每次都说{hours}小时内会有师傅联系，到现在也没人来。孩子要上网课，我也经常在家办公，这几天只能开手机热点，"
      "流量都快用完了。",
      ("尽快安排师傅上门修好，断网这几天的月租按天退还。", "今天之内必须修好，并给我一个说法。",
       "修好网络，另外补偿这几天用掉的手机流量费。"),
      ("network",), ("小区光交箱分光器端口故障，报修工单派单后超时未处理", "附近道路施工挖断光缆，抢修排期过长且未主动告知客户"),
      ("已安排装维人员上门更换分光器端口，网络恢复正常；断网期间月租按天减免，并赠送 10GB 手机流量。",
       "光缆已抢通，向客户致歉并减免当月宽带月租。"),
      channels=("phone", "wechat", "chat"), severity=(1, 4, 5, 2), account="{account}"),
    T("network_quality", ("手机套餐",),
      "小区里手机信号太差，电话总是打不出去",
      "我住在{city}{district}{community}{building}，最近{period}家里手机信号只有一格，经常打着电话就断了，在阳台上才能勉强"
      "打通。问了楼里几个邻居都是一样的情况，之前信号一直是正常的。",
      ("请尽快派人来检测信号，给出整改时间。", "信号问题解决之前，套餐费用应该适当减免。"),
      ("network",), ("附近基站天线调整后对该小区覆盖变弱", "小区新建楼宇遮挡，室内覆盖不足，需要加装室内分布设备"),
      ("网络部已派人测试并调整天线方位角，室内信号恢复到三格以上；赠送客户一个月语音包。",
       "已将该小区列入室分建设计划，先为客户免费开通 Wi-Fi 通话并减免一个月月租。"),
      channels=("phone", "wechat", "web"), severity=(1, 6, 3, 1)),
    T("network_quality", ("家庭宽带",),
      "办的{speed}M宽带，实际网速只有{actual}M",
      "我去年在营业厅办的{speed}M光纤宽带，每个月{fee}元。最近晚上七点以后网速特别慢，用测速软件测了好几次都只有{actual}M"
      "左右，看视频一直转圈。打客服电话只让我重启光猫，重启了也没用。",
      ("要么把网速恢复到合同约定的速率，要么按实际速率退还差价。", "请派技术人员上门检测线路。"),
      ("network", "customer_misuse"), ("片区晚高峰出口带宽拥塞，需要扩容", "客户使用的是百兆路由器，无线速率受限"),
      ("片区出口带宽已扩容，晚高峰实测恢复到签约速率的九成以上；减免半个月月租。",
       "上门检测线路正常，建议并协助客户更换千兆路由器，赠送一个月宽带使用时长。"),
      channels=("phone", "chat", "web"), account="{account}"),
    T("network_quality", ("手机套餐",),
      "开通了5G套餐，手机却一直显示4G",
      "我上个月在{store}把套餐改成了{fee}元的5G套餐，营业员说我们这片已经覆盖5G。结果在家和公司手机一直显示4G，偶尔"
      "跳到5G几秒钟就掉了。既然用不了，为什么要多交钱？",
      ("5G用不了就把套餐改回原来的，并退还多收的差价。", "给我一个5G覆盖的准确时间，在此之前差价要退。"),
      ("staff", "network"), ("营业员办理时夸大了5G覆盖范围", "该片区5G基站尚未开通，覆盖查询系统信息滞后"),
      ("已为客户免费改回原套餐并退还差价；对营业员进行了话术培训。",),
      channels=("walk_in", "phone"), place="{store}", amount="amount"),
    T("network_quality", ("家庭宽带",),
      "预约装宽带，师傅两次都没来",
      "我{when}预约了新装宽带，约好上午九点到十二点上门，我专门请了半天假在家等，结果一直没人来，打电话也没人接。第二次"
      "改约到周六下午，又没来，只发了条短信说改期。",
      ("明确上门时间，不能再爽约；耽误我两个半天要有个说法。", "如果这周还装不了，我就不办了，预存的话费全部退回。"),
      ("process", "staff"), ("装维派单系统重复排班，师傅当天超量接单", "装维人员未按约上门，也未提前电话告知"),
      ("当天由班组长带队上门完成安装，向客户当面致歉，赠送三个月宽带提速包。",),
      channels=("phone", "wechat"), severity=(2, 6, 2, 0)),
    # Billing disputes ----------------------------------------------------------------------
    T("billing_dispute", ("手机套餐",),
      "{month}话费多扣了{amount}元，我没订过这项业务",
      "我的手机号每月套餐是{fee}元，{month}的账单却扣了{bill}元，查详单多了一项“{vas}”，每月{amount}元。我从来没有订购"
      "过，也没收到过任何确认短信，不知道是什么时候开通的。",
      ("退还多扣的费用，马上取消这项业务，并告诉我是谁给我开通的。", "全额退款，以后开通任何业务都要经过我本人确认。"),
      ("third_party", "system"), ("合作方通过营销短信链接诱导点击开通，二次确认环节缺失", "系统批量营销时误为客户开通了业务"),
      ("已退订该业务，退还近三个月费用并额外赠送等额话费；已关闭该号码的短信点播功能。",),
      channels=("phone", "chat", "wechat", "api"), amount="amount"),
    T("billing_dispute", ("手机套餐",),
      "出国{days}天，收到{roaming}元的漫游账单",
      "我{when}去{country}出差了{days}天，出发前在营业厅问过，营业员说开通了国际漫游就会自动按天封顶。回来后收到账单，"
      "国际漫游流量费一共{roaming}元，根本没有封顶。",
      ("按当初营业员说的日封顶标准重新计费，多收的退给我。", "我要求调出当时的办理录音，按约定收费。"),
      ("staff", "customer_misunderstanding"), ("营业员未说明日封顶需另行订购漫游包", "客户未订购漫游日包，按标准资费计费"),
      ("经核实按日封顶标准重新计费，退还差额；对办理营业员进行了批评教育。",
       "向客户解释了漫游计费规则，考虑实际情况减免一半费用，客户表示接受。"),
      channels=("phone", "walk_in", "email"), severity=(0, 3, 5, 2), amount="roaming"),
    T("billing_dispute", ("信用卡",),
      "信用卡年费没有提前通知就被扣了",
      "我尾号{card_tail}的信用卡，{month}被扣了{annual_fee}元年费。办卡的时候业务员明确说刷满六次免年费，我今年刷了不止"
      "六次。扣费前也没有收到任何短信提醒。",
      ("退还年费，并把免年费的条件书面发给我。", "退还年费，不然我就销卡。"),
      ("system", "customer_misunderstanding"), ("刷卡次数统计口径未包含第三方支付交易", "免年费条件为刷卡满六次且金额累计满一定额度，客户不知情"),
      ("已退还年费，并以短信向客户发送免年费规则说明。",),
      channels=("phone", "chat", "api"), account="信用卡尾号{card_tail}", amount="annual_fee"),
    T("billing_dispute", ("信用卡",),
      "账单分期手续费和电话里说的不一样",
      "我{when}接到信用卡中心的电话，办了{installment}元的十二期账单分期，当时说每期手续费很低。结果每期实际收了"
      "{per_fee}元手续费，算下来比电话里说的高了将近一倍，当时根本没有讲清楚。",
      ("按电话里承诺的费率重新计算，多收的手续费退回。", "提前结清分期，并免收全部手续费。"),
      ("staff", "process"), ("外呼营销人员只介绍了月费率，未提示折算年化费率", "分期营销话术不规范"),
      ("调取录音核实后，为客户免收剩余期数手续费；外呼话术已整改。",),
      channels=("phone", "email", "api"), severity=(1, 5, 4, 1), account="信用卡尾号{card_tail}", amount="per_fee"),
    T("billing_dispute", ("家庭宽带",),
      "宽带合约到期后自动续费，每月从{fee}元涨到{new_fee}元",
      "我家宽带是两年合约，每月{fee}元。合约{when}到期后，系统直接按{new_fee}元每月扣费，事先没有任何提醒，也没问我要不要"
      "续约。",
      ("按原价续约，多扣的钱退给我。", "到期前必须提醒客户，多扣的费用全部退还。"),
      ("process",), ("合约到期提醒短信因模板审核问题未发送",),
      ("为客户按原资费续约一年并退还差价，已补发合约到期提醒短信。",),
      channels=("phone", "web", "wechat"), account="{account}"),
    T("billing_dispute", ("手机套餐",),
      "已经退订了{vas}，每月还在扣费",
      "{month}我就打客服电话把{vas}退订了，当时客服说次月生效。结果这两个月账单上还是每月扣{amount}元，我手机里还留着"
      "退订成功的短信。",
      ("把退订后多扣的钱全部退回，确认已经彻底退订。",),
      ("system",), ("退订工单在计费系统同步失败，业务未实际关闭",),
      ("已在计费系统关闭业务并退还两个月费用。",),
      channels=("phone", "chat", "sms"), amount="amount"),
    # Business handling ---------------------------------------------------------------------
    T("business_handling", ("手机套餐",),
      "注销手机号被要求回归属地营业厅办理",
      "我的号码是老家办的，现在人在{city}工作，去{store}想注销这个号码，营业员说必须回归属地才能办。来回路费比话费都贵，"
      "现在不是说全国都能办理吗？",
      ("在{city}直接给我办理销户，这期间产生的月租不应再收。",),
      ("process", "staff"), ("营业员不熟悉异地销户流程", "异地销户需归属地后台审核，营业员未发起工单"),
      ("协助客户在本地提交异地销户申请，三个工作日内办结，免收申请后的月租。",),
      channels=("walk_in", "phone"), place="{store}"),
    T("business_handling", ("手机套餐",),
      "携号转网一直提示不符合条件",
      "我想把号码转到其他运营商，发短信查询一直回复“存在未到期合约”，可是我根本没办过合约。打客服问，客服也说不清楚是"
      "什么合约，让我去营业厅查。",
      ("查清楚是什么合约，没有的话马上解除限制。", "书面说明合约的来源，耽误的时间要有补偿。"),
      ("system", "process"), ("历史促销活动在系统中残留合约标记", "客户曾参加存费送机活动，合约期未满"),
      ("核实为系统残留标记，已清除，客户可正常办理携号转网。",),
      channels=("phone", "web", "weibo"), severity=(1, 5, 3, 1)),
    T("business_handling", ("手机套餐", "家庭宽带"),
      "营业厅排队{wait}分钟，还被反复推销",
      "{when}我去{store}补办一张手机卡，取号后等了{wait}分钟才轮到我，只开了一个窗口。办的时候营业员一直推销宽带和新套餐，"
      "我说不需要还反复劝，最后补卡又说系统故障让我改天再来。",
      ("高峰期多开窗口，补卡的事今天给我办好。", "不要强行推销，希望门店改进。"),
      ("staff", "process"), ("门店排班不足，高峰时段只开一个窗口", "门店考核偏重营销指标"),
      ("门店已调整高峰时段排班，店长致电客户致歉并上门为客户补卡。",),
      channels=("walk_in", "weibo", "phone"), severity=(2, 6, 2, 0), place="{store}"),
    T("business_handling", ("手机套餐",),
      "改套餐一个月了还是按老套餐收费",
      "我{month}在{online}上申请把{old_fee}元套餐改成{fee}元套餐，页面显示办理成功，但这个月账单还是按{old_fee}元收的，"
      "多出来的流量也没有到账。",
      ("按新套餐重新计费，多收的退给我。",),
      ("system",), ("线上渠道套餐变更工单未同步到计费系统",),
      ("已手工完成套餐变更，按新套餐重算当月费用并退还差额。",),
      channels=("web", "chat", "wechat")),
    T("business_handling", ("信用卡",),
      "信用卡突然被降额，没有任何通知",
      "我尾号{card_tail}的信用卡用了五年，从来没有逾期，{when}刷卡时提示额度不足，一查额度从{limit}元降到了{limit_low}元。"
      "没有短信、没有电话通知，我在商场结账非常尴尬。",
      ("恢复原来的额度，并解释降额原因。",),
      ("process", "customer_misunderstanding"), ("风控模型批量调额，调额通知短信延迟发送", "客户近期有大额套现嫌疑交易，触发风控"),
      ("复核后为客户恢复原额度，并就未及时通知致歉。", "向客户说明风控调额依据，提供了重新申请提额的途径。"),
      channels=("phone", "chat", "api"), severity=(1, 4, 4, 1), account="信用卡尾号{card_tail}"),
    # Value-added services ------------------------------------------------------------------
    T("value_added_service", ("手机套餐",),
      "视频会员自动续费，取消入口根本找不到",
      "{when}我用话费开了一个月的视频会员试用，说好到期自动停止，结果第二个月开始每月从话费里扣{vas_fee}元，已经扣了"
      "{months}个月。App里找不到取消自动续费的地方。",
      ("退还试用期之后扣的所有费用，关闭自动续费。",),
      ("third_party", "process"), ("合作方产品默认勾选自动续费，到期未提醒", "取消续订入口层级过深"),
      ("已关闭自动续费并退还全部续费费用，要求合作方整改续费提醒。",),
      channels=("phone", "chat", "wechat"), amount="vas_fee"),
    T("value_added_service", ("手机套餐",),
      "从没开过彩铃，每月却扣{vas_fee}元彩铃费",
      "帮父母查话费才发现，老人手机每月都有{vas_fee}元的彩铃功能费，已经扣了快{months}个月。老人根本不会用这些，也不"
      "记得开通过。",
      ("全部退还，并且把老人号码上所有增值业务都关掉。",),
      ("third_party", "system"), ("营销外呼时以“免费体验”名义开通，未经有效确认",),
      ("已退还全部彩铃费，关闭该号码所有增值业务并设置防打扰。",),
      channels=("phone", "walk_in"), severity=(1, 4, 4, 1), amount="vas_fee"),
    T("value_added_service", ("信用卡", "手机套餐"),
      "积分兑换的{gift}一直没发货",
      "我{when}在积分商城用{points}积分兑换了{gift}，显示兑换成功，到现在{days}天了还是“待发货”，客服说在备货，问多久"
      "也给不出时间。",
      ("一周内发货，否则把积分退回来。",),
      ("third_party",), ("积分商城供应商缺货，未及时下架商品",),
      ("为客户更换同价值礼品并加急发货，补偿 2000 积分。",),
      channels=("chat", "web", "phone"), severity=(3, 6, 1, 0)),
    # Service attitude ----------------------------------------------------------------------
    T("service_attitude", ("手机套餐", "家庭宽带", "门店商品"),
      "{store}营业员态度恶劣",
      "{when}我到{store}办理{business}，接待我的营业员（工号{staff_no}）一直低头玩手机，我问了两遍才抬头。后来因为我没"
      "听明白资费，她直接说“{rude}”。当时旁边很多人，我觉得很难堪。",
      ("要求该营业员当面道歉，并对其进行处理。", "希望门店加强员工培训，给我一个书面答复。"),
      ("staff",), ("营业员服务意识不足，未按服务规范接待", "门店高峰期人手不足，员工情绪管理欠缺"),
      ("店长带该营业员向客户当面致歉，对营业员进行通报和服务规范再培训，赠送客户小礼品一份。",),
      channels=("walk_in", "phone", "weibo"), severity=(1, 4, 5, 1), people="工号{staff_no}营业员", place="{store}"),
    T("service_attitude", ("家庭宽带", "手机套餐", "快递"),
      "打客服热线被转了{times}次，问题还是没人管",
      "我为{issue}的事情打客服热线，前后转接了{times}次，每个人都让我重新说一遍情况，最后一个客服说这不归她管，让我等"
      "回电。等了{days}天，没有任何人联系我。",
      ("指定专人负责我的问题，今天之内给我回电。",),
      ("process", "staff"), ("跨部门转接无工单跟踪，首问负责制未落实",),
      ("指定专人跟进并当天回电解决原诉求；热线已上线转接工单随行功能。",),
      channels=("phone", "weibo", "email"), severity=(1, 5, 4, 1)),
    T("service_attitude", ("家庭宽带",),
      "上门维修师傅态度差，还弄脏了墙面",
      "{when}师傅上门修宽带，进门不穿鞋套，打孔也不做遮挡，墙上和地板上全是灰。我提醒他注意一下，他说“{rude_field}”。"
      "修完就走了，垃圾也没带走。",
      ("要求道歉，并派人来清理。",),
      ("staff",), ("装维人员未执行上门服务规范",),
      ("班组长上门致歉并安排保洁清理，对装维人员扣减当月服务分。",),
      channels=("phone", "wechat"), people="装维师傅"),
    T("service_attitude", ("快递",),
      "快递员在电话里骂人",
      "我的快递（运单号{tracking}）{when}派送，我因为在上班，让快递员放到门卫，他不愿意，在电话里很不耐烦，还骂了一句"
      "很难听的话就挂了电话。",
      ("要求快递员道歉，公司对他做出处理。",),
      ("staff",), ("快递员派件量过大，情绪失控",),
      ("网点负责人带快递员致电道歉，对快递员停岗培训三天。",),
      channels=("phone", "web", "weibo"), severity=(1, 4, 5, 1), account="{tracking}", people="派件快递员"),
    # Logistics -----------------------------------------------------------------------------
    T("logistics", ("快递",),
      "快递{days}天还没送到，物流信息一直不更新",
      "我{when}寄了一个包裹到{dest}，运单号{tracking}，承诺的是次日达，到今天已经{days}天了，物流信息一直停在“{hub}转运"
      "中心已发出”。里面是{parcel}，对方急着用。",
      ("尽快查清包裹在哪，三天内送到；超时的运费退还。", "如果丢了要按实际价值赔偿。"),
      ("process", "third_party"), ("转运中心分拣错发到其他城市", "干线运输车辆故障，滞留未及时更新轨迹"),
      ("已找回包裹并加急派送，次日送达；退还运费。",),
      channels=("phone", "web", "api", "wechat"), severity=(1, 4, 4, 1), account="{tracking}", place="{hub}转运中心"),
    T("logistics", ("快递",),
      "物流显示已签收，但我根本没有收到",
      "运单号{tracking}的包裹，系统显示{when}已签收，签收人是“本人”，可我那天一直在家，没有任何人敲门或打电话。问了门卫"
      "和驿站都说没有。",
      ("马上找到包裹；找不到就照价赔偿。",),
      ("staff",), ("快递员未按址派送，提前虚假签收",),
      ("经调取派件记录核实为虚假签收，已按申报价值赔偿，对快递员处罚。",),
      channels=("phone", "web", "api"), severity=(1, 4, 4, 1), account="{tracking}"),
    T("logistics", ("快递",),
      "寄的{fragile}到了对方手里已经碎了",
      "我{when}在{store}寄了{fragile}，当时特意说明是易碎品，网点也给贴了易碎标签，还加收了{pack_fee}元包装费。对方收到"
      "后打开发现已经碎了，外箱有明显挤压痕迹。",
      ("按保价赔偿，并退还运费和包装费。",),
      ("process",), ("中转装车时易碎件未单独码放，被重物挤压",),
      ("按保价金额赔偿，并退还运费和包装费。",),
      channels=("phone", "walk_in", "web"), severity=(0, 4, 5, 1), account="{tracking}", place="{store}",
      amount="pack_fee"),
    T("logistics", ("快递", "门店商品"),
      "快递没送上门也没通知，直接放驿站",
      "我买的是{bulky}，页面写的是送货上门，结果快递员没打电话就放在了{community}门口的驿站，我七十多岁的母亲一个人在家，"
      "根本搬不动。",
      ("按约定送货上门，以后不要不打招呼就放驿站。",),
      ("staff", "process"), ("快递员未按送货上门服务标准派送",),
      ("网点安排专人把货物送上门并致歉，快递员接受服务规范培训。",),
      channels=("phone", "api", "web"), severity=(2, 6, 2, 0), account="{tracking}"),
    # Product quality -----------------------------------------------------------------------
    T("product_quality", ("门店商品",),
      "在{store}买的{item}用了{days}天就坏了",
      "我{when}在{store}买了一个{item}，{price}元，用了{days}天就{fault}。拿回店里，店员说要寄回厂家检测，至少等半个月，"
      "还不能先给我换一个新的。",
      ("七天内出的质量问题，要求直接换新或者退货。", "退款，并补偿我来回跑的交通费。"),
      ("third_party",), ("该批次商品存在质量缺陷",),
      ("为客户办理退货退款，并赠送 50 元购物券；同批次商品已下架送检。",),
      channels=("walk_in", "phone", "web"), place="{store}", amount="price"),
    T("product_quality", ("门店商品",),
      "{store}卖过期{food}",
      "{when}我在{store}买了{food}，回家给孩子吃了几口才发现已经过了保质期{expired_days}天。孩子当晚有点拉肚子。店里货架上"
      "同一批次的还在卖。",
      ("按食品安全法规定退一赔十，马上下架同批次商品。",),
      ("staff",), ("门店临期商品巡检未执行",),
      ("按规定退一赔十，门店已下架同批次商品并整改巡检制度，店长上门致歉。",),
      channels=("walk_in", "phone", "weibo"), severity=(0, 2, 5, 3), place="{store}"),
    T("product_quality", ("家庭宽带",),
      "新换的光猫三天两头死机",
      "{when}师傅上门给换了新光猫，说是升级设备，之后基本每隔两三天就要断一次网，必须拔电源重启才能恢复。打客服说是我家"
      "路由器的问题，可我没换过路由器。",
      ("给我换一台正常的光猫，断网这段时间的月租要减免。",),
      ("network", "third_party"), ("该型号光猫固件缺陷，高温下易死机",),
      ("上门为客户更换其他型号光猫，减免半个月月租。",),
      channels=("phone", "chat", "wechat"), account="{account}"),
    # Other ---------------------------------------------------------------------------------
    T("other", ("手机套餐", "信用卡", "家庭宽带"),
      "刚办完业务就接到推销电话，怀疑信息被泄露",
      "我{when}在{store}办了{business}，第二天就开始接到各种推销电话，对方能准确说出我的名字和刚办的业务。我只在你们这里"
      "留过这些信息。",
      ("查清信息是怎么泄露的，给我书面答复，并对相关人员追责。",),
      ("undetermined", "staff"), ("暂未发现系统数据外泄，门店纸质登记表保管不规范", "门店员工私自拍照留存客户资料"),
      ("已书面答复客户调查结果，门店停止纸质登记，涉事员工已依规处理。",),
      channels=("phone", "walk_in", "weibo", "email"), severity=(0, 2, 5, 3), place="{store}"),
    T("other", ("手机套餐", "家庭宽带"),
      "申请开发票一个月了还没收到",
      "{month}我在{online}申请开具电子发票，抬头和税号都填了，一直显示“处理中”。公司报销有截止日期，催了两次都说在处理。",
      ("三天内把发票开给我。",),
      ("system",), ("电子发票接口故障，开票任务积压",),
      ("已人工补开电子发票并发送至客户邮箱。",),
      channels=("web", "email", "chat"), severity=(3, 6, 1, 0)),
    T("other", ("手机套餐", "门店商品"),
      "门店写着营业到晚上九点，八点就关门了",
      "{when}晚上八点十分我赶到{store}想{business}，门口贴的营业时间是九点，结果店员已经在拉卷帘门，说今天提前下班，让我"
      "明天再来。我是专门提早下班赶过来的。",
      ("门店要按公布的时间营业，希望给个解释。",),
      ("staff",), ("门店擅自提前闭店",),
      ("店长致电客户致歉，门店闭店时间纳入巡检，已对当班人员批评教育。",),
      channels=("walk_in", "phone", "weibo"), severity=(3, 6, 1, 0), place="{store}"),
)  # fmt: skip

PERCEIVED_SEVERITIES = ("low", "medium", "high", "critical")

# Overall intake mix (complaints.models.Channel values) when a template's own channels are not used.
CHANNEL_WEIGHTS = {
    "phone": 35, "web": 12, "chat": 10, "wechat": 15, "email": 4, "sms": 2, "letter": 1, "walk_in": 10,
    "weibo": 3, "api": 8,
}  # fmt: skip


@dataclass(frozen=True)
class SampleComplaint:
    category_code: str
    product: str
    title: str
    description: str
    demand: str
    place: str
    people_involved: str
    account_no: str
    perceived_severity: str
    channel: str
    responsibility: str
    root_cause: str
    solution: str
    amount_at_stake: Decimal | None


def sample_complaint(rng: random.Random, *, city: str, store: str) -> SampleComplaint:
    """One complaint as a customer of `store` (a unit name) in `city` would tell it."""
    template = rng.choice(TEMPLATES)
    district = rng.choice(DISTRICTS.get(city, ("市区",)))
    slots = _Slots(rng, city=city, district=district, store=store)
    channel = (
        rng.choice(template.channels)
        if template.channels and rng.random() < 0.7
        else rng.choices(tuple(CHANNEL_WEIGHTS), weights=tuple(CHANNEL_WEIGHTS.values()))[0]
    )
    return SampleComplaint(
        category_code=template.category,
        product=rng.choice(template.products),
        title=template.title.format_map(slots),
        description=template.description.format_map(slots),
        demand=rng.choice(template.demands).format_map(slots),
        place=template.place.format_map(slots),
        people_involved=template.people.format_map(slots),
        account_no=template.account.format_map(slots),
        perceived_severity=rng.choices(PERCEIVED_SEVERITIES, weights=template.severity)[0],
        channel=channel,
        responsibility=rng.choice(template.responsibility),
        root_cause=rng.choice(template.root_causes),
        solution=rng.choice(template.solutions).format_map(slots),
        amount_at_stake=Decimal(slots[template.amount]) if template.amount else None,
    )


# Customers ------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢傅钟"
GIVEN_NAMES = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
    "霞", "平", "刚", "桂英", "建华", "文", "晓燕", "志强", "海燕", "子涵", "浩然", "欣怡", "宇轩", "雨桐", "俊杰", "佳怡",
    "国庆", "红梅", "玉兰", "建国", "思远",
)  # fmt: skip
# Mainland mobile prefixes (all valid for libphonenumber).
MOBILE_PREFIXES = ("130", "133", "135", "136", "138", "139", "150", "151", "158", "159", "166", "177", "180", "186",
                   "187", "189", "199")  # fmt: skip


@dataclass(frozen=True)
class SampleCustomer:
    name: str
    phone: str  # 11-digit mainland mobile, as a customer gives it
    email: str
    wechat_openid: str


def sample_customer(rng: random.Random) -> SampleCustomer:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.3:  # many people give only a surname and a title
        name = surname + rng.choice(("先生", "女士"))
    else:
        name = surname + rng.choice(GIVEN_NAMES)
    phone = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
    # Reserved example domains only: demo data must never reach a real mailbox.
    email = f"{phone[-6:]}{rng.choice(('', '.cs', '_home'))}@example.com" if rng.random() < 0.3 else ""
    openid = (
        "o" + "".join(rng.choices(string.ascii_letters + string.digits, k=27)) if rng.random() < 0.25 else ""
    )
    return SampleCustomer(name=name, phone=phone, email=email, wechat_openid=openid)
