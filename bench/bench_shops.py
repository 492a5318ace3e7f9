"""Benchmark: many shops on one server and one Chroma server, against a single-shop server.

Makes N shops (the bundled knowledge, each made distinct by a rule of its own), starts a real
`chroma run`, ingests every shop with `copilot ingest` (COPILOT_SHOPS_DIR), then measures a
`copilot serve` of all the shops: start-up time (to /readyz 200), resident memory, the first
request to shops no worker has loaded yet (cold), and rounds of p50/p95 at concurrency 8 across
random shops; then the same rounds against a server of one shop (COPILOT_KNOWLEDGE_DIR) on the
same Chroma server, and the ratio of the two p95s per round.

Run: .venv/bin/python bench/bench_shops.py [--shops 200] [--workdir DIR] [--max-loaded 200]
The work dir keeps the shops and the Chroma data: a second run only re-syncs (nothing changed).
Prints a JSON summary; the README quotes it.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_drafts import MESSAGES, free_port, load  # noqa: E402
from bench.load_drafts import rss_mb  # noqa: E402
from copilot.config import bundled_knowledge_dir  # noqa: E402
from tests.processes import start_chroma, stop  # noqa: E402

BIN = Path(sys.executable).parent


def make_shops(shops_dir: Path, count: int) -> None:
    """Copies of the bundled shop, each with a dispatch rule of its own (distinct content)."""
    for number in range(count):
        shop = shops_dir / f"shop-{number:03d}"
        if shop.exists():
            continue
        shutil.copytree(bundled_knowledge_dir(), shop)
        (shop / "rules" / "shop-own.md").write_text(
            f"# 本店说明\n\n## 发货仓\n本店从{number % 30 + 1}号仓发货，"
            f"付款后{number % 48 + 1}小时内发出。\n",
            "utf-8",
        )


def run(args: list[str], env: dict) -> float:
    """Run a copilot command to the end; seconds it took."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "copilot"), *args], env={**os.environ, **env}, check=True)
    return time.perf_counter() - started


def serve(env: dict, port: int, workers: int) -> tuple[subprocess.Popen, float]:
    """`copilot serve` up to /readyz 200; the process and seconds to ready."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "copilot"), "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop(process)
    raise RuntimeError("copilot serve did not become ready")


def across(shops: list[str] | None):
    """Request bodies: the held-out messages in turn, each to a random shop (seeded)."""
    chooser = random.Random(7)

    def body_of(number: int) -> dict:
        body = {"message": MESSAGES[number % len(MESSAGES)]}
        if shops:
            body["shop"] = chooser.choice(shops)
        return body

    return body_of


def load_rounds(base: str, requests: int, shops: list[str] | None, rounds: int) -> list[dict]:
    """Rounds at concurrency 8, one after the other: the first loads what it needs (shops,
    and each shop's sentence embeddings as questions need them); later rounds are warmer."""
    return [
        asyncio.run(load(f"{base}/v1/drafts", requests, 8, across(shops))) for _ in range(rounds)
    ]


def cold_requests(base: str, shops: list[str]) -> list[float]:
    """One request to each shop, none of them loaded before: latency in ms."""
    latencies = []
    for shop in shops:
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/v1/drafts", json={"message": "几天发货", "shop": shop}, timeout=60
        )
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return latencies


@contextmanager
def served(env: dict, workers: int, name: str, summary: dict) -> Iterator[tuple[str, int]]:
    """A server up to /readyz, its start-up time and memory noted; (base URL, pid)."""
    port = free_port()
    server, ready_s = serve(env, port, workers)
    try:
        summary[f"{name}_startup_s"] = round(ready_s, 2)
        summary[f"{name}_rss_mb_after_start"] = rss_mb(server.pid)
        yield f"http://127.0.0.1:{port}", server.pid
        summary[f"{name}_rss_mb_after_load"] = rss_mb(server.pid)
    finally:
        stop(server)


def measure_many(summary: dict, env: dict, shops: list[str], args) -> None:
    """Cold shops, then rounds across random shops, on the many-shop server."""
    with served(env, args.workers, "many", summary) as (base, _pid):
        cold = cold_requests(base, random.Random(1).sample(shops, args.cold))
        summary["cold_first_request_ms_p50"] = round(statistics.median(cold), 1)
        summary["cold_first_request_ms_max"] = round(max(cold), 1)
        summary["many_rounds"] = load_rounds(base, args.requests, shops, args.rounds)


def measure_one(summary: dict, env: dict, _shops: list[str], args) -> None:
    """The same rounds on the one-shop server."""
    with served(env, args.workers, "one", summary) as (base, _pid):
        summary["one_rounds"] = load_rounds(base, args.requests, None, args.rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/copilot-bench-shops"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-loaded", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--one-first", action="store_true", help="Measure the one-shop server first."
    )
    args = parser.parse_args()
    shops_dir = args.workdir / "shops"
    make_shops(shops_dir, args.shops)
    shops = sorted(p.name for p in shops_dir.iterdir())[: args.shops]
    resync = (args.workdir / "chroma").exists()
    chroma_port = free_port()
    chroma = start_chroma(args.workdir / "chroma", chroma_port)
    url = f"http://127.0.0.1:{chroma_port}"
    summary: dict = {"shops": len(shops), "workers": args.workers}
    try:
        many = {
            "COPILOT_CHROMA_URL": url,
            "COPILOT_SHOPS_DIR": str(shops_dir),
            "COPILOT_DATA_DIR": str(args.workdir / "data"),
            "COPILOT_MAX_LOADED_SHOPS": str(args.max_loaded),
        }
        seconds = run(["ingest"], many)
        key = "resync_unchanged_s_all_shops" if resync else "ingest_s_all_shops"
        summary[key] = round(seconds, 1)
        one = {
            "COPILOT_CHROMA_URL": url,
            "COPILOT_KNOWLEDGE_DIR": str(shops_dir / shops[0]),
            "COPILOT_DATA_DIR": str(args.workdir / "data-one"),
        }
        run(["ingest"], one)

        order = [measure_one, measure_many] if args.one_first else [measure_many, measure_one]
        for measure in order:
            measure(summary, many if measure is measure_many else one, shops, args)
    finally:
        stop(chroma)
    summary["p95_ratio_many_to_one_per_round"] = [
        round(many["p95_ms"] / one["p95_ms"], 2)
        for many, one in zip(summary["many_rounds"], summary["one_rounds"], strict=True)
    ]
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
