"""What import asks of the rest of the copilot: an intent for a phrase, the banned terms in it."""

from pathlib import Path

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import Settings
from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings
from copilot.onboarding.importer import BannedCheck, Classifier
from copilot.schemas import MAX_MESSAGE_CHARS, DraftRequest, unsafe_text_problem
from copilot.understand.analyzer import MessageAnalyzer
from copilot.understand.model import UnderstandingModel


def phrase_classifier(settings: Settings) -> Classifier:
    """The trained intent model read on a phrase: (intent, stage, confidence, sure).

    Sure means at or above COPILOT_INTENT_CONFIDENCE_FLOOR, the floor drafts use too.
    """
    analyzer = MessageAnalyzer(
        UseMultilingualEmbeddings(threads=settings.embedding_threads), UnderstandingModel.load()
    )
    floor = settings.intent_confidence_floor

    def classify(text: str) -> tuple[str, str, float, bool]:
        readable = text[:MAX_MESSAGE_CHARS] if unsafe_text_problem(text) is None else "你好"
        analysis = analyzer.analyze(DraftRequest(message=readable)).analysis
        return analysis.intent, analysis.stage, analysis.confidence, analysis.confidence >= floor

    return classify


def banned_terms(knowledge_dir: Path | None) -> BannedCheck:
    """The block terms of the copilot's lexicon and the target shop's, as "term (category)"."""
    guard = ComplianceGuard(load_lexicon(knowledge_dir))

    def check(text: str) -> list[str]:
        return [
            f"'{hit.matched}' ({hit.category})"
            for hit in guard.hits(text)
            if hit.severity == "block"
        ]

    return check
