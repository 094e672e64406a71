"""The app's HTTP server: an OpenAI-compatible API next to the Gradio UI, in one FastAPI app.

    GET  /v1/models              the one model, `shouhou-assistant`
    POST /v1/chat/completions    stream and non-stream; the messages array is the conversation
    /                            the Gradio app (`gr.mount_gradio_app`), with its /chat, /quote,
                                 /score endpoints for gradio_client, unchanged

The reply's content is the answer with [n] markers, then a 来源 block; the same citations come as
data in the extra fields `citations`, `intent`, `abstained` (and `notice`). Errors use OpenAI's
shape, `{"error": {"message", "type", "param", "code"}}`, with Chinese messages.

Access: a Bearer key from ASSISTANT_API_KEY is required whenever it is set. When the server is
configured on a non-loopback host (ASSISTANT_HOST) the key is mandatory: without one the /v1 routes
answer 403. Which host counts is the configured one, not the caller's address, so a reverse proxy
on the same machine does not make every request look local.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import gradio as gr
import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from .access import maintainer_login
from .core import Assistant
from .errors import AssistantError
from .serving import BodySizeLimit, session_limits
from .types import Answer
from .ui import (
    UNEXPECTED,
    LaunchError,
    ServerSettings,
    answer_function,
    app_options,
    create_app,
    server_settings,
)

__all__ = ["MODEL_ID", "RunningServer", "api_key", "create_server", "launch", "serve_app"]

log = logging.getLogger("assistant.api")

MODEL_ID = "shouhou-assistant"
_CREATED = 1767225600  # 2026-01-01: a fixed `created` for the model list
_ROLES = {"system", "developer", "user", "assistant", "tool"}
# Pieces a streamed reply is cut into: after sentence ends and line breaks, as a reader follows it.
_PIECE = re.compile(r"(?<=[。；！？\n])")


class _BadRequest(ValueError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def api_key(env: Mapping[str, str] | None = None) -> str | None:
    """ASSISTANT_API_KEY, or None when unset.

    Raises:
        LaunchError: the key contains white space (a copy-paste slip that no client could send).
    """
    env = os.environ if env is None else env
    key = (env.get("ASSISTANT_API_KEY") or "").strip()
    if key and re.search(r"\s", key):
        raise LaunchError("ASSISTANT_API_KEY 不能包含空格或换行，请检查复制的密钥")
    return key or None


# ---------------------------------------------------------------------------------------------
# OpenAI-shaped replies


def _error(status: int, message: str, *, kind: str = "invalid_request_error", param: str | None = None,
           code: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status_code=status)


def _content(answer: Answer) -> str:
    """The reply text: notice, answer, then the sources a chat window shows under it."""
    parts = []
    if answer.notice:
        parts.append(f"（提示：{answer.notice}）")
    parts.append(answer.answer)
    if answer.citations:
        sources = "\n".join(f"[{c.n}] {c.title} › {c.section}（出处：{c.source}）" for c in answer.citations)
        parts.append(f"来源：\n{sources}")
    return "\n\n".join(parts)


def _extra(answer: Answer) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "citations": [asdict(c) for c in answer.citations],
        "intent": answer.intent,
        "abstained": answer.abstained,
    }
    if answer.notice:
        extra["notice"] = answer.notice
    return extra


def _completion(completion_id: str, answer: Answer) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": _content(answer)},
                     "finish_reason": "stop"}],
        **_extra(answer),
    }


def _chunks(completion_id: str, answer: Answer) -> Iterator[str]:
    """Server-sent events: the role, the content in sentence-sized pieces, then the citations."""
    created = int(time.time())

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _PIECE.split(_content(answer)):
        if piece:
            yield event({"content": piece})
    yield event({}, "stop", **_extra(answer))
    yield "data: [DONE]\n\n"


# ---------------------------------------------------------------------------------------------
# Requests


def _text(content: Any, where: str) -> str:
    """A message's text: a string, or the text parts of a content list."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, Mapping) and part.get("type") == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif not isinstance(part, Mapping) or part.get("type") not in {"image_url", "input_audio", "file"}:
                raise _BadRequest(f"{where}.content 的内容块格式不对：应为 {{\"type\": \"text\", \"text\": \"…\"}}", where)
        return "".join(texts)
    raise _BadRequest(f"{where}.content 应为字符串或内容块列表", where)


def _parse(body: Any) -> tuple[str, list[str], bool]:
    """(question, earlier user questions, stream) from a chat-completions body."""
    if not isinstance(body, Mapping):
        raise _BadRequest("请求体应为 JSON 对象，例如 {\"model\": \"shouhou-assistant\", \"messages\": [...]}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _BadRequest("messages 应为非空数组，最后一条是用户的问题，例如 [{\"role\": \"user\", \"content\": \"证书有效期几年？\"}]",
                          "messages")
    turns: list[tuple[str, str]] = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, Mapping) or message.get("role") not in _ROLES:
            raise _BadRequest(f"{where} 应为含 role（user/assistant/system）和 content 的对象", where)
        turns.append((str(message["role"]), _text(message.get("content"), where)))
    if turns[-1][0] != "user":
        raise _BadRequest(f"最后一条消息应为用户的提问（role 为 user），现在是 {turns[-1][0]}", f"messages[{len(turns) - 1}]")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise _BadRequest(f"stream 应为 true 或 false（当前为 {stream!r}）", "stream")
    n = body.get("n", 1)
    if n not in (None, 1):
        raise _BadRequest(f"本服务每次只返回一个回答：n 应为 1（当前为 {n!r}）", "n")
    history = [text for role, text in turns[:-1] if role == "user" and text.strip()]
    return turns[-1][1], history, stream


def _v1_router(ask: Callable[..., Answer], settings: ServerSettings, key: str | None) -> APIRouter:
    router = APIRouter(prefix="/v1")

    def refused(request: Request) -> JSONResponse | None:
        if key is None:
            if settings.public:
                return _error(403, f"本服务对外开放（ASSISTANT_HOST={settings.host}），/v1 接口必须设置 ASSISTANT_API_KEY "
                                   "才能使用：请设置后重启服务，并在请求头中加入 Authorization: Bearer <密钥>。",
                              kind="permission_error", code="api_key_not_configured")
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), key.encode()):
            return _error(401, "API 密钥缺失或不正确：请在请求头中加入 Authorization: Bearer <ASSISTANT_API_KEY 的值>。",
                          code="invalid_api_key")
        return None

    @router.get("/models")
    def models(request: Request) -> Any:
        if (denied := refused(request)) is not None:
            return denied
        return {"object": "list",
                "data": [{"id": MODEL_ID, "object": "model", "created": _CREATED, "owned_by": "shouhou-assistant"}]}

    @router.post("/chat/completions")
    async def chat_completions(request: Request) -> Any:
        if (denied := refused(request)) is not None:
            return denied
        try:
            body = json.loads(await request.body() or b"null")
            question, history, stream = _parse(body)
        except _BadRequest as exc:
            return _error(400, str(exc), param=exc.param)
        except ValueError:
            return _error(400, "请求体不是合法的 JSON")
        try:
            answer = await run_in_threadpool(ask, question, history=history)
        except AssistantError as exc:
            return _error(500, str(exc), kind="server_error")
        except Exception:
            log.exception("chat completion failed")
            return _error(500, UNEXPECTED, kind="server_error")
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        if stream:
            return StreamingResponse(_chunks(completion_id, answer), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        return _completion(completion_id, answer)

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def unknown(rest: str) -> JSONResponse:
        return _error(404, f"没有 /v1/{rest} 这个接口；可用：GET /v1/models、POST /v1/chat/completions",
                      code="unknown_url")

    return router


# ---------------------------------------------------------------------------------------------
# The server


def create_server(assistant: Assistant, *, settings: ServerSettings, key: str | None,
                  logins: list[tuple[str, str]] | None = None, demo: gr.Blocks | None = None) -> FastAPI:
    """The FastAPI app: the /v1 routes, then the Gradio app (from `ui.create_app`) mounted at /.

    Args:
        assistant: the loaded assistant both the UI and the API answer with.
        settings: host, port and login; `settings.public` decides whether /v1 needs a key.
        key: ASSISTANT_API_KEY (None: /v1 is open on loopback and refused on a public host).
        logins: the UI's logins (default `settings.auth`); `launch` adds the maintainer's.
        demo: the Blocks to mount; default `ui.create_app(assistant)`.
    """
    app = FastAPI(title="售后服务认证助手", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodySizeLimit)  # /v1 too; the mounted app has its own (ui.app_options)
    demo = demo or create_app(assistant)
    # Registered before the mount: Starlette tries routes in order and the mount at / takes the rest.
    app.include_router(_v1_router(answer_function(demo), settings, key))
    auth = logins or settings.auth
    return gr.mount_gradio_app(app, demo, path="/", server_name=settings.host, server_port=settings.port,
                               **app_options(demo, auth))


@dataclass
class RunningServer:
    """A server started in the background (tests, benchmarks); `close()` stops it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def close(self) -> None:
        # gradio_client and browsers hold event streams open, which a graceful shutdown waits
        # for; the mounted Gradio app ends them when its stop event is set (as Blocks.close does).
        for route in getattr(self.server.config.app, "routes", []):
            stop = getattr(getattr(route, "app", None), "stop_event", None)
            if stop is not None:
                stop.set()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise LaunchError(f"无法在 {host}:{port} 上启动：{exc.strerror or exc}。端口可能已被占用，"
                              "请换一个 ASSISTANT_PORT，或停止占用该端口的程序。") from exc


def _url(host: str, port: int) -> str:
    bare = host.strip("[]")
    return f"http://[{bare}]:{port}" if ":" in bare else f"http://{bare}:{port}"


def serve_app(app: FastAPI, *, host: str, port: int, background: bool = False) -> RunningServer | None:
    """Run `app` with uvicorn on host:port; in a background thread when `background`.

    Raises:
        LaunchError: the address cannot be bound (port taken, unknown host).
    """
    _check_port(host, port)
    config = uvicorn.Config(app, host=host.strip("[]"), port=port, log_level="warning",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    url = _url(host, port)
    if not background:
        server.run()
        return None
    thread = threading.Thread(target=server.run, name="assistant-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise LaunchError(f"服务未能在 {url} 启动，请查看上面的日志")
        time.sleep(0.02)
    return RunningServer(url, server, thread)


def launch(*, background: bool = False) -> RunningServer | None:
    """`make run`: check the settings, load the assistant (and the LLM if configured), serve.

    Raises:
        LaunchError: unsafe or malformed ASSISTANT_HOST / ASSISTANT_PORT / ASSISTANT_AUTH /
            ASSISTANT_API_KEY, checked before the index is loaded; or the port is taken.
        AssistantError: the index cannot be built or ASSISTANT_LLM_* is unusable.
    """
    settings = server_settings()
    admin = maintainer_login()
    key = api_key()
    session_limits()  # a bad ASSISTANT_SESSION_TTL fails here, before the index loads
    if settings.public and key is None:
        print(f"提示：ASSISTANT_HOST={settings.host} 对外开放而未设置 ASSISTANT_API_KEY，/v1 接口将拒绝所有请求。",
              file=sys.stderr)
    logins = [login for login in (settings.auth, admin) if login is not None]
    app = create_server(Assistant.load(), settings=settings, key=key, logins=logins or None)
    print(f"售后服务认证助手：{_url(settings.host, settings.port)}/（OpenAI 兼容接口：/v1）", file=sys.stderr)
    return serve_app(app, host=settings.host, port=settings.port, background=background)
