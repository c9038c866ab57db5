"""What two complaints must share to be linked, and detection on real texts (issue 13, point 9): a
detector that never fires is no detector, and one that groups unrelated customers is worse. Pure: no
database (the service's behaviour is in test_groups.py and test_group_confirmation.py)."""

import importlib.util
from pathlib import Path

import pytest

from complaintdesk.intelligence import grouping

from .test_group_confirmation import UNRELATED

RULES = grouping.Rules()


def fp(text: str, **fields) -> frozenset[str]:
    return frozenset(grouping.fingerprint(text, **fields))


def detect(texts: list[str], products: list[str] | None = None) -> list[list[int]]:
    """Each text from its own customer, in order, in one region and window, decided as the service
    does (every earlier complaint a candidate). The groups, as lists of positions."""
    products = products or [""] * len(texts)
    fingerprints = [fp(t, product=p) for t, p in zip(texts, products, strict=True)]
    group_of: dict[int, int] = {}
    groups: list[list[int]] = []
    for me, tokens in enumerate(fingerprints):
        candidates = [
            grouping.Candidate(
                complaint_id=c + 1, customer_id=c + 1, tokens=fingerprints[c], group_id=group_of.get(c)
            )
            for c in range(me)
        ]
        decision = grouping.decide(
            tokens=tokens, customer_id=me + 1, candidates=candidates, rules=RULES, complaint_id=me + 1
        )
        if decision.join is not None:
            gid = decision.join - 1
        elif decision.open:
            gid = len(groups)
            groups.append([])
        else:
            continue
        for c in [me, *(m - 1 for m in decision.members)]:
            if c not in group_of:
                group_of[c] = gid
                groups[gid].append(c)
    return [sorted(g) for g in groups]


def test_the_same_fault_of_the_same_product_links_and_of_another_product_does_not():
    a = fp("这件衬衫洗了一次就严重掉色，白色的内衣都染蓝了。", product="衬衫")
    b = fp("穿了两天就褪色了，袖口颜色完全不一样。", product="衬衫")
    towel = fp("穿了两天就褪色了，袖口颜色完全不一样。", product="毛巾")
    assert "⟨掉色⟩" in a and "⟨掉色⟩" in b  # two wordings, one fault
    assert RULES.linked(a, b)
    assert not RULES.linked(a, towel)


def test_a_shared_fault_with_nothing_else_links_only_when_it_is_most_of_what_both_say():
    assert RULES.linked(fp("家里断网了"), fp("断网一上午了，光猫红灯"))
    long_a = fp("上周在门店办理了套餐变更，营业员态度很差，还推销保险，今天又断网了，合同也没给我。")
    long_b = fp("快递员把包裹放在门口就走了，箱子被雨淋湿，打电话也不接，家里昨天还断网了半天。")
    assert not RULES.linked(long_a, long_b)


def test_the_same_fault_in_two_named_places_is_two_incidents():
    zhangjiang = fp("张江这边断网了，光猫红灯")
    assert not RULES.linked(zhangjiang, fp("闵行这边断网了，光猫红灯", place="闵行"))
    assert RULES.linked(zhangjiang, fp("断网了，张江整个小区都上不了网"))


def test_shopping_platforms_and_function_words_are_no_evidence():
    tokens = fp("另外，在京东自营购买的火龙果，订单编号1234，收到就烂了")
    assert "⟨腐烂变质⟩" in tokens
    assert not tokens & {"京东", "自营", "另外", "编号", "购买", "订单"}


def test_the_issues_unrelated_customers_make_no_group_with_or_without_their_products():
    products = ["电视盒子"] * 3 + ["手机套餐"] * 3 + ["咖啡机"] * 3 + ["羽绒服"] * 3
    assert detect(list(UNRELATED)) == []
    assert detect(list(UNRELATED), products) == []
    # The function words stuffed into outage complaints do not pull the unrelated ones in.
    outage = [f"另外，购买的宽带，编号{n}，张江这边断网了，光猫红灯" for n in range(5)]
    groups = detect([*UNRELATED, *outage])
    assert groups == [list(range(12, 17))]


def test_five_customers_reporting_one_outage_in_their_own_words_are_proposed_as_a_group():
    """The default minimum (5 customers): short, differently worded, among unrelated complaints."""
    outage = [
        "张江这边宽带断了，光猫红灯一直闪",
        "家里没网了，张江汤臣豪园，邻居也一样",
        "张江路一带从下午两点起无法上网",
        "张江片区网络中断两个小时了，什么时候修好？",
        "断网！张江祖冲之路，孩子网课上不了",
    ]
    texts = [*UNRELATED[:6], *outage[:3], *UNRELATED[6:], *outage[3:]]
    groups = detect(texts)
    assert [[texts[i] for i in g] for g in groups] == [outage]


SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "group_precision.py"


def _bench():
    spec = importlib.util.spec_from_file_location("group_precision", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (SCRIPT.parents[2] / "shared" / "data" / "online_shopping_10_cats").exists(),
    reason="no ../shared/data on this machine",
)
@pytest.mark.parametrize("product_field", [False, True])
def test_on_the_labelled_real_reviews_groups_form_and_are_mostly_right(product_field):
    """bench/group_precision.py's labelled set (docs/intelligence.md): 84 real reviews in 9 incidents
    among 200 that belong to none. Before this change no group formed at all."""
    bench = _bench()
    figures = bench.evaluate(product_field=product_field)
    assert figures["pair_precision"] >= 0.85
    assert figures["pair_recall"] >= 0.55
    assert figures["link_precision"] >= 0.85
    assert figures["complaints_grouped_wrongly"] <= 3


def test_masked_personal_data_and_a_credit_freeze_are_no_evidence():
    """Found on the CFPB narratives in ../shared/data: their masks (XXXX) were shared by everyone, and
    a credit freeze read as a device that freezes."""
    assert not fp("On XX/XX/XXXX I called, account ****, XXXX XXXX") & {"xxxx", "xx", "****"}
    assert "⟨死机⟩" not in fp("Equifax placed a credit freeze and froze my account")
    assert "⟨死机⟩" in fp("Since the update my phone keeps freezing")
