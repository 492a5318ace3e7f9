"""Faults with real processes: Chroma going away and coming back, ingest killed midway, two
workers sharing one Chroma server."""

import os
import shutil
import signal
import time

import httpx
import pytest

from copilot.container import build_copilot
from copilot.knowledge import build_chunks, load_knowledge
from tests.conftest import free_port, make_settings
from tests.processes import executable, output_of, start, start_chroma, stop, wait_until_up


def post_draft(base: str, message: str = "龙井怎么泡") -> httpx.Response:
    return httpx.post(f"{base}/v1/drafts", json={"message": message}, timeout=30)


def until(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def chroma(tmp_path):
    port = free_port()
    path = tmp_path / "chroma-server"
    process = start_chroma(path, port)
    state = {"process": process}
    yield f"http://127.0.0.1:{port}", path, port, state
    stop(state["process"])


def test_chroma_down_means_not_ready_drafts_from_memory_or_503_and_recovery(
    tmp_path, tiny_shop, chroma
):
    """An index held in memory keeps answering through an outage (/readyz says Chroma is down);
    one too large for memory (COPILOT_MEMORY_SEARCH_MAX=0 here) answers 503. Both recover."""
    url, path, port, state = chroma
    build_copilot(make_settings(tmp_path, knowledge_dir=tiny_shop, chroma_url=url)).ingest()
    env = {"COPILOT_CHROMA_URL": url, "COPILOT_KNOWLEDGE_DIR": str(tiny_shop)}
    ports = {"memory": free_port(), "live": free_port()}
    servers = {
        "memory": start([executable("copilot"), "serve", "--port", str(ports["memory"])], env),
        "live": start(
            [executable("copilot"), "serve", "--port", str(ports["live"])],
            {**env, "COPILOT_MEMORY_SEARCH_MAX": "0"},
        ),
    }
    bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        for name, base in bases.items():
            wait_until_up(f"{base}/healthz", servers[name])
            assert post_draft(base).status_code == 200
            assert httpx.get(f"{base}/readyz").status_code == 200
        stop(state["process"])
        down = until(lambda: (r := post_draft(bases["live"])).status_code == 503 and r)
        assert "Chroma is unreachable" in down.json()["detail"]
        for base in bases.values():
            ready = until(lambda b=base: (r := httpx.get(f"{b}/readyz")).status_code == 503 and r)
            assert "unreachable" in ready.json()["checks"]["chroma"]
            assert httpx.get(f"{base}/healthz").status_code == 200
        deadline = time.monotonic() + 5  # two and more fingerprint checks fail meanwhile
        while time.monotonic() < deadline:
            assert post_draft(bases["memory"]).status_code == 200
            time.sleep(0.2)
        state["process"] = start_chroma(path, port)
        for base in bases.values():
            until(lambda b=base: post_draft(b).status_code == 200)
            until(lambda b=base: httpx.get(f"{b}/readyz").status_code == 200)
    finally:
        for server in servers.values():
            stop(server)


def test_ingest_killed_midway_then_rerun_leaves_a_complete_consistent_index(tmp_path):
    data = tmp_path / "data"
    ingest = start([executable("copilot"), "ingest", "--data-dir", str(data)])
    until(lambda: (data / "chroma").exists(), timeout=60)
    time.sleep(1.0)  # embedding and writing are under way
    os.killpg(ingest.pid, signal.SIGKILL)
    ingest.wait()
    rerun = start([executable("copilot"), "ingest", "--data-dir", str(data)])
    assert rerun.wait(timeout=300) == 0, output_of(rerun)
    settings = make_settings(tmp_path)
    stored = {c.id: c.text for c in build_copilot(settings).store.load_chunks("use-multilingual")}
    expected = {c.id: c.text for c in build_chunks(load_knowledge(settings.knowledge_dir))}
    assert stored == expected


def test_two_workers_share_one_chroma_server_and_see_a_reingest(tmp_path, tiny_shop, chroma):
    url, *_ = chroma
    settings = make_settings(tmp_path, knowledge_dir=tiny_shop, chroma_url=url)
    build_copilot(settings).ingest()
    serve_port = free_port()
    env = {"COPILOT_CHROMA_URL": url, "COPILOT_KNOWLEDGE_DIR": str(tiny_shop)}
    server = start(
        [executable("copilot"), "serve", "--workers", "2", "--port", str(serve_port)], env
    )
    base = f"http://127.0.0.1:{serve_port}"
    try:
        wait_until_up(f"{base}/readyz", server, timeout=120)
        for _ in range(6):
            assert "24小时" in post_draft(base, "几天发货").json()["drafts"][0]["text"]
        rules = tiny_shop / "rules" / "delivery.md"
        rules.write_text(
            rules.read_text("utf-8").replace("付款后24小时内", "付款后12小时内"), "utf-8"
        )
        build_copilot(settings).ingest()  # another process re-ingests into the shared server

        def every_worker_sees_it():
            answers = [post_draft(base, "几天发货").json()["drafts"][0]["text"] for _ in range(6)]
            return all("12小时" in answer for answer in answers)

        until(every_worker_sees_it)
    finally:
        stop(server)


def test_slow_llm_gives_fallback_drafts_and_shutdown_finishes_in_flight_requests(tmp_path):
    import json
    import threading

    from tests.fake_openai import FakeOpenAI

    data = tmp_path / "data"
    ingest = start([executable("copilot"), "ingest", "--data-dir", str(data)])
    assert ingest.wait(timeout=300) == 0, output_of(ingest)
    with FakeOpenAI() as fake:
        answer = {
            "drafts": [
                {
                    "strategy": "直接解答",
                    "text": "可以发顺丰，补10元。",
                    "citations": ["rule:shipping:快递公司"],
                }
            ]
        }
        fake.default_answer = json.dumps(answer, ensure_ascii=False)
        port = free_port()
        env = {
            "COPILOT_DATA_DIR": str(data),
            "COPILOT_LLM_BASE_URL": fake.base_url,
            "COPILOT_LLM_MODEL": "fake",
            "COPILOT_LLM_TIMEOUT": "1.5",
        }
        server = start([executable("copilot"), "serve", "--port", str(port)], env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/healthz", server, timeout=120)
            assert post_draft(base, "能发顺丰吗").json()["mode"] == "llm"
            fake.delay = 5.0  # slower than the timeout: offline drafts, well within the budget
            started = time.monotonic()
            slow = post_draft(base, "能发顺丰吗")
            assert slow.status_code == 200 and slow.json()["mode"] == "fallback"
            assert slow.json()["llm_error"] == "timeout" and time.monotonic() - started < 4
            fake.delay = 1.0  # an answer in flight while the server is told to stop
            results = {}
            worker = threading.Thread(
                target=lambda: results.update(response=post_draft(base, "能发顺丰吗"))
            )
            worker.start()
            time.sleep(0.3)
            os.killpg(server.pid, signal.SIGTERM)
            worker.join(timeout=30)
            assert results["response"].status_code == 200
            assert results["response"].json()["mode"] == "llm"
            assert server.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises it
        finally:
            stop(server)


def test_two_workers_serve_several_shops_from_one_chroma_server(tmp_path, chroma):
    """The deployment the shops directory is for: workers, one Chroma server, shops added live."""
    from tests.conftest import TINY_SHOP, make_two_shops

    url, *_ = chroma
    shops_dir = tmp_path / "shops"
    make_two_shops(shops_dir)
    env = {"COPILOT_CHROMA_URL": url, "COPILOT_SHOPS_DIR": str(shops_dir)}
    ingest = start([executable("copilot"), "ingest"], env)
    assert ingest.wait(timeout=300) == 0, output_of(ingest)
    serve_port = free_port()
    server = start(
        [executable("copilot"), "serve", "--workers", "2", "--port", str(serve_port)],
        {**env, "COPILOT_MAX_LOADED_SHOPS": "1"},  # every other request loads its shop again
    )
    base = f"http://127.0.0.1:{serve_port}"

    def first_draft(shop: str) -> str:
        body = {"message": "几天发货", "shop": shop}
        response = httpx.post(f"{base}/v1/drafts", json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()["drafts"][0]["text"]

    try:
        wait_until_up(f"{base}/readyz", server, timeout=120)
        for _ in range(4):  # both workers, each shop, loaded and unloaded in turn
            assert "24小时" in first_draft("shop-a") and "48小时" not in first_draft("shop-a")
            assert "48小时" in first_draft("shop-b") and "24小时" not in first_draft("shop-b")
        # a new shop: its directory appears, another process ingests it, both workers serve it
        shutil.copytree(TINY_SHOP, shops_dir / "shop-c")
        rules = shops_dir / "shop-c" / "rules" / "delivery.md"
        rules.write_text(rules.read_text("utf-8").replace("24小时", "6小时"), "utf-8")
        ingest = start([executable("copilot"), "ingest", "--shop", "shop-c"], env)
        assert ingest.wait(timeout=300) == 0, output_of(ingest)
        until(lambda: all("6小时" in first_draft("shop-c") for _ in range(4)))
        checks = httpx.get(f"{base}/readyz", timeout=30).json()["checks"]
        assert {checks[f"shop:{s}"] for s in ("shop-a", "shop-b", "shop-c")} == {"ok"}
        # a removed shop is refused by name within seconds, without a restart
        shutil.rmtree(shops_dir / "shop-b")

        def refused() -> bool:
            answers = [
                httpx.post(
                    f"{base}/v1/drafts", json={"message": "你好", "shop": "shop-b"}, timeout=60
                )
                for _ in range(4)
            ]
            return all(a.status_code == 404 and "'shop-b'" in a.text for a in answers)

        until(refused)
    finally:
        stop(server)
