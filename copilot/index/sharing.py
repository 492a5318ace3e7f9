"""One embedded index, one writer: a serving process and an ingest never meet in a data dir.

An embedded Chroma (PersistentClient) is a SQLite file and segment files that one process
writes; a second process ingesting into it while a server reads breaks the server. So a server
holds a shared lock on the data dir while it serves (several workers share it), and
`copilot ingest` takes it exclusively or refuses, saying what to do. With a Chroma server
(COPILOT_CHROMA_URL) several processes may write, and no lock is taken.
"""

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path

from copilot.errors import CopilotError

log = logging.getLogger(__name__)

LOCK_FILE = "embedded-index.lock"


class IndexInUseError(CopilotError):
    """A server is using the embedded index this ingest would write."""


def _open(data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    return os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)


def _take(handle: int, mode: int) -> bool:
    """Try the lock without waiting; False when another process holds it."""
    try:
        fcntl.flock(handle, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def serving(data_dir: Path):
    """Hold the data dir shared while serving; waits for a running ingest to finish first."""
    handle = _open(data_dir)
    try:
        if not _take(handle, fcntl.LOCK_SH):
            log.warning("an ingest is writing the index in %s: waiting for it to finish", data_dir)
            fcntl.flock(handle, fcntl.LOCK_SH)
        yield
    finally:
        os.close(handle)  # releases the lock


@contextmanager
def ingesting(data_dir: Path):
    """Hold the data dir exclusively while ingesting, or raise IndexInUseError at once."""
    handle = _open(data_dir)
    try:
        if not _take(handle, fcntl.LOCK_EX):
            raise IndexInUseError(
                f"a copilot server (or another ingest) is using the embedded index in {data_dir}; "
                "stop it before ingesting, or run a Chroma server (chroma run) and set "
                "COPILOT_CHROMA_URL so servers pick up a re-ingest while they serve"
            )
        yield
    finally:
        os.close(handle)
