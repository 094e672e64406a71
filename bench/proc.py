"""Child processes with their wall time and peak memory, and the worker tasks run through them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
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


# Runs the measured command as *its* child and reports that grandchild's own rusage. Measuring
# the command directly would not do: the kernel keeps a process's peak RSS across exec, so a child
# forked from a large parent (pytest with gradio loaded: ~400 MB) reported the parent's size.
# This launcher is a fresh small interpreter, so what it forks starts small.
_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    json.dump({"seconds": time.perf_counter() - started, "maxrss_kb": usage.ru_maxrss}, fh)
sys.exit(proc.returncode if proc.returncode >= 0 else 128 - proc.returncode)
"""


def run_child(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600,
              cwd: Path | None = None) -> Child:
    """Run `cmd` to completion and return its wall time and peak RSS (its own, measured by a
    small launcher process; see `_LAUNCHER`)."""
    with tempfile.TemporaryDirectory(prefix="child-") as tmp:
        usage_file = Path(tmp) / "usage.json"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(usage_file), *cmd], stdout=out,
                                    stderr=err, env=env, cwd=str(cwd or REPO), start_new_session=True)
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, 9)  # the launcher and the command it started
                proc.wait()
            wall = time.perf_counter() - started
        usage = json.loads(usage_file.read_text()) if usage_file.exists() else {}
        return Child(
            returncode=proc.returncode,
            stdout=out_path.read_text("utf-8", "replace"),
            stderr=err_path.read_text("utf-8", "replace"),
            seconds=float(usage.get("seconds", wall)),
            peak_rss_mb=float(usage.get("maxrss_kb", 0)) / 1024,  # Linux reports kilobytes
            timed_out=timed_out,
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
