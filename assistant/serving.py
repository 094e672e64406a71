"""Limits that keep the web server's memory and work bounded, whatever clients send.

- `BodySizeLimit`: an ASGI middleware refusing request bodies over `MAX_BODY_BYTES` (413, Chinese
  message) before the app parses them. File uploads (multipart) are left to Gradio's own
  `max_file_size`.
- Session expiry. Gradio keeps, for every session hash it sees, a copy of the whole app's
  component configuration (about 0.3 MB for this app) until 10,000 sessions exist; an API client
  that sends a fresh session per call (or none: the REST route makes one per call) grows the
  server by that much per call. `session_lifespan` runs a sweep every second that drops:
  sessions holding no state (API calls, page views) once idle for `api_ttl` or beyond the newest
  `max_api_sessions`; conversations (a chat's dialogue state) once idle for `ttl` or beyond the
  newest `max_sessions`. Sessions with an event in flight are kept (for up to `ttl`).

`app_kwargs(limits)` is what `Blocks.launch` / `gr.mount_gradio_app` take to install both.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import math
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .core import MAX_QUESTION_CHARS
from .errors import AssistantError

__all__ = [
    "MAX_BODY_BYTES",
    "BodySizeLimit",
    "SessionLimits",
    "SessionSettingsError",
    "app_kwargs",
    "session_lifespan",
    "session_limits",
    "sweep_sessions",
]

log = logging.getLogger("assistant.ui")

# A question is at most 2,000 characters (12 KB even as JSON \u escapes); a chat turn from the browser
# also carries the conversation shown so far. 1 MB leaves room for long conversations and stops
# multi-megabyte bodies before anything parses them.
MAX_BODY_BYTES = 1_000_000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodySizeLimit:
    """ASGI middleware: a request body larger than `max_bytes` gets 413 and never reaches the app.

    The body is read (up to the limit) before the app sees the request, counting what arrives, so a
    client that sends no Content-Length or a false one is caught too.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_limited_body(scope):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            parts.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(parts)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        mb = self.max_bytes / 1_000_000
        text = json.dumps({"error": f"请求内容过大（超过 {mb:g} MB），已拒绝。问题最多 {MAX_QUESTION_CHARS} 个字，请缩短后重试"},
                          ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(text)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": text})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


def _has_limited_body(scope: Scope) -> bool:
    if scope.get("method") not in {"POST", "PUT", "PATCH"}:
        return False
    content_type = (_header(scope, b"content-type") or "").lower()
    return not content_type.startswith("multipart/form-data")


# ---------------------------------------------------------------------------------------------
# Sessions


class SessionSettingsError(AssistantError):
    """ASSISTANT_SESSION_TTL or ASSISTANT_MAX_SESSIONS is not a usable number."""


@dataclass(frozen=True)
class SessionLimits:
    ttl: float = 3600.0  # a conversation idle this long (seconds) is forgotten
    max_sessions: int = 256  # conversations kept at most; the least recently used go first
    # A session holding no state has nothing a later event needs (Gradio makes a fresh one), so it
    # goes soon: at 30 calls/s from new sessions, 60 s and 64 kept let ~100 MB pile up between sweeps.
    api_ttl: float = 5.0
    max_api_sessions: int = 16
    interval: float = 1.0  # seconds between sweeps (a sweep of a few hundred sessions takes microseconds)


def session_limits(env: Mapping[str, str] | None = None) -> SessionLimits:
    """Limits from ASSISTANT_SESSION_TTL (seconds, default 3600) and ASSISTANT_MAX_SESSIONS
    (default 256).

    Raises:
        SessionSettingsError: a value is not a number in range (the message names the variable).
    """
    env = os.environ if env is None else env
    defaults = SessionLimits()
    raw_ttl = (env.get("ASSISTANT_SESSION_TTL") or "").strip()
    raw_max = (env.get("ASSISTANT_MAX_SESSIONS") or "").strip()
    ttl = defaults.ttl
    if raw_ttl:
        try:
            ttl = float(raw_ttl)
        except ValueError:
            ttl = math.nan
        if not 1 <= ttl <= 30 * 86400:
            raise SessionSettingsError(
                f"ASSISTANT_SESSION_TTL 应为 1–2592000 之间的秒数（当前为“{raw_ttl}”），例如 3600 表示闲置 1 小时后结束对话"
            )
    max_sessions = defaults.max_sessions
    if raw_max:
        if not raw_max.isdigit() or not 1 <= int(raw_max) <= 100_000:
            raise SessionSettingsError(f"ASSISTANT_MAX_SESSIONS 应为 1–100000 之间的整数（当前为“{raw_max}”）")
        max_sessions = int(raw_max)
    return SessionLimits(ttl=ttl, max_sessions=max_sessions, api_ttl=min(defaults.api_ttl, ttl))


def _holds_state(session: Any) -> bool:
    return any(value is not None for value in getattr(session, "state_data", {}).values())


def sweep_sessions(state_holder: Any, queue: Any, limits: SessionLimits, *, now: datetime | None = None) -> int:
    """Drop the sessions `limits` says to drop from Gradio's session store; returns how many.

    Args:
        state_holder: the running app's `app.state_holder` (gradio.state_holder.StateHolder).
        queue: the Blocks' queue (`blocks._queue`), whose per-session bookkeeping goes too; a
            session with an event still pending is kept.
        limits: the limits.
        now: the time to measure idleness against (default: now).
    """
    now = now or datetime.now()
    pending: Mapping[str, set[str]] = getattr(queue, "pending_event_ids_session", {}) or {}
    with state_holder.lock:
        sessions = list(state_holder.session_data.items())
        last_used = dict(state_holder.time_last_used)
    conversations: list[tuple[datetime, str]] = []
    stateless: list[tuple[datetime, str]] = []
    drop: set[str] = set()
    for session_hash, session in sessions:
        used = last_used.get(session_hash, now)
        idle = (now - used).total_seconds()
        if pending.get(session_hash) and idle <= limits.ttl:
            continue  # an event in flight; one still "pending" after a whole TTL was abandoned
        group, ttl = (conversations, limits.ttl) if _holds_state(session) else (stateless, limits.api_ttl)
        if idle > ttl:
            drop.add(session_hash)
        else:
            group.append((used, session_hash))
    for group, cap in ((conversations, limits.max_sessions), (stateless, limits.max_api_sessions)):
        group.sort(reverse=True)  # newest first; the ones beyond the cap are the least recently used
        drop.update(session_hash for _, session_hash in group[cap:])
    for session_hash in drop:
        with contextlib.suppress(Exception):  # a state value whose own clean-up fails still goes
            state_holder.delete_state(session_hash)
        with state_holder.lock:
            state_holder.session_data.pop(session_hash, None)
            state_holder.time_last_used.pop(session_hash, None)
        # The queue's bookkeeping of a finished session (its event ids, its message queue).
        getattr(queue, "pending_event_ids_session", {}).pop(session_hash, None)
        messages = getattr(queue, "pending_messages_per_session", None)
        if messages is not None and session_hash in messages:
            del messages[session_hash]
    return len(drop)


def _tune_gc() -> None:
    """Keep Python's full garbage collections short in a long-running server.

    A full collection walks every container object. With sessions now freed as fast as they come,
    the heap stays level and full collections come every few seconds under load, each walking the
    ~200,000 objects that live as long as the process (modules, the index, the app's
    configuration): about 215 ms each, which put the soak's p95 at 257 ms (108 ms without the sweep,
    whose heap only grows). Freezing what exists at start-up and collecting the young generation
    every 10,000 allocations instead of 700 brought it to 109 ms (docs/BENCHMARKS.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def session_lifespan(limits: SessionLimits) -> Callable[[Any], Any]:
    """A lifespan for Gradio's FastAPI app that sweeps sessions every `limits.interval` seconds
    (and tunes the garbage collector for a long-running process, see `_tune_gc`)."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        _tune_gc()
        async def run() -> None:
            while True:
                await asyncio.sleep(limits.interval)
                try:
                    blocks = app.get_blocks()
                    dropped = sweep_sessions(app.state_holder, getattr(blocks, "_queue", None), limits)
                    if dropped:
                        log.debug("dropped %d idle sessions", dropped)
                except Exception:  # the sweep must never stop the server
                    log.exception("session sweep failed")

        task = asyncio.create_task(run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def app_kwargs(limits: SessionLimits) -> dict[str, Any]:
    """FastAPI keyword arguments installing the body limit and the session sweep."""
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(BodySizeLimit)], "lifespan": session_lifespan(limits)}
