"""Chroma as a server: a real `chroma run` on a loopback port, the index built into it, and the
end-to-end answer tests (tests/test_answers.py) run against it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from index.store import ChromaServerError

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"  # the CLI the chromadb package installs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import httpx

    port = _free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "chroma.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path_factory.mktemp("chroma-data")),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _collections(url: str) -> list[str]:
    import chromadb

    host, port = url.rsplit("//", 1)[1].split(":")
    return sorted(c.name for c in chromadb.HttpClient(host=host, port=int(port)).list_collections())


def test_answer_tests_pass_against_the_server(chroma_url: str, tmp_path: Path) -> None:
    before = _collections(chroma_url)
    env = {**os.environ, "ASSISTANT_CHROMA_URL": chroma_url, "PYTHONPATH": str(REPO)}
    env.pop("ASSISTANT_HOME", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_answers.py"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
    # The session's index went to the server: one new collection of the test home's builds.
    new = [name for name in _collections(chroma_url) if name not in before]
    assert len(new) == 1 and new[0].startswith("shouhou-")


def test_each_build_has_its_own_collection_and_old_ones_are_removed(chroma_url: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.core import Assistant
    from index.build import build_index, stale_reason
    from index.store import current_build

    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_url)
    first = build_index(progress=None)
    name = json.loads((first.build_dir / "chroma" / "server.json").read_text(encoding="utf-8"))["collection"]
    assert name.endswith(first.build_dir.name.split("-", 1)[1]) and name in _collections(chroma_url)
    assert not (first.build_dir / "chroma" / "chroma.sqlite3").exists()  # no embedded store beside it
    second = build_index(progress=None)
    assert second.embedded == 0 and second.reused == second.chunks  # vectors reused from the server
    third = build_index(progress=None)
    live = current_build()
    assert live == third.build_dir and stale_reason() is None
    prefix = name.rsplit("-", 1)[0]
    mine = [c for c in _collections(chroma_url) if c.startswith(prefix)]
    # The build replaced last stays one generation (a process may still be answering from it, see
    # index/build.py); the first one is gone.
    assert sorted(mine) == sorted(f"{prefix}-{b.build_dir.name.split('-', 1)[1]}" for b in (second, third))
    answer = Assistant.load(build=False).ask("证书有效期是几年？")
    assert "3年" in answer.answer and answer.citations
    # Dropping the server setting makes the build stale (its vectors are not on this disk).
    monkeypatch.delenv("ASSISTANT_CHROMA_URL")
    assert "未设置 ASSISTANT_CHROMA_URL" in (stale_reason() or "")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("http://127.0.0.1:{free}", "无法连接 Chroma 服务器 http://127.0.0.1:"), ("127.0.0.1:8000", "应为 http://主机:端口")],
)
def test_unusable_server_is_a_clear_message_at_start_up(url: str, fragment: str, tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_CHROMA_URL": url.format(free=_free_port()), "ASSISTANT_HOME": str(tmp_path),
           "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", "证书有效期是几年？"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and fragment in result.stderr and "Traceback" not in result.stderr
    assert "向量化" not in result.stderr  # said before anything is embedded
    assert time.monotonic() - started < 60


def test_token_is_sent_as_a_header(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []

    class Recorder(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(dict(self.headers))
            self.send_response(503)  # a proxy refusing: the client must still have sent the header
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("ASSISTANT_CHROMA_URL", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("ASSISTANT_CHROMA_TOKEN", "令牌-abc".encode().hex())
        from index.store import check_store

        with pytest.raises(ChromaServerError, match="ASSISTANT_CHROMA_TOKEN"):
            check_store()
    finally:
        server.shutdown()
    assert seen and all(h.get("Authorization") == f"Bearer {'令牌-abc'.encode().hex()}" for h in seen)
