"""Quotable sentences are embedded at ingest and read back with the index, not at draft time."""

import numpy as np

from copilot.container import build_copilot
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk
from copilot.knowledge.sentences import decode_vectors, encode_vectors, pieces
from copilot.schemas import DraftRequest
from tests.conftest import make_settings


class CountingEncoder:
    """Wraps the embeddings and counts the texts encoded through it."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


def test_ingest_stores_each_quotable_sentence_and_drafts_encode_none_of_them(tmp_path, tiny_shop):
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=tiny_shop))
    copilot.ingest()
    stored = copilot.retriever.sentence_vectors
    rule = "茶叶属于食品，密封包装未拆封的支持七天无理由退货，拆封后不支持。"
    assert rule in stored
    fresh = copilot.embeddings.encode([normalize(rule)])[0]
    assert np.allclose(stored[rule], fresh, atol=1e-5)

    fresh_copilot = build_copilot(copilot.settings)  # another process: reads them from Chroma
    counting = CountingEncoder(fresh_copilot.retriever.embeddings)
    fresh_copilot.retriever.embeddings = counting
    response = fresh_copilot.draft(DraftRequest(message="茶叶拆封了还能退吗"), record=False)
    assert "拆封后不支持" in " ".join(d.text for d in response.drafts)
    assert not set(counting.texts) & {normalize(s) for s in stored}


def test_vectors_that_do_not_fit_the_chunk_are_ignored():
    chunk = Chunk(id="rule:x:y", type="rule", text="标题\n第一句。第二句。", source="rules/x.md")
    assert pieces("第一句。第二句。") == ["第一句。", "第二句。"]
    two = encode_vectors(np.ones((2, 4), dtype=np.float32))
    assert set(decode_vectors(chunk, two)) == {"第一句。", "第二句。"}
    three = encode_vectors(np.ones((3, 4), dtype=np.float32))
    assert decode_vectors(chunk, three) == {}
    assert decode_vectors(chunk, "not base64!") == {}
