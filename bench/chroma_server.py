"""`python -m bench.chroma_server`: the embedded Chroma store against a `chroma run` server.

Measures, in one run (so the machine's load is shared):
- warm query latency p50/p95 of `Assistant.ask` over golden questions, embedded vs server,
  asked alternately question by question so that background load hits both alike;
- throughput of the app (`app.py`, POST /v1/chat/completions) with 1 and 2 app processes sharing
  one home, on the embedded store and on one Chroma server, driven by 4 concurrent callers
  spread over the processes.

Writes bench/results/chroma_server.json and prints a Markdown table. Everything binds 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from evals.metrics import percentile

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def _questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (REPO / "evals/golden/core.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["question"] for r in rows if not r.get("history")][:n]


def _build(home: Path, chroma_url: str | None) -> None:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("ASSISTANT_CHROMA_URL", None)
    if chroma_url:
        env["ASSISTANT_CHROMA_URL"] = chroma_url
    subprocess.run([sys.executable, "-m", "index"], env=env, check=True, capture_output=True)


def _latency(homes: dict[str, tuple[Path, str | None]], questions: list[str], passes: int) -> dict[str, Any]:
    from assistant.core import Assistant

    assistants = {}
    for mode, (home, url) in homes.items():
        os.environ["ASSISTANT_HOME"] = str(home)
        os.environ.pop("ASSISTANT_CHROMA_URL", None)
        if url:
            os.environ["ASSISTANT_CHROMA_URL"] = url
        assistants[mode] = Assistant.load(build=False, llm=False)
        for q in questions[:3]:
            assistants[mode].ask(q)  # warm: jieba, embedder, the store's first query
    times: dict[str, list[float]] = {mode: [] for mode in homes}
    for _ in range(passes):
        for q in questions:
            for mode, assistant in assistants.items():
                started = time.perf_counter()
                assistant.ask(q)
                times[mode].append((time.perf_counter() - started) * 1000)
    return {mode: {"n": len(t), "p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95)} for mode, t in times.items()}


def _start_apps(home: Path, url: str | None, count: int) -> tuple[list[int], list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("ASSISTANT_CHROMA_URL", None)
    if url:
        env["ASSISTANT_CHROMA_URL"] = url
    ports = [_free_port() for _ in range(count)]
    procs = [subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env={**env, "ASSISTANT_PORT": str(p)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    return ports, procs


def _ask(port: int, question: str) -> None:
    body = json.dumps({"model": "shouhou-assistant", "messages": [{"role": "user", "content": question}]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        json.load(reply)


def _qps(ports: list[int], questions: list[str], callers: int, requests: int) -> float:
    """Requests per second with `callers` threads, request i going to process i mod len(ports)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(callers) as pool:
        list(pool.map(lambda i: _ask(ports[i % len(ports)], questions[i % len(questions)]), range(requests)))
    return requests / (time.perf_counter() - started)


def _throughput(homes: dict[str, tuple[Path, str | None]], questions: list[str], *, callers: int, requests: int,
                rounds: int) -> list[dict[str, Any]]:
    """q/s per (store, 1 or 2 processes), median of `rounds` rounds taken in turn, so that the
    shared machine's load falls on every configuration alike."""
    apps = {store: _start_apps(home, url, 2) for store, (home, url) in homes.items()}
    try:
        for ports, procs in apps.values():
            for port, proc in zip(ports, procs, strict=True):
                _wait(f"http://127.0.0.1:{port}/v1/models", proc)
                for q in questions[:3]:
                    _ask(port, q)  # warm each process
        runs: dict[tuple[str, int], list[float]] = {}
        for _ in range(rounds):
            for store, (ports, _procs) in apps.items():
                for processes in (1, 2):
                    runs.setdefault((store, processes), []).append(_qps(ports[:processes], questions, callers, requests))
        return [{"store": store, "processes": processes, "callers": callers, "requests": requests,
                 "qps_runs": [round(x, 1) for x in qps], "qps": round(statistics.median(qps), 1)}
                for (store, processes), qps in runs.items()]
    finally:
        for _ports, procs in apps.values():
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chroma_server", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200, help="requests per throughput measurement")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (the median is reported)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    questions = _questions(args.questions)
    work = Path(tempfile.mkdtemp(prefix="bench-chroma-"))
    port = _free_port()
    chroma_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(work / "chroma"),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"{chroma_url}/api/v2/heartbeat", server)
        homes = {"embedded": (work / "home-embedded", None), "server": (work / "home-server", chroma_url)}
        for home, url in homes.values():
            _build(home, url)
        load_before = os.getloadavg()
        result: dict[str, Any] = {"latency": _latency(homes, questions, args.passes)}
        result["throughput"] = _throughput(homes, questions, callers=args.callers, requests=args.requests,
                                           rounds=args.rounds)
        result["load_average"] = [round(x, 1) for x in (*load_before, *os.getloadavg())]
        result["measured"] = time.strftime("%Y-%m-%d %H:%M")
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "chroma_server.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lat = result["latency"]
    print("| store | p50 ms | p95 ms | n |\n|---|---:|---:|---:|")
    for mode, row in lat.items():
        print(f"| {mode} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['n']} |")
    print("\n| store | app processes | callers | requests | q/s (median) | q/s per round |\n|---|---:|---:|---:|---:|---|")
    for row in result["throughput"]:
        print(f"| {row['store']} | {row['processes']} | {row['callers']} | {row['requests']} | {row['qps']} | "
              f"{', '.join(map(str, row['qps_runs']))} |")
    print(f"\nload average before/after: {result['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
