"""The `copilot` command line, in-process and as the real installed command."""

import json

import httpx
from typer.testing import CliRunner

from copilot.cli import app
from tests.conftest import free_port
from tests.processes import executable, output_of, start, stop, wait_until_up

runner = CliRunner()


def test_ingest_then_search_json(tmp_path, tiny_shop):
    data = str(tmp_path / "data")
    result = runner.invoke(app, ["ingest", "--knowledge", str(tiny_shop), "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert "10 added, 0 updated, 0 deleted, 0 unchanged; 10 chunks" in result.stdout
    result = runner.invoke(app, ["search", "龙井怎么泡", "--json", "--k", "2", "--data-dir", data])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 2 and hits[0]["id"] == "faq:TEA-01:1"
    assert set(hits[0]) >= {"id", "type", "source", "score", "text"}
    again = runner.invoke(app, ["ingest", "--knowledge", str(tiny_shop), "--data-dir", data])
    assert "0 added, 0 updated, 0 deleted, 10 unchanged" in again.stdout


def test_search_text_output_and_filters(tmp_path, tiny_shop):
    data = str(tmp_path / "data")
    runner.invoke(app, ["ingest", "--knowledge", str(tiny_shop), "--data-dir", data])
    result = runner.invoke(
        app, ["search", "欢迎", "--type", "script", "--intent", "greeting", "--data-dir", data]
    )
    assert result.exit_code == 0, result.output
    assert "1. script:tea-greeting  script  scripts/basic.yaml  score=" in result.stdout
    assert "script:tea-gap" not in result.stdout


def test_invalid_knowledge_exits_1_naming_the_file(tmp_path, tiny_shop):
    (tiny_shop / "scripts/basic.yaml").write_text("- id: x\n  intent: greeting\n", "utf-8")
    result = runner.invoke(
        app, ["ingest", "--knowledge", str(tiny_shop), "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 1
    assert "scripts/basic.yaml, entry 1 (id x): field 'stage': Field required" in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "d").exists()


def test_search_before_ingest_explains(tmp_path):
    result = runner.invoke(app, ["search", "能发顺丰吗", "--data-dir", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "run `copilot ingest` first" in result.output


def test_bad_option_values_are_rejected(tmp_path):
    result = runner.invoke(app, ["search", "退货", "--type", "poem", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "poem" in result.output
    result = runner.invoke(
        app, ["search", "退货", "--embeddings", "bert", "--data-dir", str(tmp_path)]
    )
    assert (
        result.exit_code == 1 and "COPILOT_EMBEDDINGS: unknown embeddings backend" in result.output
    )


def test_installed_command_ingests_and_serves_over_http(tmp_path, tiny_shop):
    """The README's main job: `copilot ingest` then `copilot serve`, as real processes."""
    env = {"COPILOT_DATA_DIR": str(tmp_path / "data"), "COPILOT_KNOWLEDGE_DIR": str(tiny_shop)}
    ingest = start([executable("copilot"), "ingest"], env)
    assert ingest.wait(timeout=120) == 0, output_of(ingest)
    port = free_port()
    server = start([executable("copilot"), "serve", "--port", str(port)], env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", server)
        response = httpx.get(f"{base}/v1/knowledge/search", params={"q": "几天发货"}, timeout=10)
        assert response.status_code == 200
        assert response.json()["results"][0]["id"] == "rule:delivery:发货时效"
        response = httpx.post(f"{base}/v1/drafts", json={"message": "几天发货"}, timeout=10)
        assert response.status_code == 200 and "24小时" in response.json()["drafts"][0]["text"]
        reload = runner.invoke(app, ["reload", "--url", base])
        assert reload.exit_code == 0, reload.output
        assert "reloaded" in reload.stdout and "tea_claims 2" in reload.stdout
    finally:
        stop(server)


def test_serve_with_two_workers_takes_its_flags_to_every_worker(tmp_path, tiny_shop):
    data = str(tmp_path / "data")
    runner.invoke(app, ["ingest", "--knowledge", str(tiny_shop), "--data-dir", data])
    port = free_port()
    args = ["serve", "--workers", "2", "--port", str(port), "--data-dir", data]
    server = start([executable("copilot"), *args, "--knowledge", str(tiny_shop)])
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", server, timeout=120)
        for _ in range(6):
            response = httpx.post(f"{base}/v1/drafts", json={"message": "龙井怎么泡"}, timeout=30)
            assert response.status_code == 200, response.text
            assert response.json()["drafts"][0]["citations"][0]["id"] == "faq:TEA-01:1"
    finally:
        stop(server)


def test_draft_prints_analysis_drafts_and_citations(tmp_path, tiny_shop):
    data = str(tmp_path / "data")
    runner.invoke(app, ["ingest", "--knowledge", str(tiny_shop), "--data-dir", data])
    common = ["--knowledge", str(tiny_shop), "--data-dir", data]
    result = runner.invoke(app, ["draft", "龙井怎么泡好喝", "--json", "--n", "1", *common])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["intent"] == "product_info" and body["mode"] == "offline"
    assert len(body["drafts"]) == 1 and "80度" in body["drafts"][0]["text"]
    result = runner.invoke(
        app, ["draft", "那怎么保存呢", "--history", "customer:我买了明前龙井", *common]
    )
    assert result.exit_code == 0, result.output
    assert "密封冷藏" in result.stdout and "faq:TEA-01:2" in result.stdout


def test_draft_rejects_bad_input(tmp_path):
    data = ["--data-dir", str(tmp_path / "d")]
    result = runner.invoke(app, ["draft", "在吗", "--history", "boss:hi", *data])
    assert result.exit_code == 2 and "customer:TEXT" in result.output
    result = runner.invoke(app, ["draft", "   ", *data])
    assert result.exit_code == 1 and "message" in result.output
    result = runner.invoke(app, ["draft", "在吗", *data])
    assert result.exit_code == 1 and "copilot ingest" in result.output
