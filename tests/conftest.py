import json
import shutil
import socket
from pathlib import Path

import pytest

from copilot.config import Settings, bundled_knowledge_dir
from copilot.container import build_copilot

DATA = Path(__file__).parent / "data"
# the risk test sets (attacks and ordinary look-alikes), each written apart from the training rows
RISK_SETS = ("risk", "risk2", "risk3", "risk4")


def risk_rows(folder: str, name: str) -> list[dict]:
    """The rows of one file (attacks.jsonl or ordinary.jsonl) of a risk test set."""
    return [json.loads(line) for line in (DATA / folder / name).open(encoding="utf-8")]


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


def ingested_copilot(tmp_path: Path, **overrides):
    """A copilot on explicit test settings (see make_settings), its knowledge ingested."""
    copilot = build_copilot(make_settings(tmp_path, **overrides))
    copilot.ingest()
    return copilot


@pytest.fixture(scope="session")
def bundled_copilot(tmp_path_factory):
    """The bundled sample shop, ingested once for the whole session."""
    return ingested_copilot(tmp_path_factory.mktemp("bundled"))


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


def make_two_shops(shops_dir: Path) -> None:
    """Two copies of the tiny shop with conflicting rules and banned words of their own.

    shop-a ships in 24 hours from Hangzhou by STO and bans 龙井之王; shop-b ships in 48 hours
    from Chengdu by SF and bans 蜀山茶仙.
    """
    for shop, term in (("shop-a", "龙井之王"), ("shop-b", "蜀山茶仙")):
        shutil.copytree(TINY_SHOP, shops_dir / shop)
        (shops_dir / shop / "compliance" / "banned_words.yaml").write_text(
            f"categories:\n  shop_claims:\n    severity: block\n    words: [{term}]\n", "utf-8"
        )
    rules = shops_dir / "shop-b" / "rules" / "delivery.md"
    rules.write_text(
        rules.read_text("utf-8").replace(
            "付款后24小时内从杭州仓发货，默认发申通快递",
            "付款后48小时内从成都仓发货，默认发顺丰快递",
        ),
        "utf-8",
    )


@pytest.fixture(scope="session")
def two_shops(tmp_path_factory) -> Path:
    """A deployment root: shops/ (shop-a, shop-b) ingested by `copilot ingest` into data/."""
    from typer.testing import CliRunner

    from copilot.cli import app as cli

    root = tmp_path_factory.mktemp("two-shops")
    make_two_shops(root / "shops")
    args = ["ingest", "--shops-dir", str(root / "shops"), "--data-dir", str(root / "data")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "shop shop-a: ingested" in result.output and "shop shop-b: ingested" in result.output
    return root
