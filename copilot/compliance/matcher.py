"""Every way a banned thing is found in a text, each hit mapped back to its original span.

Terms by Aho-Corasick over a folded copy of the text (folding.py), terms of homophone-prone
categories also by sound (pinyin.py), patterns of two parts (patterns.py), mobile numbers in an
agent's text (contacts.py). Allow-listed phrases, ordinals and advice, negations and missing
contact context then take away what only looks like a hit, within a clause (scope.py).
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from itertools import accumulate, product

import ahocorasick
import numpy as np

from copilot.compliance.contacts import ContactContext, id_near, mobiles
from copilot.compliance.folding import fold, fold_char
from copilot.compliance.lexicon import Lexicon, Term
from copilot.compliance.patterns import PatternMatcher
from copilot.compliance.pinyin import CONTACT_CATEGORY, SoundMatcher, dictionary_word
from copilot.compliance.scope import NEGATION_WINDOW, Clauses, Negation

_SEVERITY_RANK = {"block": 2, "warn": 1}
_CLAUSE_START = re.compile(r"[，,。！？!?；;\n]")
# numbers written either way in a term: 假一赔十 is also 假1赔10
_NUMBER_SPELLINGS = (("十", "10"), ("百", "100"))
MOBILE_TERM = "手机号"
MOBILE_EXPLANATION = (
    "回复里出现手机号就是把顾客引到平台外联系，平台按站外引流处罚；请只在平台内沟通。"
)


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


def _numeral_spellings(keys: set[str]) -> set[str]:
    """Each key also with 十/百 as digits and the other way round."""
    spelled = set(keys)
    for key in keys:
        for word, digits in _NUMBER_SPELLINGS:
            if word in key:
                spelled.add(key.replace(word, digits))
            if digits in key:
                spelled.add(key.replace(digits, word))
    return spelled


def _kind(char: str) -> str:
    """letter, digit or other, as folding reads the character."""
    char = fold_char(char)
    if char.isascii() and char.isalpha():
        return "letter"
    return "digit" if char.isascii() and char.isdigit() else "other"


def _whole_word(text: str, origin: np.ndarray, start: int, end: int) -> bool:
    """Whether a match with a Latin-letter or digit edge stands as a word of its own.

    It must not continue a longer word in the original text (sb inside usb); a separator there
    (VX：abc) still ends the word, and so do digits after letters (vx123456 is vx and an ID).
    """
    first, last = int(origin[start]), int(origin[end])
    edge = _kind(text[first])
    if edge != "other" and first > 0 and _kind(text[first - 1]) == edge:
        return False
    edge = _kind(text[last])
    return not (edge != "other" and last + 1 < len(text) and _kind(text[last + 1]) == edge)


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
    """All lexicon terms and patterns; what only looks like a hit is taken away."""

    def __init__(self, lexicon: Lexicon):
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for term in lexicon.terms:
            plain = fold(term.text)[0]
            for key in _numeral_spellings(_variants(term, lexicon.homophones)):
                if key != plain and dictionary_word(key):  # 威信 is prestige, unless 加我威信abc
                    entries.setdefault(key, [None, []])[1].append(replace(term, needs_context=True))
                else:
                    entries.setdefault(key, [None, []])[1].append(term)
        for phrase in lexicon.allow:
            key = fold(phrase)[0]
            if key:
                entries.setdefault(key, [None, []])[0] = True
        for key, (allowed, terms) in entries.items():
            self._automaton.add_word(key, (len(key), bool(allowed), tuple(terms)))
        self._automaton.make_automaton()
        self.size = len(lexicon.terms) + len(lexicon.patterns)
        self.keys = len(entries)
        grammar = self._grammar = lexicon.grammar
        self._negation = Negation(grammar)
        self._contact = ContactContext(grammar.contact_verbs)
        self._sound = SoundMatcher(list(lexicon.terms), self._contact)
        self._patterns = PatternMatcher(lexicon.patterns)
        self._not_claims = {
            fold(term)[0]: tuple(f for f in (fold(w)[0] for w in words) if f)
            for term, words in grammar.not_claims.items()
            if fold(term)[0]
        }
        self._mobile_term = self._mobile(lexicon)

    @staticmethod
    def _mobile(lexicon: Lexicon) -> Term | None:
        """A phone number is reported in the contact category, when the lexicon has it."""
        for term in lexicon.terms:
            if term.category == CONTACT_CATEGORY:
                return Term(MOBILE_TERM, CONTACT_CATEGORY, term.severity, MOBILE_EXPLANATION, None)
        return None

    def find(self, text: str, agent: bool = True) -> list[tuple[Term, int, int]]:
        """(term, start, end) of every hit in text, overlaps resolved to the longest, strictest.

        agent: the text is an agent's (a draft, a reply to check): a phone number in it is
        off-platform contact. A customer's own number is personal data, not a violation.
        """
        folded, origin = fold(text)
        if not folded:
            return []
        clauses_made: list[Clauses] = []

        def clauses() -> Clauses:
            if not clauses_made:
                clauses_made.append(Clauses(text, folded, origin, self._grammar))
            return clauses_made[0]

        allowed, found = self._terms(text, folded, origin)
        found += self._sound.find(folded)
        found += self._patterns.find(folded, clauses)
        if agent and self._mobile_term is not None:
            numbers = mobiles(folded)
            found += [(self._mobile_term, a, b) for a, b in numbers]
        found = [hit for hit in found if not self._only_looks_like(hit, text, folded, origin)]
        channels = sorted((s, e) for term, s, e in found if term.category == CONTACT_CATEGORY)
        allowed = [span for span in allowed if not self._cover(span, folded, channels, clauses)]
        inside_allowed = _covering(allowed)
        kept = [hit for hit in found if not inside_allowed(hit[1], hit[2])]
        spans: dict[str, list[tuple[int, int]]] = {}
        for term, start, end in sorted(kept, key=lambda h: h[1]):
            spans.setdefault(term.category, []).append((start, end))
        kept = [hit for hit in kept if not (hit[0].negatable and self._warned(hit, spans, clauses))]
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

    def _terms(self, text: str, folded: str, origin: np.ndarray):
        """Allow-listed spans and term hits of the literal automaton (folded positions)."""
        allowed: list[tuple[int, int]] = []
        found: list[tuple[Term, int, int]] = []
        if not len(self._automaton):
            return allowed, found
        for end, (length, is_allowed, terms) in self._automaton.iter(folded):
            start = end - length + 1
            if is_allowed:
                if not _CLAUSE_START.search(text[int(origin[start]) : int(origin[end]) + 1]):
                    allowed.append((start, end))  # 第一，时间 is not 第一时间
            elif not _whole_word(text, origin, start, end):
                continue
            for term in terms:
                found.append((term, start, end))
        return allowed, found

    def _only_looks_like(self, hit: tuple[Term, int, int], text: str, folded: str, origin) -> bool:
        """An ordinal or advice (第一个颜色, 最好先试穿), or a bare channel word (企鹅玩具).

        The follower must be in the same clause: 第一，个人抬头 is a claim, then a new clause.
        """
        term, start, end = hit
        if term.needs_context and not self._contact.near(folded, start, end):
            return True
        followers = self._not_claims.get(folded[start : end + 1])
        if not followers or not folded.startswith(followers, end + 1):
            return False
        between = text[int(origin[end]) + 1 : int(origin[end + 1])]
        return not _CLAUSE_START.search(between)

    def _cover(self, span, folded: str, channels: list[tuple[int, int]], clauses) -> bool:
        """An allow-listed phrase used as cover: an ID or another channel hit in its clause.

        channels: the spans of contact-channel hits, sorted.
        """
        start, end = span
        first = bisect_left(channels, (start, -1))
        if not any(e <= end for _, e in channels[first : bisect_right(channels, (end, end))]):
            return False
        floor, ceiling = clauses().clause_span(start)
        if id_near(folded, start, end, floor, ceiling):
            return True
        near = channels[bisect_left(channels, (floor, -1)) : bisect_left(channels, (ceiling, -1))]
        return any(e < start or s > end for s, e in near)

    def _warned(self, hit, spans: dict[str, list[tuple[int, int]]], clauses) -> bool:
        """A negation reaches the hit (客服不会让您加微信或者扫码付款).

        spans: each category's hit spans, sorted; those just before the hit may form a list.
        """
        term, start, end = hit
        same = spans[term.category]
        first = bisect_left(same, (start - NEGATION_WINDOW, -1))
        others = same[first : bisect_left(same, (start, -1))]
        return self._negation.negated(clauses(), start, end, others)
