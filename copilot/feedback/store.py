"""SQLite under the data dir: every draft response served, and what agents did with its drafts.

Schema versions live in MIGRATIONS and are applied in order at open (PRAGMA user_version), so a
data dir written by an older release is upgraded in place and never rebuilt.
"""

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from copilot.errors import CopilotError
from copilot.personal_data import mask as mask_pii
from copilot.schemas import DraftResponse

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
    # feedback becomes append-only: who said what when; nothing is overwritten
    """
    CREATE TABLE feedback_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES drafts_served (request_id),
        draft_index INTEGER NOT NULL,
        agent TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('accepted', 'edited', 'rejected')),
        final_text TEXT,
        reason TEXT,
        created REAL NOT NULL
    );
    INSERT INTO feedback_events
        (request_id, draft_index, agent, action, final_text, reason, created)
        SELECT request_id, draft_index, 'unknown', action, final_text, reason, created
        FROM feedback ORDER BY created;
    DROP TABLE feedback;
    CREATE INDEX feedback_events_draft ON feedback_events (request_id, draft_index, agent, id);
    CREATE VIEW latest_feedback AS
        SELECT * FROM feedback_events WHERE id IN (
            SELECT MAX(id) FROM feedback_events GROUP BY request_id, draft_index, agent
        );
    CREATE INDEX drafts_served_gap ON drafts_served (knowledge_gap, created);
    CREATE INDEX drafts_served_latency ON drafts_served (latency_ms);
    """,
    # how sure the model was of the intent: coverage lists the readings below the floor
    """
    ALTER TABLE drafts_served ADD COLUMN confidence REAL;
    """,
    # one deployment, many shops: analytics per shop or across a key's shops (NULL: before)
    """
    ALTER TABLE drafts_served ADD COLUMN shop TEXT;
    CREATE INDEX drafts_served_shop ON drafts_served (shop, created);
    """,
)
# a filter on the shops a response was served for; None means every response
Shops = Collection[str] | None

# the most frequent distinct gap questions analytics groups by meaning (one embedding batch)
GAP_QUESTIONS = 200


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
    agent: str = "local"


@dataclass
class Totals:
    """What analytics needs, aggregated in SQL for a time window."""

    requests: int = 0
    escalated: int = 0
    feedback: int = 0
    modes: dict[str, int] = field(default_factory=dict)
    compliance_hits: dict[str, int] = field(default_factory=dict)
    latency_p50: float | None = None  # ms, the median
    latency_p95: float | None = None  # ms, nearest rank
    # intent -> requests, and intent -> action -> latest feedback per agent and draft
    intents: dict[str, int] = field(default_factory=dict)
    actions: dict[str, dict[str, int]] = field(default_factory=dict)
    gap_questions: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    # day (YYYY-MM-DD, local time) -> requests, escalated, knowledge gaps, and feedback actions
    days: dict[str, dict[str, int]] = field(default_factory=dict)


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

    def record_draft(self, message: str, response: DraftResponse, shop: str | None = None) -> None:
        """Remember a served response (message masked) so feedback can be linked to it."""
        hits = Counter(
            hit.category for draft in response.drafts for hit in draft.compliance.removed
        )
        with self._connection() as db:
            db.execute(
                "INSERT OR IGNORE INTO drafts_served (request_id, created, message, intent, stage, "
                "emotion, mode, knowledge_gap, escalated, latency_ms, drafts, compliance_hits, "
                "confidence, shop) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    response.confidence,
                    shop,
                ),
            )

    def shop_of(self, request_id: str) -> str | None:
        """The shop a response was served for (None: unknown request or recorded before shops).

        Raises UnknownRequestError for a request id never served.
        """
        with self._connection() as db:
            row = db.execute(
                "SELECT shop FROM drafts_served WHERE request_id = ?", (request_id,)
            ).fetchone()
        if row is None:
            raise _unknown_request(request_id)
        return row["shop"]

    def record_feedback(self, feedback: Feedback) -> bool:
        """Append feedback; False when the agent's latest feedback on the draft says the same.

        Feedback is never overwritten: another agent's word on the same draft, or the same
        agent changing their mind, is a new record. Text and reason are stored masked.
        Raises UnknownRequestError for a request id never served, InvalidFeedbackError for a
        draft index the response did not have.
        """
        final_text = mask_pii(feedback.final_text) if feedback.final_text else feedback.final_text
        reason = mask_pii(feedback.reason) if feedback.reason else feedback.reason
        with self._connection() as db:
            served = db.execute(
                "SELECT drafts FROM drafts_served WHERE request_id = ?", (feedback.request_id,)
            ).fetchone()
            if served is None:
                raise _unknown_request(feedback.request_id)
            if not 0 <= feedback.draft_index < served["drafts"]:
                raise InvalidFeedbackError(
                    f"draft_index {feedback.draft_index} is out of range: that response had "
                    f"{served['drafts']} draft(s), numbered from 0"
                )
            before = db.execute(
                "SELECT action, final_text, reason FROM feedback_events "
                "WHERE request_id = ? AND draft_index = ? AND agent = ? ORDER BY id DESC LIMIT 1",
                (feedback.request_id, feedback.draft_index, feedback.agent),
            ).fetchone()
            if before is not None and tuple(before) == (feedback.action, final_text, reason):
                return False
            db.execute(
                "INSERT INTO feedback_events "
                "(request_id, draft_index, agent, action, final_text, reason, created) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    feedback.request_id,
                    feedback.draft_index,
                    feedback.agent,
                    feedback.action,
                    final_text,
                    reason,
                    time.time(),
                ),
            )
            return True

    def history(self, request_id: str) -> list[dict]:
        """Every feedback record on a response, oldest first (who, when, what)."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT draft_index, agent, action, final_text, reason, created "
                "FROM feedback_events WHERE request_id = ? ORDER BY id",
                (request_id,),
            )
            return [dict(row) for row in rows]

    def served(self, since: float | None = None, until: float | None = None) -> list[dict]:
        """Responses served in [since, until), with the latest feedback of each agent."""
        where, params = _window(since, until)
        with self._connection() as db:
            rows = [dict(r) for r in db.execute(f"SELECT * FROM drafts_served {where}", params)]
            actions: dict[str, list[str]] = {}
            for row in db.execute(
                "SELECT f.request_id, f.action FROM latest_feedback f JOIN drafts_served d "
                f"USING (request_id) {where.replace('created', 'd.created')}",
                params,
            ):
                actions.setdefault(row["request_id"], []).append(row["action"])
        for row in rows:
            row["actions"] = actions.get(row["request_id"], [])
            row["compliance_hits"] = json.loads(row["compliance_hits"])
        return rows

    def questions(
        self,
        since: float | None = None,
        until: float | None = None,
        below_confidence: float | None = None,
        shops: Shops = None,
    ) -> list[tuple[str, int]]:
        """The most frequent distinct messages that were knowledge gaps.

        below_confidence: instead, those whose intent reading was less sure than that.
        """
        where, params = _window(since, until, shops)
        joiner = "AND" if where else "WHERE"
        if below_confidence is None:
            condition, extra = "knowledge_gap = 1", ()
        else:
            condition, extra = "confidence < ?", (below_confidence,)
        with self._connection() as db:
            rows = db.execute(
                f"SELECT message, COUNT(*) FROM drafts_served {where} {joiner} {condition} "
                "GROUP BY message ORDER BY COUNT(*) DESC, MAX(created) DESC LIMIT ?",
                (*params, *extra, GAP_QUESTIONS),
            )
            return [(message, number) for message, number in rows]

    def totals(
        self, since: float | None = None, until: float | None = None, shops: Shops = None
    ) -> Totals:
        """The window's counts, computed by SQLite (fast at 100,000 responses).

        shops: only responses served for these shops (None: every response).
        """
        where, params = _window(since, until, shops)
        joined = where.replace("created", "d.created")
        totals = Totals()
        with self._connection() as db:
            for intent, mode, count, escalated in db.execute(
                "SELECT intent, mode, COUNT(*), SUM(escalated) FROM drafts_served "
                f"{where} GROUP BY intent, mode",
                params,
            ):
                totals.requests += count
                totals.escalated += escalated
                totals.modes[mode] = totals.modes.get(mode, 0) + count
                totals.intents[intent] = totals.intents.get(intent, 0) + count
            totals.latency_p50, totals.latency_p95 = _latency_percentiles(
                db, where, params, totals.requests
            )
            totals.compliance_hits = dict(
                db.execute(
                    "SELECT hit.key, SUM(hit.value) FROM drafts_served d, "
                    f"json_each(d.compliance_hits) hit {joined} "
                    f"{'AND' if joined else 'WHERE'} d.compliance_hits != '{{}}' GROUP BY hit.key "
                    "ORDER BY SUM(hit.value) DESC",
                    params,
                )
            )
            for intent, action, number in db.execute(
                "SELECT d.intent, f.action, COUNT(*) FROM latest_feedback f "
                f"JOIN drafts_served d USING (request_id) {joined} GROUP BY d.intent, f.action",
                params,
            ):
                totals.actions.setdefault(intent, {})[action] = number
                totals.feedback += number
            day = "date(d.created, 'unixepoch', 'localtime')"
            for date, requests, escalated, gaps in db.execute(
                f"SELECT {day}, COUNT(*), SUM(escalated), SUM(knowledge_gap) FROM drafts_served d "
                f"{joined} GROUP BY {day}",
                params,
            ):
                totals.days[date] = {"requests": requests, "escalated": escalated, "gaps": gaps}
            for date, action, number in db.execute(
                f"SELECT {day}, f.action, COUNT(*) FROM latest_feedback f "
                f"JOIN drafts_served d USING (request_id) {joined} GROUP BY {day}, f.action",
                params,
            ):
                totals.days.setdefault(date, {"requests": 0, "escalated": 0, "gaps": 0})
                totals.days[date][action] = number
        totals.gap_questions = self.questions(
            since, until, shops=shops
        )  # after the lock is released
        return totals


def _latency_percentiles(db, where: str, params: tuple, count: int):
    """Median and nearest-rank 95th percentile of latency_ms, read through its index."""
    if not count:
        return None, None

    # the whole table walks the latency index; a window is found by date and sorted (the + keeps
    # SQLite from walking the latency index past every row outside the window)
    order = "+latency_ms" if where else "latency_ms"

    def ranked(offset: int, limit: int = 1) -> list[float]:
        sql = f"SELECT latency_ms FROM drafts_served {where} ORDER BY {order} LIMIT ? OFFSET ?"
        return [row[0] for row in db.execute(sql, (*params, limit, offset))]

    middle = ranked((count - 1) // 2, 2 - count % 2)
    p95 = ranked(min(count - 1, int(round(0.95 * (count - 1)))))[0]
    return round(sum(middle) / len(middle), 2), round(p95, 2)


def _unknown_request(request_id: str) -> UnknownRequestError:
    return UnknownRequestError(
        f"unknown request_id {request_id!r}: send the request_id of a draft response from this "
        "service"
    )


def _window(since: float | None, until: float | None, shops: Shops = None) -> tuple[str, tuple]:
    clauses, params = [], []
    if shops is not None:
        clauses.append(f"shop IN ({','.join('?' * len(shops))})")
        params.extend(sorted(shops))
    if since is not None:
        clauses.append("created >= ?")
        params.append(since)
    if until is not None:
        clauses.append("created < ?")
        params.append(until)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
