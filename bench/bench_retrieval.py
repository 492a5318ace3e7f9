"""Benchmark: ingest throughput on 10,000 chunks and hybrid query latency at k=5.

Run: .venv/bin/python bench/bench_retrieval.py [--chunks 10000] [--embeddings use-multilingual]
Prints a JSON summary; the README quotes its medians.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from copilot.config import Settings, bundled_knowledge_dir
from copilot.container import build_copilot
from copilot.index.quality import load_questions
from copilot.knowledge import build_chunks, load_knowledge

ROOT = Path(__file__).resolve().parents[1]


def synthetic_chunks(total: int):
    """The bundled chunks, repeated as distinct shops' variants until there are `total`."""
    base = build_chunks(load_knowledge(bundled_knowledge_dir()))
    chunks = []
    copy = 0
    while len(chunks) < total:
        for chunk in base:
            if len(chunks) == total:
                break
            suffix = f"（{copy}号店）" if copy else ""
            chunks.append(
                chunk.model_copy(
                    update={
                        "id": f"{chunk.id}#{copy}" if copy else chunk.id,
                        "text": chunk.text + suffix,
                        "sku": f"{chunk.sku}-{copy}" if chunk.sku and copy else chunk.sku,
                    }
                )
            )
        copy += 1
    return chunks


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--embeddings", default="use-multilingual")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = load_questions(ROOT / "tests/data/retrieval_questions.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), embeddings=args.embeddings)
        copilot = build_copilot(settings)
        chunks = synthetic_chunks(args.chunks)
        started = time.perf_counter()
        summary = copilot.store.sync(chunks, copilot.embeddings)
        ingest_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = copilot.store.sync(chunks, copilot.embeddings)
        resync_seconds = time.perf_counter() - started
        assert again.unchanged == len(chunks) and again.added == again.updated == 0, again
        started = time.perf_counter()
        copilot.warm_up()
        load_seconds = time.perf_counter() - started
        assert copilot.retriever.size == len(chunks)
        result = {
            "chunks": summary.total,
            "embeddings": args.embeddings,
            "ingest_seconds": round(ingest_seconds, 1),
            "ingest_chunks_per_second": round(summary.total / ingest_seconds, 1),
            "resync_unchanged_seconds": round(resync_seconds, 2),
            "index_load_seconds": round(load_seconds, 2),
        }
        for method in ("hybrid", "dense", "bm25"):
            latencies = []
            for _ in range(args.rounds):
                for question in questions:
                    started = time.perf_counter()
                    copilot.search(question.q, k=5, method=method)
                    latencies.append((time.perf_counter() - started) * 1000)
            result[f"{method}_ms"] = {
                "p50": round(statistics.median(latencies), 2),
                "p95": round(percentile(latencies, 0.95), 2),
                "queries": len(latencies),
            }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
