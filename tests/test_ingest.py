"""Ingestion: validate first, stable ids, incremental sync, backend recorded in the index."""

import pytest

from copilot.container import build_copilot
from copilot.errors import EmbeddingMismatchError, IndexNotBuiltError, KnowledgeError
from copilot.index.chroma import ChromaStore
from copilot.index.ingest import ingest
from tests.conftest import make_settings

TINY_CHUNKS = 2 + 4 + 2 + 2  # products, FAQ entries, rule sections, scripts


def _ids(settings, backend="use-multilingual") -> set[str]:
    return {chunk.id for chunk in ChromaStore(settings).load_chunks(backend)}


def test_another_shops_knowledge_is_ingested_and_searchable(tmp_path, tiny_shop):
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    report = ingest(settings)
    assert report.summary.added == TINY_CHUNKS and report.summary.total == TINY_CHUNKS
    assert report.chunks_by_type == {"product": 2, "faq": 4, "rule": 2, "script": 2}
    hits = build_copilot(settings).search("龙井怎么泡", k=3)
    assert hits[0].id == "faq:TEA-01:1"


def test_rerun_on_unchanged_knowledge_writes_nothing(tmp_path, tiny_shop):
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    ingest(settings)
    fingerprint = ChromaStore(settings).fingerprint()
    summary = ingest(settings).summary
    assert (summary.added, summary.updated, summary.deleted) == (0, 0, 0)
    assert summary.unchanged == TINY_CHUNKS
    assert ChromaStore(settings).fingerprint() == fingerprint


def test_changed_entries_are_updated_and_removed_entries_deleted(tmp_path, tiny_shop):
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    ingest(settings)
    tea = tiny_shop / "products/tea.yaml"
    tea.write_text(tea.read_text(encoding="utf-8").replace("80度", "85度"), encoding="utf-8")
    (tiny_shop / "products/teaware.yaml").unlink()
    summary = ingest(settings).summary
    assert (summary.added, summary.updated, summary.deleted) == (0, 1, 3)
    ids = _ids(settings)
    assert "product:CUP-01" not in ids and "faq:CUP-01:1" not in ids
    chunk = next(
        c for c in ChromaStore(settings).load_chunks("use-multilingual") if c.id == "faq:TEA-01:1"
    )
    assert "85度" in chunk.text


def test_invalid_knowledge_writes_nothing(tmp_path, tiny_shop):
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    ingest(settings)
    before = ChromaStore(settings).fingerprint()
    (tiny_shop / "products/tea.yaml").write_text("sku: TEA-01\nname: 龙井\nprice: -3\n", "utf-8")
    (tiny_shop / "scripts/basic.yaml").unlink()
    with pytest.raises(
        KnowledgeError, match=r"products/tea.yaml, entry 1 \(sku TEA-01\): field 'price'"
    ):
        ingest(settings)
    assert ChromaStore(settings).fingerprint() == before
    assert len(_ids(settings)) == TINY_CHUNKS


def test_invalid_knowledge_on_a_fresh_data_dir_creates_nothing(tmp_path, tiny_shop):
    (tiny_shop / "rules/delivery.md").write_text("没有标题\n", encoding="utf-8")
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    with pytest.raises(KnowledgeError):
        build_copilot(settings).ingest()
    assert not settings.data_dir.exists()


def test_searching_before_ingest_says_to_ingest(tmp_path):
    with pytest.raises(IndexNotBuiltError, match="run `copilot ingest` first"):
        build_copilot(make_settings(tmp_path)).search("能发顺丰吗")


def test_index_built_with_another_backend_asks_to_reingest(tmp_path, tiny_shop, fake_openai):
    other = make_settings(
        tmp_path,
        knowledge_dir=tiny_shop,
        embeddings="openai:emb-small",
        openai_base_url=fake_openai.base_url,
    )
    ingest(other)
    assert build_copilot(other).search("龙井怎么泡", k=1)[0].id == "faq:TEA-01:1"
    default = make_settings(tmp_path, knowledge_dir=tiny_shop)
    with pytest.raises(
        EmbeddingMismatchError,
        match="built with embeddings 'openai:emb-small'.*run `copilot ingest` to rebuild",
    ):
        build_copilot(default).search("龙井怎么泡")
    summary = ingest(default).summary
    assert summary.rebuilt and summary.added == TINY_CHUNKS
    assert build_copilot(default).search("龙井怎么泡", k=1)[0].id == "faq:TEA-01:1"
    with pytest.raises(EmbeddingMismatchError):
        build_copilot(other).search("龙井怎么泡")


def test_a_running_reader_picks_up_another_processes_ingest(tmp_path, tiny_shop):
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    ingest(settings)
    reader = build_copilot(settings)
    reader.retriever.recheck_seconds = 0
    assert reader.retriever.size == TINY_CHUNKS
    rules = tiny_shop / "rules/delivery.md"
    rules.write_text(
        rules.read_text(encoding="utf-8") + "\n## 礼盒包装\n下单备注即可免费加礼盒和贺卡。\n",
        encoding="utf-8",
    )
    ingest(settings)  # as another process would: a separate store and embeddings
    assert reader.retriever.size == TINY_CHUNKS + 1
    assert reader.search("可以加礼盒吗", k=1)[0].id == "rule:delivery:礼盒包装"


def test_a_reader_never_switches_to_a_half_written_index(tmp_path, tiny_shop):
    """An ingest writes chunk by chunk and its fingerprint last; a reader that reloads in
    between keeps answering from the last complete index."""
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop)
    ingest(settings)
    reader = build_copilot(settings)
    reader.retriever.recheck_seconds = 0
    before = reader.retriever.chunk("rule:delivery:发货时效").text
    store = ChromaStore(settings)
    collection = store.collection("use-multilingual")
    half = collection.get(ids=["rule:delivery:发货时效"], include=["metadatas", "embeddings"])
    collection.upsert(  # what a killed or still-running ingest leaves: new content, old fingerprint
        ids=half["ids"],
        embeddings=half["embeddings"],
        documents=["配送说明 - 发货时效\n付款后2小时内发货。"],
        metadatas=[{**half["metadatas"][0], "hash": "half-written"}],
    )
    reader.retriever.refresh()
    assert reader.retriever.chunk("rule:delivery:发货时效").text == before
    assert not store.load_all("use-multilingual").complete
    ingest(settings)  # the ingest finishes: content and fingerprint agree again
    assert reader.retriever.chunk("rule:delivery:发货时效").text == before  # restored content
    assert store.load_all("use-multilingual").complete
