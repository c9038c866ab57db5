"""Near-duplicate complaints from different customers: fingerprints, similarity, group decisions. Pure.

A complaint's *fingerprint* is the set of its informative tokens: jieba words without stopwords and
without the words every complaint uses (投诉, 客服, 尽快 …) or says nothing about the subject with
(另外, 编号, 购买, 京东 …); runs of single characters jieba could not place (names of places and estates it
does not know: 张 江 → 张江) as character pairs; a few synonyms folded (宽频 → 宽带); and *faults*
(problem concepts) — one token for the many ways customers say the same thing (断网, 没网, 上不了网,
网络中断, internet down … → ⟨断网⟩; 掉色, 褪色 → ⟨掉色⟩), from a general lexicon of faults of services
and goods, which count double.

Similarity is a weighted Dice coefficient: 2·w(A∩B) / (w(A) + w(B)), halved when both texts name
places (tokens marked "@") and share none. The shared tokens are the explanation an agent reads.

Two complaints are *linked* when they share enough evidence of one incident (`Rules.linked_by`): a
fault and an object (the same product field, place or thing) at the threshold (default 0.18); a fault
alone when it is most of what both say (`fault_alone`, 0.3) and no different places are named; or,
without a fault, near-duplicate text (0.4) alike in two subjects.

Grouping (`decide`), for a new complaint C and the candidates — complaints of *other* customers in
the same region within the sliding window before C that share at least one token with C (found in
the key index, `FingerprintKey`; without a shared token the similarity is 0), plus the members in
the window of any open group among them — of which those linked to C are its neighbours:

- C joins an open group when it is linked to at least `min_links` of that group's members among the
  candidates (to all of them when fewer remain in the window); earlier ungrouped candidates linked
  to `min_links` of the group come with it;
- otherwise, C and its neighbours form a new group when, after dropping every neighbour linked to
  fewer than `min_links` of that set (C included) and adding candidates linked to `min_links` of it,
  at least `min_customers` distinct customers remain. One loose resemblance (a courier complaint
  from the same estate) is not enough to be pulled in; a chain of resemblances across days cannot
  form, since every member is within the window of C.

A decision is bounded whatever the window holds: C is compared once with each candidate; the set a
new group is formed from is the NEIGHBOURS_MAX neighbours most like C, compared pairwise once; the
candidates that may be gathered are the POOL_MAX most like C, each compared with at most PEERS_MAX
members (C and those most like it first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from . import text as textmod

MAX_TOKENS = 64
CONCEPT_WEIGHT = 2.0

# Words nearly every complaint uses: they say nothing about which problem it is.
GENERIC_WORDS = frozenset(
    """投诉 客服 问题 已经 现在 一直 今天 昨天 前天 要求 处理 解决 尽快 希望 请 请问 麻烦 公司 你们 情况 还是 时候
    一下 自己 怎么 什么 为什么 可以 知道 电话 小时 分钟 家里 我家 这边 那边 这样 那样 非常 完全 到底 至少 说明
    几个 好几 一点 一样 整个 开始 下午 上午 晚上 早上 中午 每次 一次 两次 三次 现在 目前 然后 结果 因为 所以
    如果 只能 还要 一个 两个 没有 不是 就是 真的 实在 根本 应该 必须 需要 马上 立即 给我 我们 他们 东西
    please help issue problem customer service today yesterday still now again""".split()
)

# Words that say how a customer writes, not what the complaint is about: connectives, references to
# orders and purchases, remedies asked for, insults, the pieces of a pasted link. Shared by complaints about a TV box, a phone plan and a
# down jacket alike ("另外…编号…购买"), so they never make two complaints alike.
FUNCTION_WORDS = frozenset(
    """另外 此外 而且 并且 然后 还有 其次 首先 最后 总之 以及 同时 并且 况且 何况 不过 只是 可是 然而 虽然 即使
    编号 订单 订单号 单号 记录 购买记录 信息 资料 页面 网站 链接 产品编号 合同号 合同 发票 收据 凭证 流水号 序列号 型号 号码 账号 账户 卡号 批次
    购买 购物 下单 买 买来 买回来 买的 购入 入手 收到 拿到 到手 回来 回家 使用 用过 用了 试用 感觉 觉得 发现 看到 认为
    产品 商品 东西 物品 宝贝 卖家 商家 店家 店铺 本店 网店 商城 平台 官方 客户 顾客 消费者 本人 朋友 家人 老公 老婆
    京东 自营 当当 天猫 淘宝 亚马逊 拼多多 苏宁 国美 唯品会 携程 美团
    质量 效果 价格 价钱 性价比 服务 态度 体验 评价 差评 好评 五星 一星 推荐 建议 希望 失望 满意 不满 后悔 郁闷 生气
    退货 换货 退换 退款 赔偿 补偿 理赔 售后 联系 沟通 咨询 反映 反馈 回复 答复 解释 告诉 表示 承诺 说法 理由 原因
    时间 时候 之前 之后 以后 以前 当时 后来 刚刚 最近 每天 每次 一天 一周 一个月 几天 半天 一年 今年 去年 次数
    大家 各位 亲们 这次 那次 上次 下次 一定 肯定 可能 应该 居然 竟然 简直 特别 比较 有点 一些 这种 那种 东西
    垃圾 骗子 坑人 坑爹 无语 http https www com cn html""".split()
)

# Parts of speech (jieba's dictionary tag of the word) that carry no subject: conjunctions (另外),
# adverbs, prepositions, particles, pronouns, numerals, measure words, time and direction words,
# interjections, onomatopoeia, adjectives and idioms (opinions, not what happened).
FUNCTION_TAGS = frozenset(
    "c d p u uj ul uz ud ug uv r rr rz m mq q t tg f y e o zg k h x a ad ag an z i l s".split()
)
# Tags of subjects: nouns of every kind (product, thing, place, organisation), verb-nouns (断供).
SUBJECT_TAGS = frozenset("n nr nrt nrfg ns nt nz ng vn j".split())

SYNONYMS = {
    "宽频": "宽带", "网路": "网络", "wifi": "无线网", "internet": "网络", "broadband": "宽带", "router": "路由器",
    "modem": "光猫", "signal": "信号", "bill": "账单", "refund": "退款", "courier": "快递员", "parcel": "包裹",
    "package": "包裹", "delivery": "配送", "charge": "扣费", "charged": "扣费", "fee": "费用",
}  # fmt: skip

# Product: words of the complaint's "product" field, marked "#". Two complaints whose product fields
# share no word are about different products: they are never linked. Sharing one is not the same
# problem: the field's words weigh nothing in the similarity and do not count as a shared subject.
PRODUCT = "#"
# Places: words jieba's dictionary tags as place names (ns), words ending like an address (…区, …路,
# …镇), and names jieba does not know (runs of single characters, as pairs: 张江). Marked "@" in the
# fingerprint. Two texts that both name places and share none are about different places: their
# similarity is multiplied by DIFFERENT_PLACES_FACTOR. Cities and words every address has are no place.
PLACE = "@"
DIFFERENT_PLACES_FACTOR = 0.5
_ADDRESS_WORD = re.compile(r"^[\u4e00-\u9fff]{2,8}(区|县|镇|乡|路|街|村|弄|苑|园|城|广场|大厦)$")
NOT_PLACES = frozenset(
    """上海 北京 广州 深圳 杭州 南京 天津 重庆 成都 武汉 西安 长沙 郑州 苏州 中国 全国 本地 当地 新城 新村 小区 花园
    社区 附近 地区 片区 一带 区域 城区 市区 家里 楼下 门口 路上 道路 街道 马路 公园 中断 上门 线路 网路
    京东 当当 天猫 淘宝 亚马逊 拼多多 苏宁 国美 唯品会""".split()
)

# Problem concepts — what went wrong, the *fault* — as (token, pattern over the normal form): one token
# for the many ways customers say the same thing. Counted once per text, weighted double. A general
# lexicon of faults of services (network, signal, billing, log-in, supply, delivery, payment) and of
# goods (freezing devices, batteries, heat, leaks, noise, smell, colour, wear, damage, spoilt food,
# expiry, counterfeits, allergies, missing parts, printing, not as described, hygiene); written from
# how complaints are worded, not learnt from any data set.
CONCEPTS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "⟨断网⟩",
            r"断网|没网|网断|(网|宽带|网络).{0,12}断了|宽带.{0,4}(中断|故障|瘫痪|不通)|上不了|上不去|无法上网|不能上网"
            r"|连不上|无法连接|网络.{0,3}(中断|瘫痪|故障|不通)|掉线|\b(internet|broadband|network|wifi)\b.{0,30}"
            r"\b(down|outage|not working|dropp\w*)\b|\boutage\b",
        ),
        (
            "⟨无信号⟩",
            r"没信号|没有信号|无信号|信号.{0,4}(差|弱|中断)|打不出去|打不通|\bno (signal|service)\b",
        ),
        ("⟨网速慢⟩", r"网速.{0,4}(慢|差)|网络.{0,2}(很卡|卡顿|太卡)|\bslow (internet|connection|speed)\b"),
        ("⟨重复扣费⟩", r"重复扣|扣了两次|多扣|乱扣|扣费异常|double charge|charged twice|overcharg"),
        (
            "⟨无法登录⟩",
            r"登录不上|登不上|无法登录|登录失败|app.{0,6}(打不开|闪退|崩溃)|cannot log ?in|can't log ?in",
        ),
        ("⟨停电停水⟩", r"停电|停水|断电|断水|停气|power (cut|outage)"),
        ("⟨快递延误⟩", r"物流.{0,6}(不更新|没更新|停滞)|快递.{0,6}(没到|未到|延误|积压)|delivery.{0,10}late"),
        (
            "⟨收费过高⟩",
            r"乱收费|多收(费|钱|了)|收费.{0,4}(高|贵|不合理|不透明)|(安装|材料|上门|服务|手续|维修)费.{0,10}(贵|高|黑)"
            r"|(安装|上门|维修).{0,4}(太|好|很|有点|这么)贵|\b(hidden fees?|overpric\w*)\b",
        ),
        (
            "⟨支付失败⟩",
            r"支付失败|付不了款|无法支付|转账.{0,4}(失败|不到账|未到账)|\b(payment|transfer)s? failed\b",
        ),
        (
            "⟨死机⟩",
            r"死机|卡死|黑屏|蓝屏|花屏|闪退|自动重启|反复重启|老是重启|自动关机|开不了机|无法开机|不能开机"
            # English only with a device: "credit freeze" and "froze my account" are no fault of a device.
            r"|\b(phone|app|screen|computer|laptop|tablet|tv|device|system|router)\b.{0,20}"
            r"\b(freez(e|es|ing)|froze|crash(es|ed|ing)?|keeps? restarting)\b",
        ),
        (
            "⟨卡顿⟩",
            r"(很|太|好|超级|特别|非常|有点|老是|经常|越来越)卡|卡卡|卡顿|卡得|卡机|(运行|反应|开机).{0,4}慢"
            r"|\b(lag|lagg(y|ing)|sluggish)\b",
        ),
        (
            "⟨电池充电⟩",
            r"充不进电|充不上电|无法充电|不能充电|不充电|电池.{0,4}(鼓包|不耐用|不行|坏)|(耗电|掉电).{0,2}(快|厉害)"
            r"|\bbattery\b.{0,20}\b(drain\w*|dead|swell\w*)\b",
        ),
        ("⟨发热⟩", r"发烫|过热|烫手|发热.{0,2}(严重|厉害|很大)|\boverheat\w*"),
        ("⟨漏水⟩", r"漏水|渗水|滴水|漏液|漏油|漏气|\bleak(s|ed|ing)?\b"),
        ("⟨不加热⟩", r"不加热|不出热水|没有热水|没热水|水不热|加热.{0,4}(慢|不了)|水温.{0,4}(低|不够|不稳)"),
        ("⟨噪音⟩", r"噪音|噪声|隔音.{0,2}(差|不好)|太吵|很吵|吵得|\bnois(e|y)\b"),
        ("⟨异味⟩", r"异味|臭味|怪味|霉味|刺鼻|味道.{0,4}(大|重|难闻|刺)|\b(smell\w*|stink\w*)\b"),
        ("⟨掉色⟩", r"掉色|褪色|脱色|串色|染色|\bfad(e|ed|es|ing)\b"),
        ("⟨起球缩水⟩", r"起球|缩水|开线|脱线|跑绒|钻绒|\b(shr[iu]nk\w*|pilling)\b"),
        (
            "⟨破损⟩",
            r"破损|压坏|压扁|摔坏|碎了|裂了|裂开|裂缝|划痕|磕碰|\b(damaged|cracked|smashed)\b",
        ),
        (
            "⟨腐烂变质⟩",
            r"腐烂|烂了|烂掉|烂果|坏果|发霉|霉变|长毛|变质|馊了|发臭|不新鲜|\b(rotten|mou?ldy|spoil(ed|t))\b",
        ),
        ("⟨过期⟩", r"过期|临期|生产日期|保质期|改日期|\bexpired\b"),
        (
            "⟨假货⟩",
            r"假货|假冒|仿冒|假的|山寨|高仿|冒牌|不是正品|非正品|\b(counterfeit|fake)\b",
        ),
        ("⟨盗版⟩", r"盗版|翻印|\bpirat(ed|e|es)\b"),
        ("⟨过敏⟩", r"过敏|发痒|瘙痒|很痒|特痒|痒死|红肿|起疹|疹子|头皮屑|\b(itch\w*|rash(es)?|allerg\w*)\b"),
        (
            "⟨少发错发⟩",
            r"少发|漏发|发错|错发|缺件|少了一|配件.{0,4}(少了|缺|没有)|\b(missing|wrong) (item|part)s?\b",
        ),
        (
            "⟨印刷缺陷⟩",
            r"缺页|错页|重复页|倒装|掉页|印刷.{0,6}(差|模糊|不清|错误|问题)|字迹.{0,2}模糊|(纸质|纸张).{0,6}(差|薄|不好)",
        ),
        (
            "⟨与描述不符⟩",
            r"虚假宣传|(与|和|跟)(描述|图片|宣传|介绍).{0,4}(不符|不一样|不同)|货不对板|\bnot as (described|advertised)\b",
        ),
        ("⟨不卫生⟩", r"不卫生|很脏|太脏|脏的|脏兮兮|蟑螂|虫子|\b(dirty|cockroach\w*|bedbugs?)\b"),
    )
)

_tag_table: dict[str, str] | None = None


def _word_tags() -> dict[str, str]:
    """jieba's word → part-of-speech table (its own dictionary, loaded once, ~1 s)."""
    global _tag_table
    if _tag_table is None:
        textmod._jieba_module()
        import jieba.posseg

        _tag_table = jieba.posseg.dt.word_tag_tab
    return _tag_table


def _is_place(word: str) -> bool:
    if word in NOT_PLACES or len(word) < 2:
        return False
    return _word_tags().get(word) == "ns" or bool(_ADDRESS_WORD.match(word))


_CJK_CHAR = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$")


def is_concept(token: str) -> bool:
    return token.startswith("⟨")


_DIGITS = re.compile(r"\d")
_MASK = re.compile(r"^(x{2,}|\*+)$")  # masked personal data (XXXX, ****): says nothing


def _is_function_word(word: str, tags: dict[str, str]) -> bool:
    """True for a word that says nothing about what the complaint is about (see FUNCTION_WORDS)."""
    if word in FUNCTION_WORDS or word in GENERIC_WORDS or word in textmod.STOPWORDS:
        return True
    if _DIGITS.search(word) or _MASK.match(word):  # numbers, amounts, dates, masks: never shared
        return True
    return tags.get(word) in FUNCTION_TAGS


def is_subject(token: str) -> bool:
    """A token that says what a complaint is about: a problem concept (the fault), a place, the
    product field, or a noun (the thing: 电视盒子, 宽带, 羽绒服). Two complaints are linked only when
    they share one of these."""
    head = token[:1]
    if head in ("⟨", PLACE, PRODUCT):
        return True
    tag = _word_tags().get(token)
    return tag is None or tag in SUBJECT_TAGS  # words jieba does not know: domain words, Latin words


def _words(normal: str) -> list[str]:
    """jieba words and Latin words of a normal text, with "" where a Latin run breaks a run of single
    characters."""
    raw_tokens: list[str] = []
    for index, part in enumerate(textmod._CJK_RUNS.split(normal)):
        if not part:
            continue
        if index % 2:
            raw_tokens += textmod._jieba_module().lcut(part, HMM=False)
        else:
            raw_tokens += textmod._LATIN_WORDS.findall(part)
            raw_tokens.append("")  # a Latin run breaks a run of single characters
    return raw_tokens


def _field_words(raw: str | None) -> list[str]:
    """The words of a short field (product, place): jieba words, and names jieba does not know as
    pairs of their characters (张 江 → 张江), without function words and numbers."""
    normal = textmod.normalise(raw)[:200]
    if not normal or not textmod.has_content(normal):
        return []
    tags = _word_tags()
    out: list[str] = []
    run: list[str] = []
    for word in [*_words(normal), ""]:
        if len(word) == 1 and _CJK_CHAR.match(word) and word not in textmod.STOPWORDS:
            run.append(word)
            continue
        out += [a + b for a, b in zip(run, run[1:], strict=False) if not _is_function_word(a + b, tags)]
        run.clear()
        if len(word) < 2 or not textmod._is_word(word) or _is_function_word(word, tags):
            continue
        out.append(SYNONYMS.get(word, word))
    return out


def fingerprint(raw: str | None, *, product: str | None = "", place: str | None = "") -> list[str]:
    """The informative tokens of a text, concepts first, then the product and place fields, then the
    text's words in order of appearance, at most MAX_TOKENS. Function words (另外, 编号, 购买 …: see
    FUNCTION_WORDS, FUNCTION_TAGS) and numbers are left out. Any text at all gives a (possibly empty)
    list; never raises."""
    normal = textmod.normalise(raw)
    tokens: list[str] = []
    if normal and textmod.has_content(normal):
        normal = normal[: textmod.MODEL_MAX_CHARS]
        tokens += [name for name, pattern in CONCEPTS if pattern.search(normal)]
    for word in _field_words(product):
        tokens.append(PRODUCT + word)
    for word in _field_words(place):
        if word not in NOT_PLACES:
            tokens.append(PLACE + word)
    if not normal or not textmod.has_content(normal):
        return list(dict.fromkeys(tokens))[:MAX_TOKENS]
    tags = _word_tags()
    run: list[str] = []

    def flush() -> None:
        for a, b in zip(run, run[1:], strict=False):
            pair = a + b
            if pair in NOT_PLACES or _is_function_word(pair, tags):
                continue
            # A pair jieba knows as another kind of word (线路, 上门) is that word, not a name.
            tokens.append(PLACE + pair if tags.get(pair, "ns") == "ns" else pair)
        run.clear()

    for word in [*_words(normal), ""]:
        if len(word) == 1 and _CJK_CHAR.match(word) and word not in textmod.STOPWORDS:
            run.append(word)
            continue
        flush()
        if len(word) < 2 or not textmod._is_word(word) or _is_function_word(word, tags):
            continue
        word = SYNONYMS.get(word, word)
        tokens.append(PLACE + word if _is_place(word) else word)
    seen: dict[str, None] = {}
    for token in tokens:
        if token not in seen:
            seen[token] = None
            if len(seen) >= MAX_TOKENS:
                break
    return list(seen)


# Tokens are filed in the key index (`FingerprintKey`) under their first this-many characters.
KEY_MAX_LENGTH = 32


def keys(tokens: Iterable[str]) -> list[str]:
    """The index keys of a fingerprint: its tokens, cut to KEY_MAX_LENGTH, once each."""
    return list(dict.fromkeys(t[:KEY_MAX_LENGTH] for t in tokens if t))


def dump(tokens: Sequence[str]) -> str:
    return " ".join(tokens)


def load(stored: str) -> frozenset[str]:
    return frozenset(stored.split()) if stored else frozenset()


def _weight(tokens: frozenset[str]) -> float:
    """Concepts count double; a fault's own words (断网, 掉色) nothing more, since their concept already
    counts them; the product field's words not at all (they only keep different products apart: the
    same product is not the same problem)."""
    weight = 0.0
    for t in tokens:
        head = t[:1]
        if head == "⟨":
            weight += CONCEPT_WEIGHT
        elif head != PRODUCT and not is_fault_word(t):
            weight += 1.0
    return weight


def _places(tokens: frozenset[str]) -> set[str]:
    return {t for t in tokens if t[:1] == PLACE}


def _products(tokens: frozenset[str]) -> set[str]:
    return {t for t in tokens if t[:1] == PRODUCT}


def _adjusted(score: float, a_places, b_places, a_products, b_products) -> float:
    if a_products and b_products and not a_products & b_products:
        return 0.0  # the product fields name different products
    if a_places and b_places and not a_places & b_places:
        return score * DIFFERENT_PLACES_FACTOR
    return score


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted Dice coefficient of two fingerprints, 0 … 1; halved when both name places and they
    share none; 0 when both have a product field and those share no word."""
    if not a or not b:
        return 0.0
    common = a & b
    if not common:  # most pairs: nothing to weigh
        return 0.0
    total = _weight(a) + _weight(b)
    if not total:
        return 0.0
    score = 2 * _weight(common) / total
    return _adjusted(score, _places(a), _places(b), _products(a), _products(b))


def shared_words(a: frozenset[str], b: frozenset[str], *, top: int = 8) -> list[str]:
    """What two fingerprints share, concepts first, then longer words: the explanation."""
    common = a & b
    return sorted(common, key=lambda t: (not is_concept(t), -len(t), t))[:top]


def display_token(token: str) -> str:
    return token.lstrip(PLACE + PRODUCT).strip("⟨⟩")


@lru_cache(maxsize=65536)
def is_fault_word(token: str) -> bool:
    """A word that is itself a way of saying a fault (掉色, 断网, 盗版书): it duplicates the fault's
    concept token and is no second piece of evidence."""
    word = token.lstrip(PLACE + PRODUCT)
    return any(pattern.search(word) for _name, pattern in CONCEPTS)


def shared_evidence(common: Iterable[str], *, apart: bool = False) -> tuple[int, int]:
    """(faults, objects) two fingerprints share: problem concepts, and what the fault is about — the
    same product (product field), the same place, or the same thing (a noun other than the fault's own
    words: 光猫, 裤子, 蒙牛). When they name different places (`apart`), a shared thing is no object:
    the red light of 张江's modems and of 闵行's are two outages; only the same product field is."""
    faults = objects = 0
    for token in common:
        if is_concept(token):
            faults += 1
        elif token[:1] in (PLACE, PRODUCT) or (not apart and is_subject(token) and not is_fault_word(token)):
            objects += 1
    return faults, objects


# --- decisions ---


@dataclass(frozen=True)
class Candidate:
    complaint_id: int
    customer_id: int
    tokens: frozenset[str]
    group_id: int | None = None  # the open group it belongs to, if any
    # Computed once per candidate: every comparison reuses them.
    weight: float = field(init=False, repr=False, compare=False)
    places: frozenset[str] = field(init=False, repr=False, compare=False)
    products: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", _weight(self.tokens))
        object.__setattr__(self, "places", frozenset(_places(self.tokens)))
        object.__setattr__(self, "products", frozenset(_products(self.tokens)))


def _apart(a_places, b_places) -> bool:
    """Both name places and none is the same: two places, two incidents."""
    return bool(a_places and b_places and not a_places & b_places)


def _score(a: Candidate, b: Candidate) -> tuple[float, frozenset[str], bool]:
    """`similarity` of two candidates (with their weights computed once), what they share, and
    whether they name different places."""
    common = a.tokens & b.tokens
    if not common:
        return 0.0, common, False
    total = a.weight + b.weight
    apart = _apart(a.places, b.places)
    if not total:  # only product-field words: nothing said about the problem
        return 0.0, common, apart
    score = 2 * _weight(common) / total
    return _adjusted(score, a.places, b.places, a.products, b.products), common, apart


@dataclass(frozen=True)
class Rules:
    threshold: float = 0.18  # similar enough, when both describe the same problem concept
    near_duplicate: float = 0.4  # similar enough without a shared concept (copied or templated text)
    fault_alone: float = 0.3  # similar enough with a shared fault and nothing else shared
    min_customers: int = 5
    min_links: int = 2

    def linked(self, a: frozenset[str], b: frozenset[str]) -> bool:
        return self.linked_by(similarity(a, b), a & b, _apart(_places(a), _places(b)))

    def link(self, a: Candidate, b: Candidate) -> bool:
        return self.linked_by(*_score(a, b))

    def linked_by(self, score: float, common: frozenset[str], apart: bool = False) -> bool:
        """Linked: similar enough and sharing enough evidence of one incident — the minimum is a shared
        fault and an object (`shared_evidence`: the same product, place or thing) at `threshold`; a
        shared fault alone only when it is most of what both say (`fault_alone`) and they do not name
        different places (`apart`); without a shared fault, copied or templated text."""
        if score < self.threshold:
            return False
        faults, objects = shared_evidence(common, apart=apart)
        if faults:
            return objects >= 1 or (score >= self.fault_alone and not apart)
        # Without a shared fault: copied or templated text, alike in at least two subjects.
        said = [t for t in common if t[:1] != PRODUCT]
        return score >= self.near_duplicate and sum(map(is_subject, said)) >= 2


@dataclass
class Decision:
    """`join` an existing group or open a new one; `members` are the complaints (other than C) that
    go into that group with C (for a join: earlier ungrouped ones pulled in with it)."""

    join: int | None = None
    open: bool = False
    members: list[int] = field(default_factory=list)
    similarity: dict[int, float] = field(default_factory=dict)  # candidate id → similarity to C
    shared: dict[int, list[str]] = field(default_factory=dict)  # candidate id → shared tokens with C


# Bounds that keep one decision cheap however many near-duplicates a window holds (templated text,
# a real mass outage): C is compared with every candidate once; the pairwise checks among the
# others are limited to the complaints most like C.
NEIGHBOURS_MAX = 50  # complaints linked to C that a new group is formed from
POOL_MAX = 60  # ungrouped candidates loosely like C that may be gathered into the group
PEERS_MAX = 20  # members a gathered candidate must be linked to (min_links of them)
EXPAND_ROUNDS = 2


def _links(candidate: Candidate, others: Iterable[Candidate], rules: Rules, *, enough: int) -> int:
    """How many of `others` the candidate is linked to (counting stops at `enough`)."""
    count = 0
    for other in others:
        if other.complaint_id != candidate.complaint_id and rules.link(candidate, other):
            count += 1
            if count >= enough:
                break
    return count


def _prune(me: Candidate, members: list[Candidate], rules: Rules) -> list[Candidate]:
    """Drop, until none is left, every member linked to fewer than `min_links` of the set (C
    included; C is linked to all of them). Each pair is compared once."""
    linked_to: dict[int, set[int]] = {m.complaint_id: set() for m in members}
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if rules.link(a, b):
                linked_to[a.complaint_id].add(b.complaint_id)
                linked_to[b.complaint_id].add(a.complaint_id)
    present = set(linked_to)
    while True:
        weak = {cid for cid in present if 1 + len(linked_to[cid] & present) < rules.min_links}
        if not weak:
            break
        present -= weak
    return [m for m in members if m.complaint_id in present]


def _expand(members: list[Candidate], pool: list[Candidate], rules: Rules) -> list[Candidate]:
    """Pull in candidates linked to at least `min_links` of the members (of the first PEERS_MAX of
    them: C, then those most like C), for at most EXPAND_ROUNDS passes."""
    present = {m.complaint_id for m in members}
    rest = [c for c in pool if c.complaint_id not in present]
    peers = members[:PEERS_MAX]
    for _round in range(EXPAND_ROUNDS):
        grown = False
        for candidate in list(rest):
            needed = min(rules.min_links, len(peers))
            if _links(candidate, peers, rules, enough=needed) >= needed:
                members.append(candidate)
                rest.remove(candidate)
                if len(peers) < PEERS_MAX:
                    peers.append(candidate)
                grown = True
        if not grown or not rest:
            break
    return members


def decide(
    *,
    tokens: frozenset[str],
    customer_id: int,
    candidates: Sequence[Candidate],
    rules: Rules,
    complaint_id: int = 0,
) -> Decision:
    """The decision for C (see the module's docstring). Bounded: one comparison of C with each
    candidate, then at most about NEIGHBOURS_MAX² + POOL_MAX × PEERS_MAX × EXPAND_ROUNDS among the
    others."""
    decision = Decision()
    if not tokens:
        return decision
    me = Candidate(complaint_id=complaint_id, customer_id=customer_id, tokens=tokens)
    others = [c for c in candidates if c.customer_id != customer_id and c.tokens]
    scored = {c.complaint_id: _score(me, c) for c in others}
    scores = {cid: score for cid, (score, _common, _apart) in scored.items()}

    def linked_to_me(c: Candidate) -> bool:
        return rules.linked_by(*scored[c.complaint_id])

    most_like_me = sorted(others, key=lambda c: (-scores[c.complaint_id], -c.complaint_id))
    neighbours = [c for c in most_like_me if linked_to_me(c)]
    if not neighbours:
        return decision
    # Ungrouped candidates loosely like C: where earlier members a new group should gather are.
    pool = [c for c in most_like_me if c.group_id is None and scores[c.complaint_id] >= rules.threshold / 2]
    pool = pool[:POOL_MAX]

    in_window: dict[int, list[Candidate]] = {}
    for c in most_like_me:
        if c.group_id is not None:
            in_window.setdefault(c.group_id, []).append(c)
    links = {gid: sum(1 for c in neighbours if c.group_id == gid) for gid in in_window}
    joinable = [(n, gid) for gid, n in links.items() if n and n >= min(rules.min_links, len(in_window[gid]))]
    if joinable:
        decision.join = max(joinable)[1]
        core = [me, *in_window[decision.join]]
        members = _expand(core, pool, rules)[len(core) :]
    else:
        members = _prune(me, [c for c in neighbours if c.group_id is None][:NEIGHBOURS_MAX], rules)
        members = _expand([me, *members], pool, rules)[1:]
        customers = {customer_id} | {c.customer_id for c in members}
        if len(customers) < rules.min_customers:
            return decision
        decision.open = True
    decision.members = sorted(c.complaint_id for c in members)
    for c in [*members, *(in_window.get(decision.join, []) if decision.join else [])]:
        decision.similarity[c.complaint_id] = round(scores[c.complaint_id], 4)
        decision.shared[c.complaint_id] = shared_words(tokens, c.tokens)
    return decision


def group_title(fingerprints: Sequence[frozenset[str]], *, top: int = 4) -> list[str]:
    """The tokens most members share (at least half of them), concepts first: the group's name."""
    counts: dict[str, int] = {}
    for tokens in fingerprints:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    half = max(2, (len(fingerprints) + 1) // 2)
    common = [t for t, n in counts.items() if n >= half]
    return sorted(common, key=lambda t: (not is_concept(t), -counts[t], -len(t), t))[:top]


# --- how strong the evidence of a detected group is ---


@dataclass(frozen=True)
class StrongRules:
    """When a detected group acts at once (batch and reputation-risk flags, escalation, customers told)
    instead of waiting for a supervisor's confirmation — all of:
    - at least `min_customers` distinct customers;
    - at least `share` of the members name one common place (text or place field: 张江);
    - at least `share` of the members name one common fault (a problem concept: ⟨断网⟩) or one common
      word of the product field — a shared noun alone (羽绒服) is not enough;
    - the members' median similarity to the complaint that formed (or last joined) the group is at
      least `similarity` (every member is linked, i.e. ≥ 0.18; this asks for more than the minimum)."""

    min_customers: int = 8
    share: float = 0.8
    similarity: float = 0.2


@dataclass(frozen=True)
class Evidence:
    strong: bool
    customers: int
    place: str | None  # the common place (display form), if any
    subject: str | None  # the common fault / product / thing, if any
    median_similarity: float

    def as_dict(self) -> dict:
        return {
            "strong": self.strong,
            "customers": self.customers,
            "place": self.place,
            "subject": self.subject,
            "median_similarity": round(self.median_similarity, 4),
        }


def evidence(
    fingerprints: Sequence[frozenset[str]],
    *,
    customers: int,
    similarities: Sequence[float],
    rules: StrongRules,
) -> Evidence:
    """How strong the evidence that `fingerprints` (the group's members) are one incident is."""
    counts: dict[str, int] = {}
    for tokens in fingerprints:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    needed = max(1, -(-len(fingerprints) * rules.share // 1))  # ceil
    common = sorted((t for t, n in counts.items() if n >= needed), key=lambda t: (-counts[t], -len(t), t))
    place = next((t for t in common if t[:1] == PLACE), None)
    subject = next((t for t in common if is_concept(t)), None) or next(
        (t for t in common if t[:1] == PRODUCT), None
    )
    ordered = sorted(similarities)
    median = ordered[len(ordered) // 2] if ordered else 0.0
    strong = (
        customers >= rules.min_customers
        and place is not None
        and subject is not None
        and median >= rules.similarity
    )
    return Evidence(
        strong=strong,
        customers=customers,
        place=display_token(place) if place else None,
        subject=display_token(subject) if subject else None,
        median_similarity=median,
    )
