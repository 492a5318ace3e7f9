"""Benchmark: compliance matching throughput on long text, and the latency it adds to a draft.

Run: .venv/bin/python bench/bench_compliance.py [--megabytes 4] [--rounds 5]
Single-threaded, so MB/s is per core. Prints a JSON summary; the README quotes its medians.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.compliance.guard import ComplianceGuard  # noqa: E402
from copilot.compliance.lexicon import load_lexicon  # noqa: E402
from copilot.config import bundled_knowledge_dir  # noqa: E402
from copilot.drafting.context import DraftContext  # noqa: E402
from copilot.drafting.guarding import guard_draft  # noqa: E402
from copilot.schemas import Draft, DraftRequest  # noqa: E402
from tests.test_compliance_quality import ordinary_sentences  # noqa: E402


def corpus(megabytes: float) -> str:
    """Ordinary replies with every twentieth sentence carrying an evasion, repeated to size."""
    evasions = [
        json.loads(line)["text"]
        for line in (ROOT / "tests/data/compliance/evasions.jsonl").open(encoding="utf-8")
    ]
    sentences = ordinary_sentences()
    mixed = []
    for i, sentence in enumerate(sentences):
        mixed.append(sentence)
        if i % 20 == 0:
            mixed.append(evasions[i % len(evasions)] + "。")
    block = "".join(mixed)
    repeat = max(1, int(megabytes * 1e6 / len(block.encode("utf-8"))))
    return block * repeat


def throughput(guard: ComplianceGuard, text: str, rounds: int) -> dict:
    size = len(text.encode("utf-8")) / 1e6
    scan, check = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        hits = guard.hits(text)
        scan.append(size / (time.perf_counter() - started))
        started = time.perf_counter()
        guard.check(text)
        check.append(size / (time.perf_counter() - started))
    return {
        "megabytes": round(size, 2),
        "hits_found": len(hits),
        "scan_mb_per_s": round(statistics.median(scan), 2),
        "check_and_clean_mb_per_s": round(statistics.median(check), 2),
    }


def per_draft(guard: ComplianceGuard, count: int) -> dict:
    """guard_draft on draft-sized texts (2-4 sentences), some of them needing cleaning."""
    sentences = ordinary_sentences()
    texts = []
    for i in range(count):
        text = "".join(sentences[(i * 7 + k) % len(sentences)] for k in range(3))
        texts.append(text if i % 10 else text + "加我微信，全网最低价。")
    context = DraftContext.__new__(DraftContext)
    context.gap_scripts, context.scripts = [], []
    context.request = DraftRequest(message="能发顺丰吗")
    timings = []
    for text in texts:
        started = time.perf_counter()
        guard_draft(Draft(text=text, strategy="直接解答"), context, guard)
        timings.append((time.perf_counter() - started) * 1000)
    ordered = sorted(timings)
    return {
        "drafts": count,
        "mean_chars": round(sum(map(len, texts)) / count),
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(ordered[int(0.95 * (count - 1))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--drafts", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    lexicon = load_lexicon(bundled_knowledge_dir())
    guard = ComplianceGuard(lexicon)
    build = time.perf_counter() - started
    guard.hits("预热")
    summary = {
        "lexicon_terms": len(lexicon.terms),
        "automaton_keys": guard.matcher.keys,
        "build_seconds": round(build, 2),
        "long_text": throughput(guard, corpus(args.megabytes), args.rounds),
        "per_draft": per_draft(guard, args.drafts),
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
