"""Load run: 5,000 offline draft requests at concurrency 32 against `copilot serve`, loopback
only; reports errors, p50/p95, throughput and the servers' memory after each fifth.

Run: .venv/bin/python bench/load_drafts.py [--requests 5000] [--concurrency 32] [--workers N]
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_drafts import bundled_server, load  # noqa: E402


def rss_mb(root_pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers), in MB."""
    pids = [root_pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().split()
            except OSError:
                continue
            if int(fields[3]) == root_pid:
                pids.append(int(entry.name))
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with bundled_server(args.workers) as (url, server, _data_dir):
        memory = [rss_mb(server.pid)]
        parts = []
        started = time.perf_counter()
        for _ in range(5):
            parts.append(asyncio.run(load(url, args.requests // 5, args.concurrency)))
            memory.append(rss_mb(server.pid))
        wall = time.perf_counter() - started
    summary = {
        "requests": sum(p["requests"] for p in parts),
        "concurrency": args.concurrency,
        "workers": args.workers,
        "errors": sum(p["errors"] for p in parts),
        "p50_ms_per_fifth": [p["p50_ms"] for p in parts],
        "p95_ms_per_fifth": [p["p95_ms"] for p in parts],
        "p50_ms": statistics.median(p["p50_ms"] for p in parts),
        "p95_ms": statistics.median(p["p95_ms"] for p in parts),
        "drafts_per_s": round(sum(p["requests"] for p in parts) / wall, 1),
        "server_rss_mb_after_warmup_then_each_fifth": memory,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
