"""Patterns: two parts near each other in a clause or sentence are one hit (好评 … 返您5元).

All parts' words of all patterns are found in one Aho-Corasick pass over the folded text; pairs
are then formed per pattern, nearest first. `#` in a word stands for a number (送#, #元).
"""

from bisect import bisect_left, bisect_right
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


# part words this close to a hit's span join it (五星好评 … 返您 5元 现金)
JOIN_GAP = 2


def _grown(words, candidates, unit) -> list[tuple[int, int]]:
    """The pair and every other part word next to it in its clause, merged where they overlap."""
    chosen = set(words)
    start, end = min(s for s, _ in chosen), max(e for _, e in chosen)
    grew = True
    while grew:
        grew = False
        for s, e in candidates:
            near = s <= end + JOIN_GAP + 1 and e >= start - JOIN_GAP - 1
            if (s, e) not in chosen and near and unit(s) == unit(start):
                chosen.add((s, e))
                start, end, grew = min(start, s), max(end, e), True
    merged: list[list[int]] = []
    for s, e in sorted(chosen):
        if merged and s <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


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
        unless = sorted(unless)
        unless_starts = [a for a, _ in unless]
        longest = max((b - a for a, b in unless), default=0)

        def ordinary(span):
            low = bisect_left(unless_starts, span[0] - longest)
            high = bisect_right(unless_starts, span[1])
            return any(a <= span[1] and span[0] <= b for a, b in unless[low:high])

        firsts = [s for s in firsts if not ordinary(s)]
        seconds = [s for s in seconds if not ordinary(s)]
        unit = clauses.clause_of if pattern.scope == "clause" else clauses.sentence_of
        seconds.sort()
        starts = [s for s, _ in seconds]
        reach = pattern.within + max((e - s for s, e in firsts + seconds), default=0) + 1
        everything = sorted(firsts + seconds)
        every_start = [s for s, _ in everything]
        hits, used = [], set()
        for a in firsts:
            best = None
            low = bisect_left(starts, a[0] - reach)
            for b in seconds[low : bisect_right(starts, a[1] + pattern.within + 1)]:
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
            span = min(a[0], b[0]), max(a[1], b[1])
            radius = reach + span[1] - span[0]
            low, high = span[0] - radius, span[0] + radius
            nearby = everything[bisect_left(every_start, low) : bisect_right(every_start, high)]
            words = _grown([a, b], nearby, unit)
            start, end = words[0][0], max(e for _, e in words)
            if (start, end) in used:
                continue
            used.add((start, end))
            origin, text = clauses.origin, clauses.text
            label = "…".join(text[int(origin[s]) : int(origin[e]) + 1] for s, e in words)
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
