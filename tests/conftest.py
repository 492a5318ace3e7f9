import shutil
import socket
from pathlib import Path

import pytest

from copilot.config import Settings, bundled_knowledge_dir
from copilot.container import build_copilot

DATA = Path(__file__).parent / "data"
TINY_SHOP = DATA / "tiny_shop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(tmp_path: Path, **overrides) -> Settings:
    """Explicit settings for a test: never the developer's environment or .env."""
    values = {
        "knowledge_dir": bundled_knowledge_dir(),
        "data_dir": tmp_path / "data",
        # Starlette's TestClient sends Host: testserver
        "allowed_hosts": "127.0.0.1,localhost,::1,testserver",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def bundled_copilot(tmp_path_factory):
    """The bundled sample shop, ingested once for the whole session."""
    settings = make_settings(tmp_path_factory.mktemp("bundled"))
    copilot = build_copilot(settings)
    copilot.ingest()
    return copilot


@pytest.fixture
def tiny_shop(tmp_path) -> Path:
    """A copy of a small second shop, safe to edit."""
    target = tmp_path / "tiny_shop"
    shutil.copytree(TINY_SHOP, target)
    return target


@pytest.fixture
def fake_openai():
    from tests.fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        yield server
