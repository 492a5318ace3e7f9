"""The guard every draft passes before it leaves: block terms replaced or their sentence dropped."""

import re
from dataclasses import dataclass

from copilot.compliance.lexicon import Lexicon
from copilot.compliance.matcher import Matcher
from copilot.schemas import ComplianceHit

_SENTENCE_END = re.compile(r"[^。！？!?；;\n]*[。！？!?；;\n]+|[^。！？!?；;\n]+$")


_CLAUSE = re.compile(r"[^，,；;。！？!?\n]*[，,；;。！？!?\n]*")
_DANGLING = re.compile(r"[，,、；;：:\s]+$")


def _tidy(text: str) -> str:
    """A cleaned text that ends like a sentence, not on the comma of a dropped clause."""
    text = text.strip()
    if _DANGLING.search(text):
        text = _DANGLING.sub("", text) + "。"
    return text if text.strip("。") else ""


@dataclass(frozen=True)
class CheckResult:
    """What check() found in a text, and the text with block terms cleaned away."""

    passed: bool
    hits: list[ComplianceHit]
    cleaned: str


def sentences(text: str) -> list[str]:
    """Text split after sentence-ending punctuation (the pieces join back to the text)."""
    return _SENTENCE_END.findall(text)


class ComplianceGuard:
    """check() is pure: no I/O, safe to call from any thread."""

    def __init__(self, lexicon: Lexicon):
        self.matcher = Matcher(lexicon)

    def hits(self, text: str) -> list[ComplianceHit]:
        """Every lexicon hit in text with its exact span."""
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
            for term, start, end in self.matcher.find(text)
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
        for hit in sorted(hits, key=lambda h: -h.start):
            if hit.severity == "block" and hit.replacement is not None:
                text = text[: hit.start] + hit.replacement + text[hit.end :]
        kept = [clause for clause in _CLAUSE.findall(text) if clause and not self._blocked(clause)]
        return _tidy("".join(kept))

    def _blocked(self, sentence: str) -> bool:
        return any(term.severity == "block" for term, _, _ in self.matcher.find(sentence))
