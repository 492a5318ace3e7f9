"""Hybrid retrieval over the bundled shop: ranking, filters, Traditional Chinese, quality."""

import pytest
from langchain_core.documents import Document
from opencc import OpenCC

from copilot.container import build_copilot
from copilot.index.langchain_retriever import KnowledgeRetriever
from copilot.index.quality import evaluate, load_questions
from copilot.index.retriever import SearchFilters
from tests.conftest import DATA, make_settings


def test_shipping_question_returns_the_courier_rule_first(bundled_copilot):
    hits = bundled_copilot.search("能发顺丰吗")
    assert hits[0].id == "rule:shipping:快递公司"
    assert hits[0].type == "rule" and hits[0].source == "rules/shipping.md"
    assert "顺丰" in hits[0].text and hits[0].score > 0


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("能發順豐嗎", "能发顺丰吗"),
        ("退款多久能到賬", "退款多久能到账"),
        ("發票抬頭開錯了", "发票抬头开错了"),
    ],
)
def test_traditional_chinese_retrieves_like_simplified(bundled_copilot, traditional, simplified):
    assert [h.id for h in bundled_copilot.search(traditional)] == [
        h.id for h in bundled_copilot.search(simplified)
    ]


def test_scripts_are_searched_only_when_asked_for(bundled_copilot):
    assert all(h.type != "script" for h in bundled_copilot.search("退货", k=10))
    hits = bundled_copilot.search("退货", k=5, filters=SearchFilters(types=["script"]))
    assert hits and all(h.type == "script" for h in hits)


def test_filters_by_intent_and_stage(bundled_copilot):
    filters = SearchFilters(types=["script"], intent="complaint", stage="aftersale")
    hits = bundled_copilot.search("太气人了", k=5, filters=filters)
    assert hits and all(h.id.startswith("script:after-complaint") for h in hits)


def test_filter_by_sku_is_exclusive(bundled_copilot):
    hits = bundled_copilot.search("怎么退货", k=5, filters=SearchFilters(sku="HM-W002"))
    assert hits and all(h.sku == "HM-W002" for h in hits)


def test_named_sku_is_preferred_but_not_exclusive(bundled_copilot):
    plain = bundled_copilot.search("它不加热了怎么办", k=5)
    focused = bundled_copilot.search("它不加热了怎么办", k=5, prefer_sku="HM-K001")
    assert focused[0].id == "faq:HM-K001:2"
    assert sum(h.sku == "HM-K001" for h in focused) > sum(h.sku == "HM-K001" for h in plain)
    mixed = bundled_copilot.search("能发顺丰吗", k=5, prefer_sku="HM-K001")
    assert "rule:shipping:快递公司" in [h.id for h in mixed]
    assert any(h.sku == "HM-K001" for h in mixed)


def test_langchain_retriever_returns_documents(bundled_copilot):
    retriever = KnowledgeRetriever(retriever=bundled_copilot.retriever, k=3)
    documents = retriever.invoke("退款多久到账")
    assert len(documents) == 3 and all(isinstance(d, Document) for d in documents)
    assert documents[0].id == "rule:refund:退款到账时间"
    assert documents[0].metadata["type"] == "rule" and documents[0].metadata["score"] > 0


@pytest.fixture(scope="module")
def questions():
    return load_questions(DATA / "retrieval_questions.jsonl")


def test_labelled_set_is_large_and_points_at_real_chunks(bundled_copilot, questions):
    assert len(questions) >= 80
    traditional = [q for q in questions if OpenCC("t2s").convert(q.q) != q.q]
    assert len(traditional) >= 8
    for question in questions:
        for gold in question.gold:
            assert bundled_copilot.retriever.chunk(gold) is not None, gold


def test_hybrid_recall_at_5_is_at_least_0_9_and_fusion_beats_each_side(bundled_copilot, questions):
    hybrid = evaluate(bundled_copilot.retriever, questions, k=5, method="hybrid")
    dense = evaluate(bundled_copilot.retriever, questions, k=5, method="dense")
    lexical = evaluate(bundled_copilot.retriever, questions, k=5, method="bm25")
    print(
        f"\nrecall@5 / MRR: hybrid {hybrid.recall_at_k:.3f}/{hybrid.mrr:.3f}, "
        f"dense {dense.recall_at_k:.3f}/{dense.mrr:.3f}, "
        f"bm25 {lexical.recall_at_k:.3f}/{lexical.mrr:.3f}"
    )
    assert hybrid.recall_at_k >= 0.9, hybrid.misses
    assert hybrid.recall_at_k >= max(dense.recall_at_k, lexical.recall_at_k)
    assert hybrid.mrr >= 0.7


def test_search_through_chroma_matches_the_in_memory_exact_search(bundled_copilot, questions):
    """Indexes too big for memory are searched through Chroma; both paths must agree."""
    from copilot.index.retriever import HybridRetriever

    through_chroma = HybridRetriever(
        bundled_copilot.store, bundled_copilot.embeddings, memory_limit=0
    )
    assert through_chroma._index().matrix is None
    assert bundled_copilot.retriever._index().matrix is not None
    via_chroma = evaluate(through_chroma, questions, k=5, method="dense")
    in_memory = evaluate(bundled_copilot.retriever, questions, k=5, method="dense")
    assert abs(via_chroma.recall_at_k - in_memory.recall_at_k) <= 0.02
    hits = through_chroma.search("它不加热了", 3, prefer_sku="HM-K001")
    assert hits[0].sku == "HM-K001"
    scores = through_chroma.similarities(
        through_chroma.encode_query("能发顺丰吗"), ["rule:shipping:快递公司"]
    )
    expected = bundled_copilot.retriever.similarities(
        bundled_copilot.retriever.encode_query("能发顺丰吗"), ["rule:shipping:快递公司"]
    )
    assert abs(float(scores[0]) - float(expected[0])) < 1e-4


def test_a_word_cut_differently_in_the_rule_still_counts_in_part(tmp_path):
    """jieba reads 满减 as one word and 满99元减10元 as several: with only amounts between its
    characters it is the phrase 满减 abbreviates (in full); characters found apart, half."""
    rules = tmp_path / "shop" / "rules"
    rules.mkdir(parents=True)
    (rules / "offers.md").write_text(
        "# 优惠\n\n## 满减活动\n全店满减，每单都能用。\n\n## 满额立减\n全店满99元减10元。\n\n"
        "## 包邮\n满额包邮，会员另有立减。\n\n## 赠品\n满两件送杯垫。\n",
        encoding="utf-8",
    )
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=tmp_path / "shop"))
    copilot.ingest()
    ids = ["rule:offers:满减活动", "rule:offers:满额立减", "rule:offers:包邮", "rule:offers:赠品"]
    whole, abbreviated, in_part, one_character = copilot.retriever.coverage("满减", ids)
    assert (whole, abbreviated, in_part, one_character) == (1.0, 1.0, 0.5, 0.0)
