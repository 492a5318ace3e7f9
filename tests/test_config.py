"""Settings: COPILOT_* environment, .env file, explicit overrides."""

from pathlib import Path

import pytest

from copilot.config import bundled_knowledge_dir, load_settings
from copilot.errors import ConfigError


def test_defaults_point_at_the_bundled_knowledge(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("COPILOT_KNOWLEDGE_DIR", "COPILOT_DATA_DIR", "COPILOT_EMBEDDINGS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.knowledge_dir == bundled_knowledge_dir()
    assert (settings.knowledge_dir / "products").is_dir()
    assert settings.data_dir == Path(".copilot")
    assert settings.embeddings == "use-multilingual" and settings.chroma_url is None


def test_dotenv_then_environment_then_flags(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("COPILOT_DATA_DIR=/from/dotenv\nCOPILOT_PORT=9001\n")
    monkeypatch.delenv("COPILOT_DATA_DIR", raising=False)
    monkeypatch.delenv("COPILOT_PORT", raising=False)
    assert load_settings().data_dir == Path("/from/dotenv")
    monkeypatch.setenv("COPILOT_DATA_DIR", "/from/env")
    assert load_settings().data_dir == Path("/from/env")
    assert load_settings().port == 9001
    assert load_settings(data_dir=Path("/from/flag"), port=None).data_dir == Path("/from/flag")


def test_bad_values_name_the_variable(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="COPILOT_CHROMA_URL: .*must start with http"):
        load_settings(chroma_url="localhost:8000")
    with pytest.raises(ConfigError, match="COPILOT_PORT"):
        load_settings(port=70000)
    with pytest.raises(ConfigError, match="COPILOT_COLLECTION"):
        load_settings(collection="k")
