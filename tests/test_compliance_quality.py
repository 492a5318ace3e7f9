"""The lexicon's size, its recall on evasions and its false positives on ordinary replies."""

import json
import re

import pytest

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import bundled_knowledge_dir
from copilot.errors import KnowledgeError
from copilot.knowledge import load_knowledge
from tests.conftest import DATA

COMPLIANCE = DATA / "compliance"
BLOCK_CATEGORIES = (
    "absolute_terms",
    "false_authority",
    "medical_claims",
    "off_platform_contact",
    "review_manipulation",
    "overpromise",
    "insults",
)


@pytest.fixture(scope="module")
def guard():
    return ComplianceGuard(load_lexicon(bundled_knowledge_dir()))


def ordinary_sentences() -> list[str]:
    """The bundled shop's scripts, FAQ answers, descriptions and rule sentences, plus
    hand-written agent replies full of look-alike words (第一次, 最好先, USB, 微信支付…)."""
    kb = load_knowledge(bundled_knowledge_dir())
    sentences = [script.text for _, script in kb.scripts.values()]
    for _, product in kb.products.values():
        sentences += [entry.a for entry in product.faq] + [product.description]
    for document in kb.rules.values():
        for section in document.sections:
            sentences += re.split(r"(?<=[。！？])", section.body)
    lines = (COMPLIANCE / "ordinary_replies.txt").read_text(encoding="utf-8").splitlines()
    sentences += [line for line in lines if not line.startswith("#")]
    return [s.strip() for s in sentences if s.strip()]


def test_lexicon_has_600_entries_in_every_required_category():
    lexicon = load_lexicon(bundled_knowledge_dir())
    counts = lexicon.by_category()
    assert len(lexicon.terms) >= 600
    for category in BLOCK_CATEGORIES:
        assert counts[category] >= 30, category
    assert counts["shop_overpromise"] >= 1  # the shop's own additions are enforced too


def test_recall_on_labelled_evasions_is_at_least_097(guard):
    rows = [json.loads(line) for line in (COMPLIANCE / "evasions.jsonl").open(encoding="utf-8")]
    assert len(rows) >= 250
    missed = [
        row
        for row in rows
        if not any(h.category == row["category"] for h in guard.hits(row["text"]))
    ]
    recall = 1 - len(missed) / len(rows)
    print(f"\nevasion recall {recall:.3f} on {len(rows)} variants")
    assert recall >= 0.97, missed


def test_false_positive_rate_on_ordinary_replies_is_at_most_1_percent(guard):
    sentences = ordinary_sentences()
    assert len(sentences) >= 400
    flagged = [(s, [h.term for h in guard.hits(s)]) for s in sentences if not guard.check(s).passed]
    rate = len(flagged) / len(sentences)
    print(f"\nfalse-positive rate {rate:.4f} on {len(sentences)} sentences")
    assert rate <= 0.01, flagged


def test_broken_lexicon_file_is_an_error_naming_file_and_field(tmp_path):
    path = tmp_path / "lexicon.yaml"
    path.write_text(
        "categories:\n  x:\n    severity: fatal\n    explanation: e\n    terms: [a]\n", "utf-8"
    )
    with pytest.raises(KnowledgeError, match=r"lexicon.yaml: field 'categories.x.severity'"):
        load_lexicon(path=path)
    path.write_text("categories: [", "utf-8")
    with pytest.raises(KnowledgeError, match="cannot be read as YAML"):
        load_lexicon(path=path)
