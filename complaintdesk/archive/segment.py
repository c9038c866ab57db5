"""Chinese word segmentation for the archive's full-text index. No database.

Documents and queries go through the same steps, so that a word in a query is the same token as in
the index: the intelligence app's normal form (NFKC, lower case, traditional → simplified), then
jieba's `cut_for_search` (which adds the shorter words inside long ones: 信用卡 → 信用, 信用卡), with
stop-words and punctuation dropped. Latin words and numbers pass through as they are.
Changing the dictionary or the stop-words means running `manage.py archive_reindex`.
"""

import logging
import re
import threading
from functools import lru_cache

from complaintdesk.intelligence.text import DOMAIN_WORDS, STOPWORDS, normalise

# Bounded: a pasted 50 KB e-mail costs the same as a long complaint.
MAX_CHARS = 6000
QUERY_MAX_CHARS = 200
QUERY_MAX_TERMS = 12

# Words that carry no meaning in a complaint archive, beyond the shared stop-words.
ARCHIVE_STOPWORDS = STOPWORDS | frozenset(
    "客户 投诉 反映 表示 称 问题 情况 已经 一直 还是 现在 今天 昨天 一下 一些 什么 怎么 为什么 如果 因为 所以 然后 可以"
    " 需要 希望 要求 进行 已 未 该 此 等 您 请".split()
)

# Vocabulary jieba's general dictionary lacks (it would cut 年费 into 年 / 费). Added to the archive's own
# tokenizer, not jieba's shared one, so that other apps' segmentation does not depend on this app.
ARCHIVE_WORDS = (
    "年费 免年费 盗刷 分光器 宽限期 到账 销户 预存 装机 装维 理赔 保价 漏扫 征信 逾期 挂失 换卡 账单 分期 手续费"
    " 违约金 滞纳金 积分 提额 降额 资费 套餐费 流量费 漫游费 营业厅 网点 外卖 骑手 退货 换货 质保 保修 售后 维修费"
    " 上门费 物业费 停车费 燃气费 押金 会员费 自动续费 扣款 信号差 快递费 运费券 理财 保单 退保 拒赔"
).split()

_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """The archive's jieba tokenizer: jieba's dictionary plus the domain and archive words."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                built = jieba.Tokenizer()
                built.initialize()
                for word in (*DOMAIN_WORDS, *ARCHIVE_WORDS):
                    built.add_word(word)
                _tokenizer = built
    return _tokenizer


_CJK_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_LATIN_WORDS = re.compile(r"[^\W_]+")


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


# Runs of Chinese characters between punctuation are short clauses that recur across documents
# (place names, stock phrases); their words are remembered, which makes bulk indexing several times faster.
RUN_CACHE_SIZE = 50_000
RUN_CACHE_MAX_CHARS = 40


@lru_cache(maxsize=RUN_CACHE_SIZE)
def _run_words_cached(run: str) -> tuple[str, ...]:
    return _run_words(run)


def _run_words(run: str) -> tuple[str, ...]:
    """The index words of one run of Chinese characters (a run is segmented on its own)."""
    words = tokenizer().cut_for_search(run, HMM=False)
    return tuple(t for t in words if _is_word(t) and t not in ARCHIVE_STOPWORDS)


def tokens(text: str | None, *, max_chars: int = MAX_CHARS) -> list[str]:
    """The index words of a text, in order, repeats kept (they count in ranking)."""
    normal = normalise((text or "")[: max_chars * 2])[:max_chars]
    if not normal:
        return []
    out: list[str] = []
    for index, part in enumerate(_CJK_RUNS.split(normal)):
        if not part:
            continue
        if index % 2:
            out += _run_words_cached(part) if len(part) <= RUN_CACHE_MAX_CHARS else _run_words(part)
        else:
            out += (t for t in _LATIN_WORDS.findall(part) if t not in ARCHIVE_STOPWORDS)
    return out


def segmented(*texts: str | None) -> str:
    """The words of several texts as one space-separated string: what the index stores."""
    words: list[str] = []
    for text in texts:
        words += tokens(text)
    return " ".join(words)


def query_terms(query: str | None) -> list[str]:
    """The distinct words of a search query, in order (at most QUERY_MAX_TERMS)."""
    seen: dict[str, None] = {}
    for token in tokens(query, max_chars=QUERY_MAX_CHARS):
        seen.setdefault(token, None)
    return list(seen)[:QUERY_MAX_TERMS]


def key_words(text: str, *, top_k: int = 6) -> list[str]:
    """The text's most telling words (jieba's TF-IDF), for "similar cases"; stop-words dropped."""
    normal = normalise(text)[:MAX_CHARS]
    words = _tfidf().extract_tags(normal, topK=top_k * 3)
    picked = [w for w in words if _is_word(w) and w not in ARCHIVE_STOPWORDS and len(w) > 1]
    return picked[:top_k]


_tfidf_instance = None


def _tfidf():
    """jieba's TF-IDF keyword extractor (its bundled IDF table) over the archive's tokenizer."""
    global _tfidf_instance
    if _tfidf_instance is None:
        import jieba.analyse

        extractor = jieba.analyse.TFIDF()
        extractor.tokenizer = tokenizer()
        _tfidf_instance = extractor
    return _tfidf_instance


def warm() -> None:
    """Load jieba's dictionary, the archive's words and the TF-IDF table now (about 2 s and 70 MB), so that
    no page waits for them: the case page's similar cases and the archive search need them, and a web
    worker calls this as it starts (config/gunicorn.conf.py), before it takes its first request."""
    _tfidf()
