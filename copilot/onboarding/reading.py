"""What import asks of the rest of the copilot: what a phrase means and does, its banned terms."""

from pathlib import Path

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import Settings
from copilot.datafiles import package_yaml
from copilot.drafting.offline import load_phrasing
from copilot.drafting.playbook import built_in_playbook
from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings
from copilot.onboarding.importer import BannedCheck, Classifier, FunctionOf
from copilot.schemas import MAX_MESSAGE_CHARS, DraftRequest, unsafe_text_problem
from copilot.understand.analyzer import MessageAnalyzer
from copilot.understand.model import UnderstandingModel


def phrase_reading(settings: Settings) -> tuple[Classifier, FunctionOf]:
    """How import reads a quick phrase, sharing one encoder: its intent and its function."""
    encoder = UseMultilingualEmbeddings(threads=settings.embedding_threads)
    return _classifier(settings, encoder), _function_of(encoder)


def _function_of(encoder: UseMultilingualEmbeddings) -> FunctionOf:
    """What a quick phrase does: knowledge_gap or closing (see FunctionOf), else None.

    knowledge_gap: close in meaning to the examples in data/phrase_functions.yaml. closing: a
    greeting that promises to stay in touch (随时找我, the drafter's own test) or says goodbye.
    """
    gap = package_yaml("copilot.onboarding", "phrase_functions.yaml")["knowledge_gap"]
    gap_vectors = encoder.encode([str(example) for example in gap["examples"]])
    likeness = float(gap["likeness"])
    farewell = built_in_playbook().situations.get("farewell", [])
    closing_words = [*load_phrasing()["closing_words"], *farewell]

    def function_of(text: str, intent: str) -> str | None:
        if float((gap_vectors @ encoder.encode([text])[0]).max()) >= likeness:
            return "knowledge_gap"
        if intent == "greeting" and any(word in text for word in closing_words):
            return "closing"
        return None

    return function_of


def _classifier(settings: Settings, encoder: UseMultilingualEmbeddings) -> Classifier:
    """The trained intent model read on a phrase: (intent, stage, confidence, sure).

    Sure means at or above COPILOT_INTENT_CONFIDENCE_FLOOR, the floor drafts use too.
    """
    analyzer = MessageAnalyzer(encoder, UnderstandingModel.load())
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
