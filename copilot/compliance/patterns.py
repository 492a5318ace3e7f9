"""Patterns: two parts near each other in a clause or sentence are one hit (好评 … 返您5元).

All parts' words of all patterns are found in one Aho-Corasick pass over the folded text; pairs
are then formed per pattern, nearest first. `#` in a word stands for a number (送#, #元).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import ahocorasick

from copilot.compliance.folding import fold
from copilot.compliance.lexicon import Pattern, Term
from copilot.compliance.scope import Clauses

NUMBER_CHARS = "0123456789十百千万两"


@dataclass(frozen=True)
class _Word:
    pattern: int
    part: int  # 0, 1, or -1 for an `unless` word
    number_before: bool
    number_after: bool


def _number_at(folded: str, index: int) -> bool:
    return 0 <= index < len(folded) and folded[index] in NUMBER_CHARS


class PatternMatcher:
    """Every pattern of the lexicon, matched in one pass."""

    def __init__(self, patterns: tuple[Pattern, ...]):
        self.patterns = patterns
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[_Word]] = defaultdict(list)
        for index, pattern in enumerate(patterns):
            words = [(part, w) for part, ws in enumerate(pattern.near) for w in ws]
            words += [(-1, w) for w in pattern.unless]
            for part, word in words:
                key = fold(word.strip("#"))[0]
                if key:
                    word_ = _Word(index, part, word.startswith("#"), word.endswith("#"))
                    entries[key].append(word_)
        for key, words in entries.items():
            self._automaton.add_word(key, (len(key), tuple(words)))
        if entries:
            self._automaton.make_automaton()

    def find(self, folded: str, clauses: Callable[[], Clauses]) -> list[tuple[Term, int, int]]:
        """(term, folded start, folded end) of every pattern hit."""
        if not self.patterns or not folded:
            return []
        parts: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for end, (length, words) in self._automaton.iter(folded):
            start = end - length + 1
            for word in words:
                if word.number_before and not _number_at(folded, start - 1):
                    continue
                if word.number_after and not _number_at(folded, end + 1):
                    continue
                first = start - 1 if word.number_before else start
                last = end + 1 if word.number_after else end
                while word.number_before and _number_at(folded, first - 1):
                    first -= 1
                parts[(word.pattern, word.part)].append((first, last))
        hits = []
        for index, pattern in enumerate(self.patterns):
            firsts, seconds = parts.get((index, 0)), parts.get((index, 1))
            if firsts and seconds:
                unless = parts.get((index, -1), [])
                hits += self._pairs(pattern, folded, firsts, seconds, unless, clauses())
        return hits

    def _pairs(self, pattern: Pattern, folded, firsts, seconds, unless, clauses: Clauses):
        def ordinary(span):
            return any(a <= span[1] and span[0] <= b for a, b in unless)

        firsts = [s for s in firsts if not ordinary(s)]
        seconds = [s for s in seconds if not ordinary(s)]
        unit = clauses.clause_of if pattern.scope == "clause" else clauses.sentence_of
        hits, used = [], set()
        for a in firsts:
            best = None
            for b in seconds:
                if b[0] > a[1]:
                    gap = b[0] - a[1] - 1
                elif not pattern.ordered and b[1] < a[0]:
                    gap = a[0] - b[1] - 1
                else:
                    continue
                if gap <= pattern.within and unit(a[0]) == unit(b[0]):
                    if best is None or gap < best[0]:
                        best = (gap, b)
            if best is None:
                continue
            b = best[1]
            start, end = min(a[0], b[0]), max(a[1], b[1])
            if (start, end) in used:
                continue
            used.add((start, end))
            ordered = (a, b) if a[0] < b[0] else (b, a)
            label = "…".join(folded[s : e + 1] for s, e in ordered)
            term = Term(
                text=label,
                category=pattern.category,
                severity=pattern.severity,
                explanation=pattern.explanation,
                replacement=None,
                negatable=pattern.negatable,
            )
            hits.append((term, start, end))
        return hits
