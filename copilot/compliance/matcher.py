"""Aho-Corasick over a folded copy of the text, every hit mapped back to its original span.

Folding: full-width to half-width, lower case, Traditional to Simplified, and separators,
punctuation, symbols and emoji dropped, so 加 V 信, 微_信 and 最·好 are found like 加v信,
微信 and 最好.
"""

import unicodedata

import ahocorasick

from copilot.compliance.lexicon import Lexicon, Term
from copilot.index.text import normalize

_DROPPED = ("P", "Z", "S", "C")
_SEVERITY_RANK = {"block": 2, "warn": 1}
# how many folded characters before a term are searched for a negation
NEGATION_WINDOW = 6


def fold(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, its index in the original text."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).lower()
        for piece in folded:
            if unicodedata.category(piece)[0] in _DROPPED:
                continue
            chars.append(piece)
            origin.append(index)
    joined = "".join(chars)
    simplified = normalize(joined)
    if len(simplified) != len(joined):  # a phrase conversion changed the length: go char by char
        simplified = "".join(normalize(char) or char for char in joined)
    return simplified, origin


class Matcher:
    """All lexicon terms in one automaton; allow-list phrases suppress the hits they contain."""

    def __init__(self, lexicon: Lexicon):
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for term in lexicon.terms:
            key = fold(term.text)[0]
            if key:
                entries.setdefault(key, [None, []])[1].append(term)
        for phrase in lexicon.allow:
            key = fold(phrase)[0]
            if key:
                entries.setdefault(key, [None, []])[0] = True
        for key, (allowed, terms) in entries.items():
            self._automaton.add_word(key, (len(key), bool(allowed), tuple(terms)))
        self._automaton.make_automaton()
        self.size = len(lexicon.terms)
        self._negations = tuple(fold(word)[0] for word in lexicon.negations if fold(word)[0])

    def _negated(self, folded: str, start: int) -> bool:
        before = folded[max(0, start - NEGATION_WINDOW) : start]
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
                allowed.append((start, end))
            for term in terms:
                found.append((term, start, end))
        kept = [
            hit
            for hit in found
            if not any(a <= hit[1] and hit[2] <= b for a, b in allowed)
            and not (hit[0].negatable and self._negated(folded, hit[1]))
        ]
        kept.sort(
            key=lambda h: (
                -(h[2] - h[1]),
                -_SEVERITY_RANK[h[0].severity],
                h[0].replacement is None,  # the same term with a compliant wording wins
                h[1],
            )
        )
        chosen: list[tuple[Term, int, int]] = []
        for hit in kept:
            if all(hit[2] < other[1] or hit[1] > other[2] for other in chosen):
                chosen.append(hit)
        chosen.sort(key=lambda h: h[1])
        return [(term, origin[start], origin[end] + 1) for term, start, end in chosen]
