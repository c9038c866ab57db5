"""Fixtures for intelligence tests: complaints through intake, and small labelled corpora."""

import pytest

from complaintdesk.complaints.models import Category
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create


@pytest.fixture(autouse=True)
def _rules_only_emotion(settings):
    """The learned emotion model trains on first use (seconds); one test turns it on explicitly."""
    settings.INTELLIGENCE_EMOTION_MODEL = False


@pytest.fixture(autouse=True)
def _no_cached_models():
    from complaintdesk.intelligence import selectors

    selectors._classifier_cache.clear()
    selectors._scope_cache.clear()
    yield
    selectors._classifier_cache.clear()
    selectors._scope_cache.clear()


SPEC_CATEGORIES = (
    ("network_quality", "网络质量", "Network quality"),
    ("billing_dispute", "计费争议", "Billing dispute"),
    ("logistics", "物流配送", "Logistics"),
    ("service_attitude", "服务态度", "Service attitude"),
    ("product_quality", "产品质量", "Product quality"),
)


@pytest.fixture
def categories(org):
    """SPEC §2 categories beside the org fixture's billing_dispute."""
    for order, (code, name, name_en) in enumerate(SPEC_CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def intake(org):
    def create(
        description: str,
        *,
        title: str = "投诉",
        phone: str = "13800138000",
        account_no: str = "",
        actor=None,
        **extra,
    ):
        data = IntakeData(
            channel="phone",
            title=title,
            description=description,
            customer=IntakeCustomer(name="王女士", phone=phone, account_no=account_no),
            **extra,
        )
        return complaint_create(data=data, actor=actor or org.agent_a)

    return create


# A small bilingual corpus: three categories, differently worded, Chinese and English.
CORPUS = {
    "network_quality": [
        "家里宽带断网三天了",
        "手机信号很差，经常掉线",
        "网速慢得像蜗牛，视频一直卡顿",
        "光猫指示灯红了，上不了网",
        "小区没有信号，电话打不通",
        "晚上网络延迟特别高",
        "宽带经常断线，重启也没用",
        "4g信号时有时无",
        "the internet keeps dropping every evening",
        "no signal at home since monday",
        "broadband is very slow",
        "my connection drops during video calls",
        "wifi router shows red light, no internet",
        "network outage in my area for two days",
        "寬頻連線一直中斷，網速很慢",
    ],
    "billing_dispute": [
        "本月话费多扣了五十元",
        "账单上有一笔莫名的扣费",
        "套餐费收了两次",
        "没用流量却被收费",
        "月租比合同约定的高",
        "退费申请一直没有到账",
        "账单金额和套餐不符",
        "被重复收取了滞纳金",
        "i was overcharged on my monthly bill",
        "there is an unauthorized charge on my invoice",
        "you billed me twice for the same plan",
        "the fee on my bill is wrong",
        "refund for the double charge never arrived",
        "my bill is higher than the contract",
        "帳單多收了費用，要求退費",
    ],
    "logistics": [
        "快递三天了还没送到",
        "包裹显示签收但我没收到",
        "快递员把包裹放在门口丢了",
        "物流信息一直不更新",
        "配送太慢了",
        "送货上门被拒绝",
        "包裹外箱破了",
        "快递被别人签收了",
        "my package never arrived",
        "the courier left the parcel outside",
        "tracking number shows delivered but nothing came",
        "delivery is a week late",
        "the shipment was lost",
        "the parcel was delivered to the wrong address",
        "快遞一直沒有送到，物流不更新",
    ],
}


def corpus_examples() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, lines in CORPUS.items():
        texts += lines
        labels += [label] * len(lines)
    return texts, labels
