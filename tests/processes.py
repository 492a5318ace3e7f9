"""Start and stop real server processes (chroma run, copilot serve) on free loopback ports."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def executable(name: str) -> str:
    """A console script installed beside this Python (the venv's bin), else from PATH."""
    local = BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed; run the README's test command")
    return found


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll url until it answers 200; fail with the process output if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = output_of(process)
            raise RuntimeError(f"process exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


def start(args: list[str], env: dict | None = None) -> subprocess.Popen:
    """Start a process in its own group; its output goes to a temporary file (a pipe nobody
    reads fills up and blocks a chatty server), readable with output_of()."""
    log = tempfile.NamedTemporaryFile(prefix="process-", suffix=".log", delete=False)
    process = subprocess.Popen(
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    log.close()
    process.log_path = Path(log.name)
    return process


def output_of(process: subprocess.Popen) -> str:
    """Everything the process printed so far."""
    path = getattr(process, "log_path", None)
    return path.read_text(encoding="utf-8", errors="replace") if path else ""


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop the whole process group and reap it."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """A real Chroma server (the `chroma` CLI of the chromadb package)."""
    process = start(
        [
            executable("chroma"),
            "run",
            "--path",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    )
    wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", process)
    return process
