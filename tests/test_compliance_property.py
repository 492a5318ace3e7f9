"""Property: whatever banned terms and evasions an LLM writes, none reaches a response."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from copilot.drafting.guarding import SAFE_STRATEGY
from copilot.schemas import DraftRequest
from copilot.service import Copilot
from tests.fakes import ScriptedDrafter
from tests.test_compliance_quality import ordinary_sentences

S2T = OpenCC("s2t")
T2S = OpenCC("t2s")
ORDINARY = ordinary_sentences()


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text).upper()


TRICKS = [
    lambda t: t,
    lambda t: " ".join(t),
    lambda t: "·".join(t),
    lambda t: "❤".join(t),
    lambda t: "\u200b".join(t),
    lambda t: "_".join(t),
    full_width,
    lambda t: S2T.convert(t),
]


def simple_fold(text: str) -> str:
    """An oracle independent of the matcher: only letters and digits, Simplified, lower case."""
    half = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return T2S.convert(re.sub(r"[\W_]+", "", half).lower())


@pytest.fixture(scope="module")
def fake():
    return ScriptedDrafter()


@pytest.fixture(scope="module")
def copilot(bundled_copilot, fake):
    c = bundled_copilot
    return Copilot(
        c.settings, c.embeddings, c.store, c.retriever, c.analyzer, c.grounder, c.offline, fake
    )


@pytest.fixture(scope="module")
def block_terms(copilot):
    return sorted(
        {t.text for t in copilot.lexicon.terms if t.severity == "block" and not t.needs_context}
    )


@st.composite
def baited_drafts(draw, terms):
    """1-3 drafts: ordinary sentences with banned terms, disguised, inserted between clauses.

    Returns the drafts and, per draft, its base sentence and the terms injected into it.
    """
    drafts, injected = [], []
    for _ in range(draw(st.integers(1, 3))):
        base = draw(st.sampled_from(ORDINARY))
        clauses = [c for c in re.findall(r"[^，。！？]*[，。！？]?", base) if c]
        used = []
        for _ in range(draw(st.integers(1, 3))):
            term = draw(st.sampled_from(terms))
            variant = draw(st.sampled_from(TRICKS))(term)
            clauses.insert(draw(st.integers(0, len(clauses))), f"{variant}，")
            used.append(term)
        drafts.append("".join(clauses))
        injected.append((base, used))
    return drafts, injected


def assert_nothing_blocked_survives(copilot, texts_by_draft, injected):
    """Each draft passes the guard and holds no more of an injected term than its base did
    (a draft replaced by the shop's safe script only has to pass the guard)."""
    for index, texts in texts_by_draft.items():
        base, terms = injected[index]
        for text in texts:
            assert copilot.check(text).passed, text
            for term in terms:
                key = simple_fold(term)
                assert simple_fold(text).count(key) <= simple_fold(base).count(key), (term, text)


def model_writes(fake, block_terms, data) -> tuple[DraftRequest, list]:
    """Queue baited drafts as the model's next answer; the request that will get them."""
    drafts, injected = data.draw(baited_drafts(block_terms))
    fake.enqueue(*drafts)
    return DraftRequest(message="能发顺丰吗", n=len(drafts)), injected


PROPERTY = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=120, **PROPERTY)
@given(data=st.data())
def test_no_block_term_reaches_a_draft_response(copilot, fake, block_terms, data):
    request, injected = model_writes(fake, block_terms, data)
    response = copilot.draft(request)
    assert response.mode == "llm"
    by_draft = {i: [d.text] for i, d in enumerate(response.drafts) if d.strategy != SAFE_STRATEGY}
    for draft in response.drafts:
        assert copilot.check(draft.text).passed
    assert_nothing_blocked_survives(copilot, by_draft, injected)


@settings(max_examples=60, **PROPERTY)
@given(data=st.data())
def test_no_block_term_reaches_a_streamed_response(copilot, fake, block_terms, data):
    request, injected = model_writes(fake, block_terms, data)
    events = list(copilot.draft_events(request))
    assert events[-1][1]["mode"] == "llm"
    by_draft: dict[int, list[str]] = {}
    for name, payload in events:
        if name in ("delta", "draft"):
            assert copilot.check(payload["text"]).passed, payload["text"]
            if payload.get("strategy") != SAFE_STRATEGY:
                by_draft.setdefault(payload["index"], []).append(payload["text"])
    assert_nothing_blocked_survives(copilot, by_draft, injected)
