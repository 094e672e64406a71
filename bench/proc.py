"""Child processes with their wall time and peak memory, and the worker tasks run through them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Child", "WorkerError", "bench_env", "run_child", "run_worker"]

REPO = Path(__file__).resolve().parent.parent


class WorkerError(RuntimeError):
    """A worker task exited with an error; the message carries the end of its stderr."""


@dataclass(frozen=True)
class Child:
    """What one child process did: exit code, output, wall time and peak resident memory."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    timed_out: bool = False


def bench_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for a child: our own `ASSISTANT_HOME`, passive OpenMP waiting, no telemetry.

    OMP_WAIT_POLICY=passive is what the embedder sets for itself; setting it here too makes the
    child's first import behave the same whichever module loads libgomp first.
    """
    env = dict(os.environ)
    env.update({"OMP_WAIT_POLICY": "passive", "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"})
    # Children import `bench`, `assistant`, `index` and `evals` from this checkout.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    if home is not None:
        env["ASSISTANT_HOME"] = str(home)
    env.update(extra)
    return env


def run_child(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600,
              cwd: Path | None = None) -> Child:
    """Run `cmd` to completion and return its wall time and peak RSS.

    `os.wait4` reports the resource usage of exactly this child, whereas
    `getrusage(RUSAGE_CHILDREN)` keeps the maximum over every child reaped so far, so a small
    process measured after a large one would inherit the large one's peak.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=str(cwd or REPO))
        timed_out = threading.Event()

        def _kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, _kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        # Tell Popen the child is reaped, so it does not wait for it again.
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
            timed_out=timed_out.is_set(),
        )


def run_worker(task: str, params: dict[str, Any], *, home: Path | None, timeout: float = 3600,
               env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m bench.worker TASK` in a child and return its JSON result.

    The result gets `_child`: the child's wall seconds and peak RSS.

    Raises:
        WorkerError: the child failed or timed out.
    """
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "bench.worker", task, "--params", json.dumps(params, ensure_ascii=False),
               "--out", str(out)]
        child = run_child(cmd, env=bench_env(home, **(env_extra or {})), timeout=timeout)
        if child.returncode != 0 or not out.exists():
            tail = "\n".join(child.stderr.strip().splitlines()[-15:])
            why = "timed out" if child.timed_out else f"exit {child.returncode}"
            raise WorkerError(f"worker {task} {why}:\n{tail}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["_child"] = {"seconds": round(child.seconds, 3), "peak_rss_mb": round(child.peak_rss_mb, 1)}
    return result
