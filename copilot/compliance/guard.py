"""The guard every draft passes before it leaves: block terms replaced or their sentence dropped."""

import re
from dataclasses import dataclass
from functools import cache

from copilot.compliance.lexicon import Lexicon
from copilot.compliance.matcher import Matcher
from copilot.schemas import ComplianceHit

_SENTENCE_END_MARKS = "。！？!?；;\n"


_CLAUSE_MARKS = "，,；;。！？!?\n"
_SENTENCE_ENDS = "。！？!?"
_SOFT_MARKS = "，,、；;：:"
# a clause is looked for this far back at most (text without punctuation is cut here)
MAX_CLAUSE_CHARS = 400
# around each change, this much of the cleaned text is checked again for new terms
VERIFY_CHARS = 40
_CLAUSE = re.compile(r"[^，,；;。！？!?\n]*[，,；;。！？!?\n]*")
_DANGLING = re.compile(r"[，,、；;：:\s]+$")


def _tidy(text: str) -> str:
    """A cleaned text that ends like a sentence, not on the comma of a dropped clause."""
    text = text.strip()
    if _DANGLING.search(text):
        text = _DANGLING.sub("", text) + "。"
    return text if text.strip("。") else ""


def _clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause(s) holding text[start:end], with their closing punctuation."""
    floor = max(0, start - MAX_CLAUSE_CHARS)
    clause_start = max(text.rfind(mark, floor, start) for mark in _CLAUSE_MARKS) + 1
    clause_start = max(clause_start, floor)
    ceiling = min(len(text), end + MAX_CLAUSE_CHARS)
    ends = [i for mark in _CLAUSE_MARKS if (i := text.find(mark, end, ceiling)) != -1]
    clause_end = min(ends) if ends else ceiling
    while clause_end < len(text) and text[clause_end] in _CLAUSE_MARKS:
        clause_end += 1
    return clause_start, clause_end


def _end_sentence(pieces: list[str], dropped: str) -> None:
    """Dropping "加我微信。" after "很好，" must leave "很好。", not a dangling comma."""
    ending = dropped.rstrip()[-1:] if dropped.strip() else ""
    if ending not in _SENTENCE_ENDS:
        return
    for index in range(len(pieces) - 1, -1, -1):
        if pieces[index]:
            if pieces[index][-1] in _SOFT_MARKS:
                pieces[index] = pieces[index][:-1] + ending
            return


def _cleaned_parts(text: str, blocks: list[ComplianceHit]) -> tuple[str, list[tuple[int, int]]]:
    """The text with each clause holding a block term rewritten or dropped, and what changed.

    A clause is rewritten when all its block terms have a replacement and lie inside it, else
    dropped; the second value is the spans of the result next to which something changed.

    blocks: sorted by start. Only the clauses with hits are looked at, so long texts stay fast.
    """
    groups: list[list] = []  # [clause_start, clause_end, hits]
    for hit in blocks:
        start, end = _clause_around(text, hit.start, hit.end)
        if groups and start < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], end)
            groups[-1][2].append(hit)
        else:
            groups.append([start, end, [hit]])
    pieces: list[str] = []
    changed: list[tuple[int, int]] = []
    length = position = 0
    for start, end, hits in groups:
        pieces.append(text[position:start])
        length += start - position
        crossing = any(mark in text[h.start : h.end] for h in hits for mark in _CLAUSE_MARKS)
        if crossing or any(h.replacement is None for h in hits):
            rewritten = ""
            _end_sentence(pieces, text[start:end])
        else:
            rewritten = text[start:end]
            for hit in reversed(hits):
                rewritten = (
                    rewritten[: hit.start - start] + hit.replacement + rewritten[hit.end - start :]
                )
        pieces.append(rewritten)
        changed.append((length, length + len(rewritten)))
        length += len(rewritten)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), changed


@dataclass(frozen=True)
class CheckResult:
    """What check() found in a text, and the text with block terms cleaned away."""

    passed: bool
    hits: list[ComplianceHit]
    cleaned: str


@cache
def _sentence_pattern(marks: str) -> re.Pattern:
    ends = re.escape(marks)
    return re.compile(rf"[^{ends}]*[{ends}]+|[^{ends}]+$")


def sentences(text: str, also_ending: str = "") -> list[str]:
    """Text split after sentence-ending punctuation (the pieces join back to the text).

    also_ending: more marks that end a sentence here (a draft's ～ closing "亲，您好～").
    """
    return _sentence_pattern(_SENTENCE_END_MARKS + also_ending).findall(text)


class ComplianceGuard:
    """check() is pure: no I/O, safe to call from any thread."""

    def __init__(self, lexicon: Lexicon):
        self.matcher = Matcher(lexicon)

    def hits(self, text: str, agent: bool = True) -> list[ComplianceHit]:
        """Every lexicon hit in text with its exact span.

        agent: False for a customer's message (their own phone number is not a violation).
        """
        return [
            ComplianceHit(
                term=term.text,
                matched=text[start:end],
                category=term.category,
                severity=term.severity,
                start=start,
                end=end,
                explanation=term.explanation,
                replacement=term.replacement,
            )
            for term, start, end in self.matcher.find(text, agent=agent)
        ]

    def check(self, text: str) -> CheckResult:
        """Hits in text and a cleaned copy; passed when no block term is in the original."""
        hits = self.hits(text)
        return CheckResult(
            passed=not any(hit.severity == "block" for hit in hits),
            hits=hits,
            cleaned=self.clean(text, hits),
        )

    def clean(self, text: str, hits: list[ComplianceHit] | None = None) -> str:
        """Replace block terms that have a replacement; drop the clauses with the others."""
        hits = self.hits(text) if hits is None else hits
        blocks = sorted((h for h in hits if h.severity == "block"), key=lambda h: h.start)
        if not blocks:
            return text
        cleaned, changed = _cleaned_parts(text, blocks)
        # a replacement, or text joined where a clause was dropped, may form a new term
        for start, end in changed:
            around = _clause_around(
                cleaned, max(0, start - VERIFY_CHARS), min(len(cleaned), end + VERIFY_CHARS)
            )  # whole clauses, so allow-listed phrases are seen whole
            if self._blocked(cleaned[around[0] : around[1]]):
                return self._clean_slowly(cleaned)
        return _tidy(cleaned)

    def _clean_slowly(self, text: str) -> str:
        """Clause by clause, checking each on its own (rarely needed)."""
        for hit in sorted(self.hits(text), key=lambda h: -h.start):
            if hit.severity == "block" and hit.replacement is not None:
                text = text[: hit.start] + hit.replacement + text[hit.end :]
        kept = [clause for clause in _CLAUSE.findall(text) if clause and not self._blocked(clause)]
        return _tidy("".join(kept))

    def _blocked(self, sentence: str) -> bool:
        return any(term.severity == "block" for term, _, _ in self.matcher.find(sentence))
