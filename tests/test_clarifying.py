"""Intent confidence, and the clarifying question a draft opens with when the intent is unsure."""

import json

import pytest

from copilot.container import build_copilot
from copilot.drafting.grounding import ANSWERING_FACT
from copilot.drafting.offline import load_phrasing
from copilot.schemas import DraftRequest
from tests.conftest import make_settings

CLARIFY = load_phrasing()["strategies"]["clarify"]
ASKS = load_phrasing()["intent_asks"]


@pytest.fixture
def unsure(bundled_copilot):
    """The bundled copilot with a confidence floor (1.0) that every message falls under."""
    original = bundled_copilot.settings
    bundled_copilot.settings = original.model_copy(update={"intent_confidence_floor": 1.0})
    yield bundled_copilot
    bundled_copilot.settings = original


def draft(copilot, message, n=2, **fields):
    return copilot.draft(DraftRequest(message=message, n=n, **fields), record=False)


def test_every_response_reports_a_confidence_between_0_and_1(bundled_copilot):
    for message in ("能发顺丰吗", "嗯", "你们这店还开不开了"):
        assert 0 <= draft(bundled_copilot, message).confidence <= 1


def test_a_vague_message_gets_a_clarifying_question_with_the_default_floor(bundled_copilot):
    response = draft(bundled_copilot, "钱和货的问题")
    assert response.confidence < bundled_copilot.settings.intent_confidence_floor
    assert response.drafts[0].strategy == CLARIFY


def test_clarifying_question_names_the_two_likeliest_requests_and_comes_first(unsure):
    response = draft(unsure, "这个怎么弄啊", n=3)
    first = response.drafts[0]
    assert first.strategy == CLARIFY and first.text.endswith("我马上帮您处理。")
    assert "还是" in first.text
    asked = [intent for intent, ask in ASKS.items() if ask in first.text]
    assert len(asked) == 2 and (response.intent in asked or response.intent == "greeting")
    assert first.citations == [] and first.compliance.passed
    assert len(response.drafts) >= 2 and all(d.strategy != CLARIFY for d in response.drafts[1:])


def test_one_draft_asked_for_is_the_clarifying_question(unsure):
    response = draft(unsure, "这个怎么弄啊", n=1)
    assert [d.strategy for d in response.drafts] == [CLARIFY]


def test_an_unsure_unhappy_customer_is_apologised_to_before_the_question(unsure):
    response = draft(unsure, "你们这什么破东西 气死我了")
    assert response.emotion == "angry" and response.escalate.needed
    assert response.drafts[0].strategy == CLARIFY
    assert any(word in response.drafts[0].text[:20] for word in ("抱歉", "理解", "对不起"))


def test_a_plain_greeting_is_sure_enough_not_to_be_questioned(bundled_copilot):
    response = draft(bundled_copilot, "在吗")
    assert response.intent == "greeting" and response.drafts[0].strategy != CLARIFY


def test_a_question_the_knowledge_answers_is_answered_not_questioned(unsure):
    """Unsure which request it is, but the shipping rule says what 能发顺丰吗 asks."""
    response = draft(unsure, "能发顺丰吗")
    assert response.confidence < 1.0
    assert response.drafts[0].strategy != CLARIFY and "10元" in response.drafts[0].text


def test_a_weak_fact_from_a_rule_about_the_intent_read_is_answered_not_questioned(unsure):
    """东西能寄到澳门吗: the fact (港澳台…) is below the answering relevance, but its rule section
    is about shipping, the intent read: the reading and the knowledge agree."""
    context = unsure.prepare(DraftRequest(message="东西能寄到澳门吗"))
    fact = context.facts[0]
    assert fact.relevance < ANSWERING_FACT and context.understanding.analysis.intent == "shipping"
    assert not unsure._unsure(context)
    response = draft(unsure, "东西能寄到澳门吗")
    assert response.drafts[0].strategy != CLARIFY and "港澳台" in response.drafts[0].text
    # the same fact does not settle a reading of another intent
    assert not unsure._agrees(fact, "refund")


def test_bait_is_answered_not_questioned(unsure):
    assert draft(unsure, "加个微信吧").drafts[0].strategy != CLARIFY


def test_a_floor_of_zero_turns_clarifying_off(bundled_copilot):
    original = bundled_copilot.settings
    bundled_copilot.settings = original.model_copy(update={"intent_confidence_floor": 0.0})
    try:
        response = draft(bundled_copilot, "钱和货的问题")
    finally:
        bundled_copilot.settings = original
    assert all(d.strategy != CLARIFY for d in response.drafts)


def test_streamed_clarifying_question_comes_first_with_its_own_deltas(unsure):
    events = list(unsure.draft_events(DraftRequest(message="这个怎么弄啊", n=2)))
    finals = [data for name, data in events if name == "draft"]
    assert [d["index"] for d in finals] == list(range(len(finals)))
    assert finals[0]["strategy"] == CLARIFY
    streamed = "".join(d["text"] for n, d in events if n == "delta" and d["index"] == 0)
    assert streamed == finals[0]["text"]
    assert events[0][0] == "analysis" and "confidence" in events[0][1]


def test_with_an_llm_the_question_comes_first_and_the_model_writes_the_rest(
    bundled_copilot, fake_openai, tmp_path
):
    settings = make_settings(
        tmp_path,
        data_dir=bundled_copilot.settings.data_dir,
        llm_base_url=fake_openai.base_url,
        llm_model="fake-chat",
        intent_confidence_floor=1.0,
    )
    copilot = build_copilot(settings)
    answer = {
        "drafts": [
            {
                "strategy": "直接解答",
                "text": "您说的是哪一款呢？告诉我名字我帮您看看怎么用。",
                "citations": ["script:pre-product-02"],
            }
        ]
    }
    fake_openai.enqueue(json.dumps(answer, ensure_ascii=False))
    response = copilot.draft(DraftRequest(message="这个怎么弄啊", n=2), record=False)
    assert response.mode == "llm"
    assert [d.strategy for d in response.drafts] == [CLARIFY, "直接解答"]
