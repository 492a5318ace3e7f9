"""Where a negation or an allow-listed phrase stops acting: clauses of run-on chat text.

Agents often write without punctuation ("亲放心质量不会有问题的给个好评返现5元哈"). A clause ends at
punctuation, after a sentence particle (哦, 呢, 吧…) and before an opener (但是, 如果, 另外…); a
negation reaches a term only across words that carry it over (不会要求您私下转账), never across
another predicate (不会有问题的给个好评返现).
"""

import re
from bisect import bisect_right
from functools import cache, cached_property

import numpy as np

from copilot.compliance.folding import fold
from copilot.compliance.lexicon import Grammar

CLAUSE_MARKS = "，,。！？!?；;\n…~～：:"
# items of a list (链接、电话或外部联系方式) stay in one clause: a negation reaches through them
LIST_MARKS = "、"
LIST_WORDS = ("或者", "或", "以及", "及", "和", "与")
# how long one listed item may be (folded characters)
LIST_ITEM = 6
SENTENCE_MARKS = "。！？!?；;\n"
# a place or time between a negation and its verb (不会在聊天中索要…) carries the negation on
_PLACE = re.compile(r"在.{1,4}[中里时上内]")
# how far before a term (folded characters) a negation is looked for
NEGATION_WINDOW = 12


@cache
def _openers(words: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(map(re.escape, words))) if words else None


class Clauses:
    """The clause and sentence of every position of one text, in folded positions."""

    def __init__(self, text: str, folded: str, origin: np.ndarray, grammar: Grammar):
        self.text, self.folded, self.origin = text, folded, origin
        self._grammar = grammar
        self._openers = _openers(grammar.clause_openers)

    @cached_property
    def clause_starts(self) -> list[int]:
        """Folded positions where a clause starts (0 first)."""
        starts = {0, *self._breaks(CLAUSE_MARKS)}
        particles = re.escape(self._grammar.particles)
        if particles:  # a particle ends its clause unless another follows (哈哈)
            after = re.finditer(f"(?<=[{particles}])(?=[^{particles}])", self.folded)
            starts.update(match.start() for match in after)
        if self._openers is not None:
            starts.update(match.start() for match in self._openers.finditer(self.folded))
        return sorted(starts)

    @cached_property
    def list_ends(self) -> frozenset[int]:
        """Folded positions of list items' last characters (followed by 、 in the text)."""
        return frozenset(p - 1 for p in self._breaks(LIST_MARKS))

    @cached_property
    def sentence_starts(self) -> list[int]:
        """Folded positions where a sentence starts (0 first)."""
        return sorted({0, *self._breaks(SENTENCE_MARKS)})

    def _breaks(self, marks: str) -> list[int]:
        """Folded positions that follow a mark in the original text."""
        positions = [m.start() for m in re.finditer(f"[{re.escape(marks)}]", self.text)]
        if not positions:
            return []
        return sorted(set(np.searchsorted(self.origin, positions, side="right").tolist()))

    def clause_of(self, position: int) -> int:
        """The number of the clause holding a folded position."""
        return bisect_right(self.clause_starts, position) - 1

    def sentence_of(self, position: int) -> int:
        """The number of the sentence holding a folded position."""
        return bisect_right(self.sentence_starts, position) - 1

    def clause_span(self, position: int) -> tuple[int, int]:
        """Folded [start, end) of the clause holding position."""
        index = self.clause_of(position)
        starts = self.clause_starts
        return starts[index], starts[index + 1] if index + 1 < len(starts) else len(self.folded)


def _asks(folded: str, position: int) -> bool:
    """能不能, 有没有, 是不是: the same word either side of 不/没 asks, it does not negate."""
    if folded[position] not in "不没" or position == 0 or position + 1 >= len(folded):
        return False
    return folded[position - 1] == folded[position + 1]


class Negation:
    """Whether a term is negated: 请勿私下转账 warns, 不会乱发货好评返现 still offers."""

    def __init__(self, grammar: Grammar):
        self._negations = tuple(w for w in (fold(n)[0] for n in grammar.negations) if w)
        self._bridges = frozenset(w for w in (fold(b)[0] for b in grammar.negation_bridges) if w)
        self._longest_bridge = max((len(b) for b in self._bridges), default=0)
        self._after = tuple(w for w in (fold(n)[0] for n in grammar.post_negations) if w)

    def _bridged(self, gap: str, item_ends: set[int]) -> bool:
        """Whether gap is made only of bridge words and listed items (empty is bridged).

        item_ends: gap positions after which a list goes on (、, 或, 和…).
        """
        reachable = [True] + [False] * len(gap)
        for end in range(1, len(gap) + 1):
            for size in range(1, min(end, max(self._longest_bridge, LIST_ITEM)) + 1):
                if not reachable[end - size]:
                    continue
                piece = gap[end - size : end]
                listed = size <= LIST_ITEM and end - 1 in item_ends
                if piece in self._bridges or listed or _PLACE.fullmatch(piece):
                    reachable[end] = True
                    break
        return reachable[-1]

    def negated(self, clauses: Clauses, start: int, end: int, others: list[tuple[int, int]]):
        """A negation before the term (请勿私下转账) or a denial after it (返现活动我们没有)."""
        return self._before(clauses, start, others) or self._denied_after(clauses, end)

    def _denied_after(self, clauses: Clauses, end: int) -> bool:
        """A denial later in the clause, with only bridge words between (返现我们店没有)."""
        _, clause_end = clauses.clause_span(end)
        window = clauses.folded[end + 1 : min(clause_end, end + 1 + NEGATION_WINDOW)]
        for denial in self._after:
            position = window.find(denial)
            if position != -1 and self._bridged(window[:position], set()):
                return True
        return False

    def _before(self, clauses: Clauses, start: int, others: list[tuple[int, int]]) -> bool:
        """A negation in start's clause whose reach runs up to start.

        others: folded spans of other hits of the same kind; a list of them or of other things
        may lie between (不会让您加微信或者扫码付款, 不会通过链接、电话或外部联系方式).
        """
        clause_start, _ = clauses.clause_span(start)
        floor = max(clause_start, start - NEGATION_WINDOW)
        window = clauses.folded[floor:start]
        for negation in self._negations:
            position = window.rfind(negation)
            while position != -1:
                if _asks(clauses.folded, floor + position):
                    position = window.rfind(negation, 0, position)
                    continue
                gap_start = floor + position + len(negation)
                kept = [
                    index
                    for index in range(gap_start, start)
                    if not any(a <= index <= b for a, b in others)
                ]
                gap = "".join(clauses.folded[index] for index in kept)
                if self._bridged(gap, self._item_ends(clauses, kept)):
                    return True
                position = window.rfind(negation, 0, position)
        return False

    @staticmethod
    def _item_ends(clauses: Clauses, kept: list[int]) -> set[int]:
        folded = clauses.folded
        ends = set()
        for offset, index in enumerate(kept):
            if index in clauses.list_ends or folded.startswith(LIST_WORDS, index + 1):
                ends.add(offset)
        return ends
