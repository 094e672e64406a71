"""Server memory stays bounded: Gradio keeps a copy of the app's configuration for every session
(about 0.3 MB here), so sessions must expire. API calls (which keep nothing between calls) are
dropped soon after they finish; a chat conversation keeps its dialogue state until it has been idle
for the configured time. A real server on 127.0.0.1 driven over HTTP as a browser and a client do."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest

from assistant import ui
from assistant.errors import AssistantError
from assistant.serving import SessionLimits, session_limits

pytestmark = pytest.mark.slow

LIMITS = SessionLimits(ttl=4.0, max_sessions=50, api_ttl=0.5, max_api_sessions=5, interval=0.2)


@pytest.fixture(autouse=True)
def _home_with_index(shipped_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(shipped_home))
    return shipped_home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(_shipped_assistant: Any) -> Iterator[tuple[gr.Blocks, Any, str]]:
    demo = ui.create_app(_shipped_assistant)
    app, url, _ = ui.serve(demo, port=_free_port(), prevent_thread_lock=True, quiet=True, limits=LIMITS)
    yield demo, app, url.rstrip("/")
    demo.close()


def _api_chat(http: httpx.Client, url: str, message: str, session: str) -> dict[str, Any]:
    event = http.post(f"{url}/gradio_api/call/chat", json={"data": [message, []], "session_hash": session})
    event.raise_for_status()
    stream = http.get(f"{url}/gradio_api/call/chat/{event.json()['event_id']}").text
    data = stream.split("event: complete\ndata: ", 1)[1].split("\n", 1)[0]
    result: dict[str, Any] = json.loads(data)[0]
    return result


def _ui_chat(http: httpx.Client, url: str, demo: gr.Blocks, message: str, session: str) -> str:
    """Send a chat message the way the browser does (queue/join with the session hash) and return
    the final assistant message."""
    fn_index, dep = next((i, d) for i, d in demo.fns.items() if getattr(d.fn, "__name__", "") == "respond")
    body = {"data": [message, [], None], "fn_index": fn_index, "session_hash": session,
            "trigger_id": dep.targets[0][0], "event_data": None}
    http.post(f"{url}/gradio_api/queue/join", json=body).raise_for_status()
    last = ""
    with http.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                output = msg["output"]["data"][0]
                last = str(output[-1]["content"]) if isinstance(output, list) and output else json.dumps(output)
                break
    return last


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_api_sessions_are_dropped_and_a_conversation_keeps_its_state(served: tuple[gr.Blocks, Any, str]) -> None:
    demo, app, url = served
    sessions = app.state_holder.session_data
    conversation = uuid.uuid4().hex
    with httpx.Client(timeout=60) as http:
        assert "53,000" in _ui_chat(http, url, demo, "1200人的企业认证费用是多少？", conversation)
        for i in range(30):
            assert _api_chat(http, url, f"{100 + i}人的企业认证费用是多少？", uuid.uuid4().hex)["intent"] == "fee"
        # API sessions hold no state: at most `max_api_sessions` of them stay, and soon none.
        assert _wait_for(lambda: len(sessions) <= 1 + LIMITS.max_api_sessions)
        assert _wait_for(lambda: set(sessions) == {conversation})
        # The conversation kept its dialogue state through the sweeps: the follow-up means 2000 people.
        followup = _ui_chat(http, url, demo, "那2000人呢？", conversation)
        assert "2000" in followup.replace(",", "") and "sa-intent-fee" in followup
        # Idle for longer than the TTL, the conversation goes too.
        assert _wait_for(lambda: conversation not in sessions, timeout=LIMITS.ttl + 5)


def test_session_capacity_bounds_conversations(served: tuple[gr.Blocks, Any, str]) -> None:
    demo, app, url = served
    with httpx.Client(timeout=60) as http:
        for _ in range(LIMITS.max_sessions + 5):
            _ui_chat(http, url, demo, "证书有效期是几年？", uuid.uuid4().hex)
    assert _wait_for(lambda: len(app.state_holder.session_data) <= LIMITS.max_sessions)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (3600.0, 256)),
        ({"ASSISTANT_SESSION_TTL": "90", "ASSISTANT_MAX_SESSIONS": "20"}, (90.0, 20)),
    ],
)
def test_session_limits_from_environment(env: dict[str, str], expected: tuple[float, int]) -> None:
    limits = session_limits(env)
    assert (limits.ttl, limits.max_sessions) == expected


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ASSISTANT_SESSION_TTL": "abc"}, "ASSISTANT_SESSION_TTL"),
        ({"ASSISTANT_SESSION_TTL": "-5"}, "ASSISTANT_SESSION_TTL"),
        ({"ASSISTANT_MAX_SESSIONS": "0"}, "ASSISTANT_MAX_SESSIONS"),
        ({"ASSISTANT_MAX_SESSIONS": "1e9"}, "ASSISTANT_MAX_SESSIONS"),
    ],
)
def test_bad_session_limits_are_refused_in_chinese(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(AssistantError, match=fragment):
        session_limits(env)
