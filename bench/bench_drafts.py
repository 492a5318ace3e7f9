"""Benchmark: POST /v1/drafts against a running `copilot serve` (offline mode, bundled knowledge)
at concurrency 1 and 8, and the copilot's own overhead on top of the model call in LLM mode.

Run: .venv/bin/python bench/bench_drafts.py [--requests 1000] [--rounds 3] [--workers N]
Prints a JSON summary; the README quotes its medians.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.config import Settings  # noqa: E402
from copilot.container import build_copilot  # noqa: E402
from copilot.schemas import DraftRequest  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402

MESSAGES = [
    json.loads(line)["message"]
    for line in (ROOT / "tests/data/intent_heldout.jsonl").open(encoding="utf-8")
]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    copilot = str(Path(sys.executable).parent / "copilot")
    args = ["serve", "--data-dir", str(data_dir), "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        [copilot, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("copilot serve did not come up")


async def load(url: str, total: int, concurrency: int, body_of=None) -> dict:
    """total requests, at most `concurrency` in flight; latency per request and throughput.

    body_of: request number -> JSON body (default: the held-out messages in turn).
    """
    body_of = body_of or (lambda number: {"message": MESSAGES[number % len(MESSAGES)]})
    latencies: list[float] = []
    errors = 0
    queue = iter(range(total))
    async with httpx.AsyncClient(timeout=30) as client:

        async def worker():
            nonlocal errors
            for number in queue:
                started = time.perf_counter()
                response = await client.post(url, json=body_of(number))
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": total,
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "drafts_per_s": round(total / wall, 1),
    }


def llm_overhead(data_dir: Path, calls: int) -> dict:
    """Median draft latency in LLM mode minus the median of the same model call made directly."""
    with FakeOpenAI() as fake:
        fake.default_answer = json.dumps(
            {
                "drafts": [
                    {
                        "strategy": "直接解答",
                        "text": "可以发顺丰，补10元差价。",
                        "citations": ["rule:shipping:快递公司"],
                    },
                    {
                        "strategy": "补充说明",
                        "text": "实付满199元免费升级顺丰。",
                        "citations": ["rule:shipping:快递公司"],
                    },
                ]
            },
            ensure_ascii=False,
        )
        settings = Settings(
            _env_file=None, data_dir=data_dir, llm_base_url=fake.base_url, llm_model="bench"
        )
        copilot = build_copilot(settings)
        copilot.warm_up()
        request = DraftRequest(message="能发顺丰吗")
        context = copilot.prepare(request)
        messages = copilot.llm.messages(context, request.n)
        for _ in range(20):
            copilot.draft(request)
            copilot.llm.chat.invoke(messages)
        drafts, model = [], []
        for _ in range(calls):
            started = time.perf_counter()
            response = copilot.draft(request)
            drafts.append((time.perf_counter() - started) * 1000)
            assert response.mode == "llm", response.mode
            started = time.perf_counter()
            copilot.llm.chat.invoke(messages)
            model.append((time.perf_counter() - started) * 1000)
    return {
        "draft_p50_ms": round(statistics.median(drafts), 2),
        "model_call_p50_ms": round(statistics.median(model), 2),
        "overhead_p50_ms": round(statistics.median(drafts) - statistics.median(model), 2),
    }


@contextmanager
def bundled_server(workers: int) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """The bundled shop ingested into a temporary data dir and served by `copilot serve
    --workers N`, every worker warmed up; yields the drafts URL, the server and the data dir."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        build_copilot(Settings(_env_file=None, data_dir=data_dir)).ingest()
        port = free_port()
        server = serve(data_dir, port, workers)
        url = f"http://127.0.0.1:{port}/v1/drafts"
        try:
            asyncio.run(load(url, 200, 8))
            yield url, server, data_dir
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--llm-calls", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with bundled_server(args.workers) as (url, _server, data_dir):
        runs = {1: [], 8: []}
        for _ in range(args.rounds):
            for concurrency in runs:
                runs[concurrency].append(asyncio.run(load(url, args.requests, concurrency)))
        summary = {
            f"concurrency_{c}": {
                key: statistics.median(r[key] for r in results)
                for key in ("p50_ms", "p95_ms", "drafts_per_s")
            }
            | {"errors": sum(r["errors"] for r in results), "runs": results}
            for c, results in runs.items()
        }
        summary["llm_overhead"] = llm_overhead(data_dir, args.llm_calls)
    summary["cpus"] = os.cpu_count()
    summary["workers"] = args.workers
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
