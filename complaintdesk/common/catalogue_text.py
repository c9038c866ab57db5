"""A sentence the system stored, in the reader's language.

The system writes some texts once and keeps them: a timeline event's reason ("通过电话登记（记录人：张晓雯
A1001）", "状态变更后重算时限"). They are written in the language of whoever's request wrote them, built
from sentences of the translation catalogue with their blanks filled (`_("通过%(channel)s登记") % {...}`),
sometimes several in a row ("…登记" + "（记录人：…）") or one per line (a result's 原因 / 措施 / 结果).
Stored text is what the hash chain seals and what exports carry, so it is never rewritten. A reader of
the other language is shown the same sentences from the catalogue in theirs, the blanks carried over —
each blank itself translated when it is catalogue text (a channel's name: 电话 → Phone). A text that is
not made of catalogue sentences (what a person typed) is shown as written, whole: never half translated.

Two languages are known (Chinese, the catalogues' source, and English): the English catalogue is read in
both directions. Names that are configuration, not catalogue text (a unit's 网络部 / Network Department), come
from providers the owning apps register (`catalogue_names_register`), and count as catalogue words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.utils import translation
from django.utils.translation import trans_real

_BLANK = re.compile(r"%\((\w+)\)[sd]|%%")
_FIRST_FIXED = 3  # fixed characters the first sentence of a line needs ("%(a)s：%(b)s" would match anything)
_OPEN_FIXED = 5  # and a line that begins with a blank ("%(what)s已通过%(channel)s发送至 %(to)s")
_MAX_PIECES = 6  # sentences in a row on one line
_BLANK_DEPTH = 2  # a blank that is itself catalogue text is translated too, this deep


# Providers of {Chinese name: English name}, e.g. the org units'; each returns the same mapping object
# while its configuration is unchanged (common.configcache), a new one after a change.
NamesProvider = Callable[[], Mapping[str, str]]
_NAMES: list[NamesProvider] = []


def catalogue_names_register(provider: NamesProvider) -> None:
    """Called from an AppConfig.ready(): names its configuration gives in both languages."""
    if provider not in _NAMES:
        _NAMES.append(provider)


@dataclass(frozen=True)
class _Pattern:
    head: str  # the fixed text it begins with ("" when it begins with a blank)
    regex: re.Pattern  # everything but a blank it ends with; a blank never spans lines
    open_end: str | None  # the name of the blank it ends with, if it does
    target: str  # the same sentence in the other language, with the same %(name)s blanks
    fixed: int  # characters of fixed text: the most specific pattern is tried first


@dataclass(frozen=True)
class _Direction:
    exact: dict[str, str]
    longest_exact: int
    by_first: dict[str, tuple[_Pattern, ...]]  # by the first character of the fixed text it begins with
    open_start: tuple[_Pattern, ...]  # patterns that begin with a blank


def _pattern(source: str, target: str) -> _Pattern | None:
    blanks = list(_BLANK.finditer(source))
    names = [m.group(1) for m in blanks if m.group(1)]
    if not names or set(names) != {m.group(1) for m in _BLANK.finditer(target) if m.group(1)}:
        return None
    open_end = blanks[-1].group(1) if blanks[-1].end() == len(source) and blanks[-1].group(1) else None
    if open_end and open_end in names[:-1]:
        return None  # a repeated blank at the end: not worth the trouble
    parts, seen, position, fixed = [], set(), 0, 0
    for match in blanks[:-1] if open_end else blanks:
        literal = source[position : match.start()]
        parts.append(re.escape(literal))
        fixed += len(literal)
        name = match.group(1)
        if name is None:  # %%
            parts.append("%")
            fixed += 1
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>[^\n]+?)")
            seen.add(name)
        position = match.end()
    literal = source[position : blanks[-1].start()] if open_end else source[position:]
    parts.append(re.escape(literal))
    fixed += len(literal)
    if fixed == 0:
        return None
    head = source[: blanks[0].start()]
    return _Pattern(
        head=head, regex=re.compile("".join(parts)), open_end=open_end, target=target, fixed=fixed
    )


@lru_cache(maxsize=4)
def _direction(into: str, catalogue_id: int, names: tuple[Mapping[str, str], ...]) -> _Direction:
    """From the other language into `into` ("en" or "zh"), built once per process, catalogue and names."""
    del catalogue_id  # part of the cache key only: a reloaded catalogue builds anew
    english = trans_real.translation("en")._catalog
    exact: dict[str, str] = {}
    by_first: dict[str, list[_Pattern]] = {}
    open_start: list[_Pattern] = []
    entries = [(k, v) for k, v in english.items() if isinstance(k, str) and k and v and k != v]
    # What gettext gives without a context first; an entry with a context is the same sentence, used
    # only where no plain entry says it (plural forms, the header, untranslated entries are left out).
    entries.sort(key=lambda entry: "\x04" in entry[0])
    seen: set[str] = set()
    for key, value in entries:
        msgid = key.split("\x04", 1)[-1]
        source, target = (msgid, value) if into == "en" else (value, msgid)
        if source in seen:
            continue
        seen.add(source)
        if "%" not in source:
            exact[source] = target
        elif (pattern := _pattern(source, target)) is not None:
            (by_first.setdefault(pattern.head[0], []) if pattern.head else open_start).append(pattern)
    for mapping in names:
        for chinese, english_name in mapping.items():
            if chinese and english_name and chinese != english_name:
                exact.setdefault(*((chinese, english_name) if into == "en" else (english_name, chinese)))
    return _Direction(
        exact=exact,
        longest_exact=max(map(len, exact), default=0),
        by_first={k: tuple(sorted(v, key=lambda p: -p.fixed)) for k, v in by_first.items()},
        open_start=tuple(sorted(open_start, key=lambda p: -p.fixed)),
    )


def _fill(target: str, blanks: dict[str, str]) -> str:
    return _BLANK.sub(lambda m: blanks[m.group(1)] if m.group(1) else "%", target)


def _sentences(
    line: str, at: int, direction: _Direction, depth: int, left: int, min_head: int = _FIRST_FIXED
) -> str | None:
    """`line[at:]` as catalogue sentences in a row, in the other language, else None. The first sentence
    of the line needs some fixed text of its own; every later one begins with fixed text (a blank at the
    end of the sentence before it ends where the next sentence's fixed text begins: at least `min_head`
    characters of it, so that what a person wrote inside a blank is not cut at a catalogue word)."""
    if at == len(line):
        return ""
    if left == 0:
        return None
    first = at == 0
    if first:  # a catalogue word or phrase, then sentences with blanks: "人工升级" + "：%(reason)s"
        for end in range(min(len(line) - 1, direction.longest_exact), _FIRST_FIXED - 1, -1):
            if (found := direction.exact.get(line[:end])) is not None:
                rest = _sentences(line, end, direction, depth, left - 1, min_head=1)
                if rest:
                    return found + rest
    candidates = direction.by_first.get(line[at], ())
    if first and depth == _BLANK_DEPTH and len(line) >= _OPEN_FIXED:
        candidates += direction.open_start
    for pattern in candidates:
        if first and pattern.fixed < (_FIRST_FIXED if pattern.head else _OPEN_FIXED):
            continue
        if not first and len(pattern.head) < min_head:
            continue
        match = pattern.regex.match(line, at)
        if match is None:
            continue
        values = match.groupdict()
        ends = _open_ends(line, match.end(), direction) if pattern.open_end else (match.end(),)
        for end in ends:
            if pattern.open_end:
                values = {**match.groupdict(), pattern.open_end: line[match.end() : end]}
            after = (
                _FIRST_FIXED if pattern.open_end else 1
            )  # the end of a blank is a guess; of fixed text, not
            rest = "" if end == len(line) else _sentences(line, end, direction, depth, left - 1, after)
            if rest is not None:
                blanks = {name: _translated(value, direction, depth - 1) for name, value in values.items()}
                return _fill(pattern.target, blanks) + rest
    return None


def _open_ends(line: str, start: int, direction: _Direction) -> list[int]:
    """Where the blank a sentence ends with may end: first where it is a catalogue word or phrase itself
    (a channel named "In person (walk-in)"), longest first; then as short as lets the rest of the line
    be sentences too."""
    whole = [end for end in range(len(line), start, -1) if line[start:end] in direction.exact]
    return whole + [end for end in range(start + 1, len(line) + 1) if end not in whole]


def _translated(text: str, direction: _Direction, depth: int) -> str:
    """`text` in the other language when each of its lines is a catalogue sentence or sentences, else
    `text` as it is: a text is translated whole or not at all."""
    if (found := direction.exact.get(text)) is not None or depth <= 0:
        return text if found is None else found
    lines = []
    for line in text.split("\n"):
        found = direction.exact.get(line) if line else ""
        if found is None:
            found = _sentences(line, 0, direction, depth, _MAX_PIECES)
        if found is None:
            return text
        lines.append(found)
    return "\n".join(lines)


@lru_cache(maxsize=8192)
def _in_language(text: str, into: str, catalogue_id: int, names: tuple[Mapping[str, str], ...]) -> str:
    return _translated(text, _direction(into, catalogue_id, names), _BLANK_DEPTH)


def in_reader_language(text: str) -> str:
    """`text` as the reader (the active language) reads it: the catalogue sentences it is made of, in
    their language; else `text` unchanged."""
    if not text:
        return text
    into = "en" if (translation.get_language() or "").lower().startswith("en") else "zh"
    names = tuple(_Names(provider()) for provider in _NAMES)
    return _in_language(text, into, id(trans_real.translation("en")._catalog), names)


class _Names(Mapping):
    """A provider's mapping as a cache key: equal while it is the same object (providers hand out the
    same one until their configuration changes), without hashing its contents."""

    def __init__(self, mapping: Mapping[str, str]):
        self._mapping = mapping

    def __getitem__(self, key):
        return self._mapping[key]

    def __iter__(self):
        return iter(self._mapping)

    def __len__(self):
        return len(self._mapping)

    def __hash__(self):
        return id(self._mapping)

    def __eq__(self, other):
        return isinstance(other, _Names) and other._mapping is self._mapping
