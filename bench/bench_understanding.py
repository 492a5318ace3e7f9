"""Benchmark: what the trained understanding costs a draft.

- added latency: per message, embedding the retrieval query alone versus embedding it together
  with the classifier texts and running the model (stage, emotion, flags and escalation too);
- model file size;
- start-up: build_copilot + warm_up on an ingested index, each in a fresh process (imports
  included), for this checkout and, with --repo, another one (e.g. a worktree of the commit
  before the trained models) for comparison.

Run: .venv/bin/python bench/bench_understanding.py [--rounds 3] [--repo /tmp/before]
Prints a JSON summary; the README quotes its medians.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.config import Settings  # noqa: E402
from copilot.container import build_copilot  # noqa: E402
from copilot.schemas import DraftRequest  # noqa: E402
from copilot.understand.model import MODEL_PATH  # noqa: E402

STARTUP = """
import sys, time
started = time.perf_counter()
from copilot.config import Settings
from copilot.container import build_copilot
copilot = build_copilot(Settings(_env_file=None, data_dir=sys.argv[1]))
copilot.warm_up()
print(time.perf_counter() - started)
"""


def messages() -> list[str]:
    texts = [
        json.loads(line)["message"]
        for line in (ROOT / "tests/data/intent_heldout.jsonl").open(encoding="utf-8")
    ]
    for path in sorted((ROOT / "eval/understanding").glob("*/messages.jsonl")):
        texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    return texts


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def added_latency(copilot, texts: list[str], rounds: int) -> dict:
    """Per message: (query + classifier texts embedded in one batch + analyze) - (query alone)."""
    analyzer, retriever = copilot.analyzer, copilot.retriever
    added, alone_times = [], []
    for _ in range(rounds):
        for text in texts:
            request = DraftRequest(message=text)
            query = analyzer.retrieval_query(request)
            started = time.perf_counter()
            retriever.encode_queries([query])
            alone = time.perf_counter() - started
            started = time.perf_counter()
            classifier_texts = analyzer.classifier_texts(request)
            vectors = retriever.encode_queries([query, *classifier_texts])
            analyzer.analyze(request, query, vectors[1:], classifier_texts)
            both = time.perf_counter() - started
            added.append((both - alone) * 1000)
            alone_times.append(alone * 1000)
    return {
        "messages": len(texts),
        "rounds": rounds,
        "query_embedding_p50_ms": round(statistics.median(alone_times), 3),
        "added_p50_ms": round(statistics.median(added), 3),
        "added_p95_ms": round(percentile(added, 0.95), 3),
    }


def startup(repo: Path, data_dir: Path, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        result = subprocess.run(
            [sys.executable, "-c", STARTUP, str(data_dir)],
            capture_output=True,
            text=True,
            check=True,
            cwd=repo,
            env={**os.environ, "PYTHONPATH": str(repo)},
        )
        times.append(float(result.stdout.strip().splitlines()[-1]))
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repo", type=Path, help="another checkout to time start-up for")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        copilot = build_copilot(Settings(_env_file=None, data_dir=data_dir))
        copilot.ingest()
        copilot.warm_up()
        summary = {
            "understanding": added_latency(copilot, messages(), args.rounds),
            "model_file_mb": round(MODEL_PATH.stat().st_size / 1e6, 2),
            "startup_s": startup(ROOT, data_dir, args.rounds),
        }
        if args.repo:
            summary["startup_s_other_checkout"] = startup(args.repo, data_dir, args.rounds)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
