"""`make soak` / `python -m bench.soak`: a bounded load test against a live app on 127.0.0.1.

Starts `app.py` in a child process (its own port and ASSISTANT_HOME), then:

1. `--sessions` conversations of `--turns` dependent turns each, run side by side through `/chat`
   (turn 1 asks the fee for a headcount, every later turn says "那N人呢？" with the earlier turns as
   history, so an answer is right only if the server used *this* session's history);
2. `--new-sessions` one-question sessions, each with a fresh session hash (what a new browser tab
   or API client looks like to the server);
3. waits for the sessions to expire (`--session-ttl` is passed to the app as
   ASSISTANT_SESSION_TTL) and reads the server's RSS again.

Before all that, `--warmup` one-question sessions warm the process up; the start RSS is read after
them (and their expiry).

Every answer is checked: a fee answer for a headcount other than the one this session asked is
cross-talk. Reports p50/p95 latency, errors, cross-talk and the server's RSS before/after in
bench/results/soak.json; exits 1 when any error or cross-talk occurred or RSS grew by
`--max-growth-mb` or more after expiry.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .proc import REPO, bench_env
from .stats import latency_stats

__all__ = ["SoakResult", "main", "run_soak"]

RESULTS = REPO / "bench" / "results"
_MAX_HEADCOUNT = 10700  # the fee table's last band (corpus/data/fees.yaml); any n in 1..max is quotable


@dataclass
class SoakResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ms: float, error: str | None = None, crosstalk: str | None = None) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            if error:
                self.errors.append(error)
            if crosstalk:
                self.crosstalk.append(crosstalk)

    def summary(self) -> dict[str, Any]:
        return {"calls": len(self.latencies_ms), "latency_ms": latency_stats(self.latencies_ms),
                "errors": len(self.errors), "error_samples": self.errors[:5],
                "crosstalk": len(self.crosstalk), "crosstalk_samples": self.crosstalk[:5]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process now (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def call_chat(client: Any, base: str, message: str, history: list[str], session: str) -> dict[str, Any]:
    """One `/chat` call over gradio's REST protocol (POST, then read the event stream).

    Raises:
        RuntimeError: the server answered with an error event or an HTTP error.
    """
    posted = client.post(f"{base}/gradio_api/call/chat", json={"data": [message, history], "session_hash": session})
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    event = None
    with client.stream("GET", f"{base}/gradio_api/call/chat/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in {"complete", "error"}:
                data = json.loads(line.split(":", 1)[1])
                if event == "error":
                    raise RuntimeError(f"error event: {data}")
                result: dict[str, Any] = data[0]
                return result
    raise RuntimeError("stream ended without a result")


def _check_fee(answer: dict[str, Any], expected: int) -> str | None:
    got = (answer.get("data") or {}).get("employees")
    if answer.get("intent") != "fee" or got != expected:
        return f"asked {expected}, got intent={answer.get('intent')} employees={got}"
    return None


def _headcount(i: int) -> int:
    # Spread over the table so neighbouring calls ask different numbers (a mixed-up reply shows).
    return 1 + (i * 7919) % _MAX_HEADCOUNT


def _conversation(client: Any, base: str, index: int, turns: int, result: SoakResult) -> None:
    session = uuid.uuid4().hex
    history: list[str] = []
    for turn in range(turns):
        n = _headcount(index * turns + turn + 1)
        question = f"{n}人的企业认证费用是多少？" if turn == 0 else f"那{n}人呢？"
        started = time.perf_counter()
        try:
            answer = call_chat(client, base, question, history, session)
        except Exception as exc:
            result.record((time.perf_counter() - started) * 1000, error=f"{type(exc).__name__}: {exc}")
            return
        result.record((time.perf_counter() - started) * 1000, crosstalk=_check_fee(answer, n))
        history.append(question)


def _single(client: Any, base: str, index: int, result: SoakResult) -> None:
    n = _headcount(100_000 + index)
    started = time.perf_counter()
    try:
        answer = call_chat(client, base, f"{n}人的企业认证费用是多少？", [], uuid.uuid4().hex)
    except Exception as exc:
        result.record((time.perf_counter() - started) * 1000, error=f"{type(exc).__name__}: {exc}")
        return
    result.record((time.perf_counter() - started) * 1000, crosstalk=_check_fee(answer, n))


def measure_flood(base: str, *, flood: int, flood_chars: int, repeats: int) -> dict[str, Any]:
    """Latency of a short question alone, then while `flood` long questions are in flight.

    Each repeat starts the long questions on their own connections, waits until they are sent,
    then times one short question; errors of the long questions (a refusal) are counted, not fatal.
    """
    short = "证书有效期是几年？"
    long_text = ("我们公司想了解售后服务认证的费用、流程和需要准备的材料，" * (flood_chars // 20 + 1))[:flood_chars]
    alone, flooded, refused = [], [], 0
    with _client() as client:
        for _ in range(repeats):
            started = time.perf_counter()
            call_chat(client, base, short, [], uuid.uuid4().hex)
            alone.append((time.perf_counter() - started) * 1000)

    def long_call(_: int) -> bool:
        with _client() as own:
            try:
                call_chat(own, base, long_text, [], uuid.uuid4().hex)
                return True
            except Exception:
                return False

    with _client() as client, ThreadPoolExecutor(flood) as pool:
        for _ in range(repeats):
            futures = [pool.submit(long_call, i) for i in range(flood)]
            time.sleep(0.5)  # the long questions are posted and queued before the short one
            started = time.perf_counter()
            call_chat(client, base, short, [], uuid.uuid4().hex)
            flooded.append((time.perf_counter() - started) * 1000)
            refused += sum(not f.result() for f in futures)
    return {"flood": flood, "flood_chars": flood_chars, "repeats": repeats,
            "short_alone_ms": latency_stats(alone), "short_with_flood_ms": latency_stats(flooded),
            "long_refused": refused, "long_sent": flood * repeats}


def _log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _start_server(home: Path, port: int, ttl: float, log_path: Path) -> subprocess.Popen[bytes]:
    env = bench_env(home, ASSISTANT_PORT=str(port), ASSISTANT_HOST="127.0.0.1",
                    ASSISTANT_SESSION_TTL=str(ttl))
    env.pop("ASSISTANT_AUTH", None)
    log = log_path.open("wb")
    return subprocess.Popen([sys.executable, str(REPO / "app.py")], env=env, cwd=str(REPO), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_ready(client: Any, base: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before it was ready")
        try:
            if client.get(f"{base}/gradio_api/info").status_code == 200:
                return
        except Exception:  # not listening yet
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app was not ready within {timeout:.0f} s")


@contextmanager
def live_app(home: Path, *, session_ttl: float, log_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`app.py` serving `home` on a free loopback port: (process, base URL); stopped on exit."""
    import httpx

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    proc = _start_server(home, port, session_ttl, log_path)
    try:
        with httpx.Client(timeout=120) as client:
            _wait_ready(client, base, proc, timeout=900)
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _client(concurrency: int = 1) -> Any:
    import httpx

    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    return httpx.Client(timeout=300, limits=limits)


def run_soak(*, home: Path, sessions: int, turns: int, new_sessions: int, concurrency: int,
             session_ttl: float, settle: float, log_path: Path, warmup: int = 200) -> dict[str, Any]:
    """Run the three phases against a fresh app process and return the figures.

    `warmup` one-question sessions come first and the start RSS is read after them and their
    expiry: a new process grows by some 15-20 MB over its first few hundred answers (caches,
    allocator arenas) whatever the sessions do, and that is not what this test is after.
    """
    with live_app(home, session_ttl=session_ttl, log_path=log_path) as (proc, base), _client(concurrency) as client:
        warm = SoakResult()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda i: _single(client, base, 900_000 + i, warm), range(warmup)))
        time.sleep(min(session_ttl, 10) + settle)
        rss_start = rss_mb(proc.pid)
        _log(f"server ready on {base}, RSS {rss_start:.1f} MB")

        dependent = SoakResult()
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda i: _conversation(client, base, i, turns, dependent), range(sessions)))
        dependent_s = time.perf_counter() - started
        rss_after_dependent = rss_mb(proc.pid)
        _log(f"{sessions} sessions x {turns} turns in {dependent_s:.1f} s, RSS {rss_after_dependent:.1f} MB")

        fresh = SoakResult()
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda i: _single(client, base, i, fresh), range(new_sessions)))
        fresh_s = time.perf_counter() - started
        rss_after_new = rss_mb(proc.pid)
        _log(f"{new_sessions} new sessions in {fresh_s:.1f} s, RSS {rss_after_new:.1f} MB")

        wait = session_ttl + settle
        _log(f"waiting {wait:.0f} s for the sessions to expire")
        time.sleep(wait)
        rss_end = rss_mb(proc.pid)
        alive = proc.poll() is None
    return {
        "config": {"sessions": sessions, "turns": turns, "new_sessions": new_sessions, "warmup": warmup,
                   "concurrency": concurrency, "session_ttl_s": session_ttl, "settle_s": settle},
        "warmup": {**warm.summary()},
        "dependent": {**dependent.summary(), "seconds": round(dependent_s, 1)},
        "new_sessions": {**fresh.summary(), "seconds": round(fresh_s, 1)},
        "rss_mb": {"start": round(rss_start, 1), "after_dependent": round(rss_after_dependent, 1),
                   "after_new_sessions": round(rss_after_new, 1), "after_expiry": round(rss_end, 1),
                   "growth_after_expiry": round(rss_end - rss_start, 1),
                   "growth_after_expiry_from_dependent": round(rss_end - rss_after_dependent, 1)},
        "server_alive": alive,
    }


def _write(figures: dict[str, Any], out: Path) -> None:
    figures["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    figures["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                       cwd=str(REPO)).stdout.strip()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="dependent conversations (default 20)")
    parser.add_argument("--turns", type=int, default=3, help="turns per conversation (default 3)")
    parser.add_argument("--new-sessions", type=int, default=2000, help="one-question sessions (default 2000)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--session-ttl", type=float, default=30,
                        help="ASSISTANT_SESSION_TTL given to the app, seconds (default 30)")
    parser.add_argument("--settle", type=float, default=15, help="extra wait after the TTL, seconds (default 15)")
    parser.add_argument("--max-growth-mb", type=float, default=50, help="fail at this RSS growth (default 50)")
    parser.add_argument("--warmup", type=int, default=200,
                        help="one-question sessions before the start RSS is read (default 200)")
    parser.add_argument("--home", type=Path, default=RESULTS / "soak-home",
                        help="ASSISTANT_HOME of the app (the index is built there first if needed)")
    parser.add_argument("--flood", action="store_true",
                        help="instead: a short question's latency alone and under 8 concurrent long ones "
                             "(100,000 and 2,000 characters); writes flood.json")
    parser.add_argument("--out", type=Path, help="results file (default bench/results/soak.json or flood.json)")
    args = parser.parse_args(argv)
    for name in ("sessions", "turns", "new_sessions", "concurrency"):
        if getattr(args, name) < (1 if name in {"turns", "concurrency"} else 0):
            parser.error(f"--{name.replace('_', '-')} must be a positive number")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    args.home.mkdir(parents=True, exist_ok=True)
    _log(f"index in {args.home}")
    subprocess.run([sys.executable, "-m", "index"], env=bench_env(args.home), cwd=str(REPO), check=True)
    if args.flood:
        out = args.out or RESULTS / "flood.json"
        with live_app(args.home, session_ttl=args.session_ttl, log_path=out.with_suffix(".server.log")) as (_, base):
            flood = {f"{chars}_chars": measure_flood(base, flood=8, flood_chars=chars, repeats=5)
                     for chars in (100_000, 2_000)}
        _write(flood, out)
        return 0
    args.out = args.out or RESULTS / "soak.json"
    figures = run_soak(home=args.home, sessions=args.sessions, turns=args.turns, new_sessions=args.new_sessions,
                       concurrency=args.concurrency, session_ttl=args.session_ttl, settle=args.settle,
                       log_path=args.out.with_suffix(".server.log"), warmup=args.warmup)
    _write(figures, args.out)
    failed = sum(figures[phase][kind] for phase in ("warmup", "dependent", "new_sessions")
                 for kind in ("errors", "crosstalk")) > 0
    failed = failed or figures["rss_mb"]["growth_after_expiry"] >= args.max_growth_mb or not figures["server_alive"]
    _log("FAILED" if failed else "passed")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    raise SystemExit(main())
