"""The Chroma server mode against a real `chroma run` started and stopped by the test."""

import pytest

from copilot.container import build_copilot
from copilot.errors import IndexUnavailableError
from tests.conftest import free_port, make_settings
from tests.processes import start_chroma, stop


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    process = start_chroma(tmp_path / "chroma-server", port)
    yield f"http://127.0.0.1:{port}", process
    stop(process)


def test_ingest_and_search_through_a_chroma_server(tmp_path, tiny_shop, chroma_server):
    url, _ = chroma_server
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop, chroma_url=url)
    copilot = build_copilot(settings)
    report = copilot.ingest()
    assert report.summary.added == 10
    assert not settings.chroma_path.exists()  # nothing embedded: the server holds the index
    assert copilot.search("龙井怎么泡", k=1)[0].id == "faq:TEA-01:1"
    # a second process-like client sees the same index
    other = build_copilot(make_settings(tmp_path / "other", chroma_url=url))
    assert other.search("杭州仓几天发货", k=1)[0].id == "rule:delivery:发货时效"
    assert build_copilot(settings).ingest().summary.unchanged == 10


def test_unreachable_server_is_a_clear_error(tmp_path, tiny_shop, chroma_server):
    url, process = chroma_server
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop, chroma_url=url)
    build_copilot(settings).ingest()
    stop(process)
    with pytest.raises(IndexUnavailableError, match=f"Chroma is unreachable at {url}"):
        build_copilot(settings).search("龙井怎么泡")
