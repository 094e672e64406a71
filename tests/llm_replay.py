"""A local OpenAI-compatible server that replays recorded chat completions (tests only).

Recordings (tests/data/llm_recordings.json) are keyed by the question the prompt ends with. A
completion may write `[@phrase]` for "the [n] of the first passage in the prompt that contains
phrase" and `[!@phrase]` for "the first passage that does not": the recordings were written
against passages, not against rank positions, so a retrieval change renumbers them instead of
silently turning a faithful answer into a wrong citation. A recording can also delay its reply or
answer with an HTTP error status. A question without a recording gets a 404 in OpenAI's error
shape. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).resolve().parent / "data" / "llm_recordings.json"
_PASSAGE = re.compile(r"^\[(\d+)\] ", re.MULTILINE)
_TEMPLATE = re.compile(r"\[(!?)@([^\]]+)\]")


def load_recordings(path: Path = RECORDINGS) -> dict[str, dict[str, Any]]:
    return {r["question"]: r for r in json.loads(path.read_text(encoding="utf-8"))}


def prompt_passages(prompt: str) -> list[str]:
    """The numbered passages of a prompt made by `assistant.llm.prompt_messages`, in order."""
    body = prompt.split("\n\n问题：", 1)[0]
    starts = [m.start() for m in _PASSAGE.finditer(body)]
    return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]


def fill(completion: str, passages: list[str]) -> str:
    """Resolve `[@phrase]` / `[!@phrase]` against the prompt's passages ([?] when none fits)."""

    def repl(match: re.Match[str]) -> str:
        negate, phrase = match.group(1) == "!", match.group(2)
        for n, text in enumerate(passages, 1):
            if (phrase in text) != negate:
                return f"[{n}]"
        return "[?]"

    return _TEMPLATE.sub(repl, completion)


class ReplayServer:
    """`with ReplayServer() as llm:` serves at `llm.url` (ending in /v1); `llm.requests` logs bodies."""

    def __init__(self, recordings: dict[str, dict[str, Any]] | None = None) -> None:
        self.recordings = load_recordings() if recordings is None else recordings
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def questions(self) -> list[str]:
        """The questions the assistant sent, in order."""
        return [_question(r) for r in self.requests]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                replay.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, _error(f"no route {self.path}"))
                question = _question(body)
                recording = replay.recordings.get(question)
                if recording is None:
                    return self._send(404, _error(f"no recording for {question!r}"))
                time.sleep(float(recording.get("delay", 0)))
                status = int(recording.get("status", 200))
                if status != 200:
                    return self._send(status, _error("recorded failure", "server_error"))
                prompt = body["messages"][-1]["content"]
                content = fill(recording["completion"], prompt_passages(prompt))
                return self._send(200, _completion(body.get("model", ""), content))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (the slow-reply recording)

        return Handler


def _question(body: dict[str, Any]) -> str:
    prompt = str((body.get("messages") or [{}])[-1].get("content", ""))
    return prompt.rsplit("问题：", 1)[-1].strip()


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-replay-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }
