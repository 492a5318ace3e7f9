"""SQLite under the data dir: every draft response served, and what agents did with its drafts.

Schema versions live in MIGRATIONS and are applied in order at open (PRAGMA user_version), so a
data dir written by an older release is upgraded in place and never rebuilt.
"""

import json
import sqlite3
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from copilot.errors import CopilotError
from copilot.schemas import DraftResponse
from copilot.understand.risk import mask_pii

MIGRATIONS = (
    """
    CREATE TABLE drafts_served (
        request_id TEXT PRIMARY KEY,
        created REAL NOT NULL,
        message TEXT NOT NULL,
        intent TEXT NOT NULL,
        stage TEXT NOT NULL,
        emotion TEXT NOT NULL,
        mode TEXT NOT NULL,
        knowledge_gap INTEGER NOT NULL,
        escalated INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        drafts INTEGER NOT NULL,
        compliance_hits TEXT NOT NULL
    );
    CREATE INDEX drafts_served_created ON drafts_served (created);
    CREATE TABLE feedback (
        request_id TEXT NOT NULL REFERENCES drafts_served (request_id),
        draft_index INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('accepted', 'edited', 'rejected')),
        final_text TEXT,
        reason TEXT,
        created REAL NOT NULL,
        PRIMARY KEY (request_id, draft_index)
    );
    """,
)


class UnknownRequestError(CopilotError):
    """Feedback names a request id this service never served."""


class InvalidFeedbackError(CopilotError):
    """Feedback that cannot apply to the response it names."""


@dataclass(frozen=True)
class Feedback:
    """What an agent did with one draft."""

    request_id: str
    draft_index: int
    action: str
    final_text: str | None = None
    reason: str | None = None


class FeedbackStore:
    """Thread-safe: one connection per process under a lock; WAL lets several workers share it."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        # one connection per process, used under the lock; WAL lets other workers read and
        # write beside it, and synchronous=NORMAL spares an fsync per draft (a power cut may
        # lose the last moments of analytics, never corrupt the database)
        self._db = sqlite3.connect(path, timeout=10, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._migrate(db)

    @contextmanager
    def _connection(self):
        with self._lock, self._db:
            yield self._db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            db.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")

    @property
    def version(self) -> int:
        """The schema version of the database."""
        with self._connection() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    def record_draft(self, message: str, response: DraftResponse) -> None:
        """Remember a served response (message masked) so feedback can be linked to it."""
        hits = Counter(
            hit.category for draft in response.drafts for hit in draft.compliance.removed
        )
        with self._connection() as db:
            db.execute(
                "INSERT OR IGNORE INTO drafts_served VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    response.request_id,
                    time.time(),
                    mask_pii(message),
                    response.intent,
                    response.stage,
                    response.emotion,
                    response.mode,
                    int(response.knowledge_gap),
                    int(response.escalate.needed),
                    response.latency_ms,
                    len(response.drafts),
                    json.dumps(hits, ensure_ascii=False),
                ),
            )

    def record_feedback(self, feedback: Feedback) -> bool:
        """Store feedback; False when the same feedback was already there (idempotent).

        Raises UnknownRequestError for a request id never served, InvalidFeedbackError for a
        draft index the response did not have.
        """
        with self._connection() as db:
            served = db.execute(
                "SELECT drafts FROM drafts_served WHERE request_id = ?", (feedback.request_id,)
            ).fetchone()
            if served is None:
                raise UnknownRequestError(
                    f"unknown request_id {feedback.request_id!r}: send the request_id of a "
                    "draft response from this service"
                )
            if not 0 <= feedback.draft_index < served["drafts"]:
                raise InvalidFeedbackError(
                    f"draft_index {feedback.draft_index} is out of range: that response had "
                    f"{served['drafts']} draft(s), numbered from 0"
                )
            before = db.execute(
                "SELECT action, final_text, reason FROM feedback "
                "WHERE request_id = ? AND draft_index = ?",
                (feedback.request_id, feedback.draft_index),
            ).fetchone()
            if before is not None and tuple(before) == (
                feedback.action,
                feedback.final_text,
                feedback.reason,
            ):
                return False
            db.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?,?,?,?,?,?)",
                (
                    feedback.request_id,
                    feedback.draft_index,
                    feedback.action,
                    feedback.final_text,
                    feedback.reason,
                    time.time(),
                ),
            )
            return True

    def served(self, since: float | None = None, until: float | None = None) -> list[dict]:
        """Responses served in [since, until), with their feedback actions."""
        where, params = _window(since, until)
        with self._connection() as db:
            rows = [dict(r) for r in db.execute(f"SELECT * FROM drafts_served {where}", params)]
            actions: dict[str, list[str]] = {}
            for row in db.execute(
                "SELECT f.request_id, f.action FROM feedback f JOIN drafts_served d "
                f"USING (request_id) {where.replace('created', 'd.created')}",
                params,
            ):
                actions.setdefault(row["request_id"], []).append(row["action"])
        for row in rows:
            row["actions"] = actions.get(row["request_id"], [])
            row["compliance_hits"] = json.loads(row["compliance_hits"])
        return rows


def _window(since: float | None, until: float | None) -> tuple[str, tuple]:
    clauses, params = [], []
    if since is not None:
        clauses.append("created >= ?")
        params.append(since)
    if until is not None:
        clauses.append("created < ?")
        params.append(until)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
