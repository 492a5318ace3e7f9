"""Benchmark: GET /v1/analytics's work at 100,000 recorded drafts (SQL aggregates + grouping).

Run: .venv/bin/python bench/bench_analytics.py [--drafts 100000] [--rounds 5]
Fills a fresh feedback database with served drafts (15% knowledge gaps over 3,000 distinct
questions, 40% with feedback from one or two agents), then times Copilot.analytics for the whole
window and for the last day. Prints a JSON summary; the README quotes its medians.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.config import Settings  # noqa: E402
from copilot.container import build_copilot  # noqa: E402
from copilot.feedback.store import FeedbackStore  # noqa: E402

INTENTS = ["shipping", "return_refund", "product_info", "size_advice", "order_status", "greeting"]
TOPICS = ["快递", "退款", "尺码", "发票", "赠品", "颜色", "保修", "地址", "优惠券", "安装"]


def fill(store: FeedbackStore, count: int, rng: random.Random) -> None:
    """count served drafts over the last 30 days, and feedback on 40% of them."""
    now = time.time()
    drafts, events = [], []
    for i in range(count):
        request_id = f"bench-{i}"
        gap = rng.random() < 0.15
        topic = rng.choice(TOPICS)
        message = f"请问{topic}第{rng.randrange(300)}个问题怎么处理" if gap else f"{topic}怎么样"
        hits = json.dumps({"absolute_terms": 1} if rng.random() < 0.02 else {})
        created = now - rng.random() * 30 * 86400
        drafts.append(
            (
                request_id,
                created,
                message,
                rng.choice(INTENTS),
                "售前",
                "calm",
                "offline",
                int(gap),
                int(rng.random() < 0.05),
                rng.uniform(5, 80),
                2,
                hits,
            )
        )
        if rng.random() < 0.4:
            for agent in rng.sample(["key:a", "key:b"], rng.choice([1, 2])):
                action = rng.choice(["accepted", "accepted", "edited", "rejected"])
                events.append((request_id, 0, agent, action, None, None, created + 30))
    with store._connection() as db:
        db.executemany("INSERT INTO drafts_served VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", drafts)
        db.executemany(
            "INSERT INTO feedback_events (request_id, draft_index, agent, action, final_text, "
            "reason, created) VALUES (?,?,?,?,?,?,?)",
            events,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copilot = build_copilot(Settings(_env_file=None, data_dir=Path(tmp) / "data"))
        copilot._feedback = FeedbackStore(Path(tmp) / "feedback.sqlite3")
        fill(copilot.feedback, args.drafts, random.Random(14))
        copilot.analytics()  # warm: the encoder's first call
        timings = {"all_30_days": [], "last_day": []}
        for _ in range(args.rounds):
            for name, since in (("all_30_days", None), ("last_day", time.time() - 86400)):
                started = time.perf_counter()
                result = copilot.analytics(since)
                timings[name].append((time.perf_counter() - started) * 1000)
        summary = {
            "drafts": args.drafts,
            "feedback": result.feedback,
            "gap_groups_last_day": len(result.knowledge_gaps),
            **{f"{name}_median_ms": round(statistics.median(t), 1) for name, t in timings.items()},
        }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
