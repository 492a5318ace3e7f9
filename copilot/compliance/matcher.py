"""Aho-Corasick over a folded copy of the text, every hit mapped back to its original span.

Folding: full-width to half-width, lower case, Traditional to Simplified, and separators,
punctuation, symbols and emoji dropped, so 加 V 信, 微_信 and 最·好 are found like 加v信,
微信 and 最好.
"""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import cache
from itertools import accumulate, product
from pathlib import Path

import ahocorasick
import numpy as np
import opencc

from copilot.compliance.lexicon import Lexicon, Term

_SEVERITY_RANK = {"block": 2, "warn": 1}
# how far back (original characters, within the clause) a negation is looked for
NEGATION_WINDOW = 16
_CLAUSE_START = re.compile(r"[，,。！？!?；;\n]")
# Chinese and financial numerals fold to digits; 十 and larger stay (they are not one digit)
_NUMERALS = ("〇零", "一壹", "二贰貳", "三叁參", "四肆", "五伍", "六陆陸", "七柒", "八捌", "九玖")
_KEPT_RUN = re.compile(r"[^\W_]+")  # letters and digits of any script; the rest is separators


@cache
def _fold_table() -> dict[int, str]:
    """One character to one character: NFKC, lower case, Traditional to Simplified, numerals.

    NFKC folds full-width and other compatibility forms; the Traditional-to-Simplified pairs come
    from OpenCC's character table; 一 to 九 become digits. Built once (~20 ms); str.translate
    then runs at C speed.
    """
    t2s: dict[str, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        candidate = simplified.split(" ")[0] if simplified else ""
        if len(traditional) == 1 and len(candidate) == 1:
            t2s[traditional] = candidate
    table: dict[int, str] = {}
    for code in range(0x20, 0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        folded = unicodedata.normalize("NFKC", char).lower()
        folded = t2s.get(folded, folded) if len(folded) == 1 else char.lower()
        if len(folded) == 1 and folded != char:
            table[code] = folded
    for traditional, simplified in t2s.items():
        table.setdefault(ord(traditional), simplified)
    for digit, numerals in enumerate(_NUMERALS):  # 假1赔十 is 假一赔十
        for numeral in numerals:
            table[ord(numeral)] = str(digit)
    return table


@cache
def _kept_bmp() -> np.ndarray:
    """For every code point below 0x10000, whether folding keeps it (a letter or digit)."""
    everything = "".join(chr(c) if not 0xD800 <= c <= 0xDFFF else " " for c in range(0x10000))
    kept = np.zeros(0x10000, dtype=bool)
    for match in _KEPT_RUN.finditer(everything):
        kept[match.start() : match.end()] = True
    return kept


def fold(text: str) -> tuple[str, np.ndarray]:
    """Folded text and, for each folded character, its index in the original text."""
    mapped = text.translate(_fold_table())  # same length as text: one char for one char
    codes = np.frombuffer(mapped.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = _kept_bmp()[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)  # emoji and rare ideographs: decide one by one
    if astral.size:
        keep[astral] = [bool(_KEPT_RUN.fullmatch(mapped[i])) for i in astral]
    origin = np.flatnonzero(keep)
    folded = codes[origin].tobytes().decode("utf-32-le", "surrogatepass")
    return folded, origin


def _variants(term: Term, homophones: dict[str, tuple[str, ...]]) -> set[str]:
    """The folded term, and with homophones every spelling that swaps characters for them."""
    key = fold(term.text)[0]
    if not key:
        return set()
    if not term.homophones:
        return {key}
    options = [
        {char, *(f for alt in homophones.get(char, ()) if len(f := fold(alt)[0]) == 1)}
        for char in key
    ]
    return {"".join(combination) for combination in product(*options)}


def _ascii_alnum(char: str) -> bool:
    char = char.translate(_fold_table())
    return char.isascii() and char.isalnum()


def _whole_word(text: str, origin: np.ndarray, start: int, end: int) -> bool:
    """Whether a match with a Latin-letter or digit edge stands as a word of its own.

    It must not continue a longer word in the original text (sb inside usb); a separator there
    (VX：abc) still ends the word.
    """
    first, last = int(origin[start]), int(origin[end])
    if _ascii_alnum(text[first]) and first > 0 and _ascii_alnum(text[first - 1]):
        return False
    return not (_ascii_alnum(text[last]) and last + 1 < len(text) and _ascii_alnum(text[last + 1]))


def _covering(spans: list[tuple[int, int]]):
    """A test for "is [start, end] inside one of these spans", in O(log n) per question."""
    spans = sorted(spans)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))

    def inside(start: int, end: int) -> bool:
        index = bisect_right(starts, start)
        return index > 0 and reach[index - 1] >= end

    return inside


def _without_overlaps(hits: list[tuple[Term, int, int]]) -> list[tuple[Term, int, int]]:
    """Hits in priority order, each kept only if it overlaps none kept before; by position."""
    starts: list[int] = []
    chosen: list[tuple[Term, int, int]] = []
    for hit in hits:
        index = bisect_left(starts, hit[1])
        before = chosen[index - 1] if index > 0 else None
        after = chosen[index] if index < len(chosen) else None
        if (before is None or before[2] < hit[1]) and (after is None or hit[2] < after[1]):
            starts.insert(index, hit[1])
            chosen.insert(index, hit)
    return chosen


class Matcher:
    """All lexicon terms in one automaton; allow-list phrases suppress the hits they contain."""

    def __init__(self, lexicon: Lexicon):
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for term in lexicon.terms:
            for key in _variants(term, lexicon.homophones):
                entries.setdefault(key, [None, []])[1].append(term)
        for phrase in lexicon.allow:
            key = fold(phrase)[0]
            if key:
                entries.setdefault(key, [None, []])[0] = True
        for key, (allowed, terms) in entries.items():
            self._automaton.add_word(key, (len(key), bool(allowed), tuple(terms)))
        self._automaton.make_automaton()
        self.size = len(lexicon.terms)
        self.keys = len(entries)
        self._negations = tuple(fold(word)[0] for word in lexicon.negations if fold(word)[0])

    def _negated(self, text: str, start: int) -> bool:
        """A negation earlier in the same clause (客服不会要求您私下转账、扫码付款)."""
        clause = _CLAUSE_START.split(text[max(0, start - NEGATION_WINDOW) : start])[-1]
        before = fold(clause)[0]
        return any(word in before for word in self._negations)

    def find(self, text: str) -> list[tuple[Term, int, int]]:
        """(term, start, end) of every hit in text, overlaps resolved to the longest, strictest."""
        folded, origin = fold(text)
        if not folded or not len(self._automaton):
            return []
        allowed: list[tuple[int, int]] = []
        found: list[tuple[Term, int, int]] = []
        for end, (length, is_allowed, terms) in self._automaton.iter(folded):
            start = end - length + 1
            if is_allowed:
                if not _CLAUSE_START.search(text[int(origin[start]) : int(origin[end]) + 1]):
                    allowed.append((start, end))  # 第一，时间 is not 第一时间
            elif not _whole_word(text, origin, start, end):
                continue
            for term in terms:
                found.append((term, start, end))
        inside_allowed = _covering(allowed)
        kept = [
            hit
            for hit in found
            if not inside_allowed(hit[1], hit[2])
            and not (hit[0].negatable and self._negated(text, int(origin[hit[1]])))
        ]
        kept.sort(
            key=lambda h: (
                -(h[2] - h[1]),
                -_SEVERITY_RANK[h[0].severity],
                h[0].replacement is None,  # the same term with a compliant wording wins
                h[1],
            )
        )
        chosen = _without_overlaps(kept)
        return [(term, int(origin[start]), int(origin[end]) + 1) for term, start, end in chosen]
