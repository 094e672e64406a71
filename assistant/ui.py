"""The Gradio app: cited chat, fee quotes, star self-assessment and the knowledge base.

A thin shell over `Assistant` and the calculators: every number and sentence comes from them; this
module only lays them out, keeps one dialogue `Session` per browser session, and turns errors into
short Chinese messages. `create_app()` builds the Blocks without serving them; `serve()` starts a
server with the app's theme, CSS and queue (`assistant.api.launch()`, what `make run` starts, mounts
it beside the /v1 API instead).

Named API endpoints for `gradio_client`: `/chat` (message, history -> answer dict), `/quote`
(headcount -> quote dict), `/score` (total -> rating dict), `/feedback` (answer id, verdict,
comment -> stored verdict). The 运营 tab, uploads and feedback live in assistant/ui_ops.py.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from . import dialogue, ui_ops
from . import ui_render as render
from .access import Access
from .access import is_loopback as _is_loopback
from .calculators import fees, scoring
from .core import MAX_QUESTION_CHARS, Assistant
from .data import indicator_table
from .errors import AssistantError, InputError
from .feedback import FeedbackStore
from .render import html as result_html
from .render.jsondata import quote_data, rating_data
from .render.rows import thresholds_phrase
from .serving import SessionLimits, app_kwargs, session_limits
from .text_input import history_questions, question_text
from .types import Answer
from .ui_quotes import quote_tab

__all__ = [
    "EXAMPLES",
    "LaunchError",
    "ServerSettings",
    "answer_function",
    "app_options",
    "create_app",
    "serve",
    "server_settings",
]

log = logging.getLogger("assistant.ui")

EXAMPLES = (
    "办售后服务认证要准备哪些资料？",
    "1200人的企业认证费用是多少？",
    "申请售后服务认证需要什么条件？",
    "认证证书有效期多久？",
    "92分能评几星？",
    "售后服务认证和ISO 9001有什么区别？",
)
UNEXPECTED = "抱歉，系统出了点问题，请稍后重试。如果问题持续，请联系管理员。"
# Several browser sessions may stream at once; the retrieval itself is serialised by a lock (see
# `Assistant`), so this limit is about keeping streams and quotes flowing, not about CPU.
CONCURRENCY = 4
# The extractive answer is ready at once; it is revealed in a few steps so a long answer reads as
# it arrives instead of appearing as a block. Kept short: it adds about 0.1 s per answer.
_STREAM_STEPS = 6
_STREAM_DELAY = 0.02
_SEARCH_K = 8


# ---------------------------------------------------------------------------------------------
# Server settings.


class LaunchError(AssistantError):
    """The server settings are unsafe or malformed (the message says which variable to set)."""


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    auth: tuple[str, str] | None

    @property
    def public(self) -> bool:
        """The host is reachable from other machines (not a loopback address)."""
        return not _is_loopback(self.host)


def server_settings(env: Mapping[str, str] | None = None) -> ServerSettings:
    """Host, port and login from ASSISTANT_HOST / ASSISTANT_PORT / ASSISTANT_AUTH.

    Args:
        env: the environment to read; default `os.environ`.

    Returns:
        The settings; `auth` is set whenever ASSISTANT_AUTH is.

    Raises:
        LaunchError: the port is not a number in 1–65535, ASSISTANT_AUTH is not `user:pass`, or
            the host is not a loopback address and no login is configured.
    """
    env = os.environ if env is None else env
    host = (env.get("ASSISTANT_HOST") or "127.0.0.1").strip()
    raw_port = (env.get("ASSISTANT_PORT") or "7860").strip()
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise LaunchError(f"ASSISTANT_PORT 应为 1–65535 之间的端口号（当前为“{raw_port}”）")
    raw_auth = env.get("ASSISTANT_AUTH") or ""
    auth: tuple[str, str] | None = None
    if raw_auth:
        user, sep, password = raw_auth.partition(":")
        if not sep or not user.strip() or not password:
            raise LaunchError("ASSISTANT_AUTH 格式应为“用户名:密码”，例如 ASSISTANT_AUTH=sales:请换成强密码")
        auth = (user.strip(), password)
    if auth is None and not _is_loopback(host):
        raise LaunchError(
            f"拒绝启动：ASSISTANT_HOST={host} 会让局域网或公网上的其他人访问本助手，必须设置登录账号。"
            "请设置 ASSISTANT_AUTH=用户名:密码 后重试，或去掉 ASSISTANT_HOST 只在本机（127.0.0.1）使用。"
        )
    return ServerSettings(host, int(raw_port), auth)


# ---------------------------------------------------------------------------------------------
# Calls into the library, with the error policy in one place.


class _Backend:
    """The assistant plus what the handlers share: a lock for reloads, a folder for generated
    quotes and the feedback store."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        # Guards swapping in a reloaded assistant; questions are not serialised here (see ask).
        self.lock = threading.Lock()
        self.files = Path(tempfile.mkdtemp(prefix="shouhou-ui-"))
        atexit.register(shutil.rmtree, self.files, ignore_errors=True)
        self.feedback = FeedbackStore()

    def ask(self, question: str, *, session: dialogue.Session | None = None, history: list[str] | None = None) -> Answer:
        # The Assistant serialises retrieval itself; an LLM answer (seconds) must not hold others up.
        answer = self.assistant.ask(question, session=session, history=history)
        self.feedback.remember(question, answer)
        return answer

    def reload(self) -> None:
        """Answer from the live index again (after this app added or removed documents)."""
        if self.assistant.live is not None:
            self.assistant.live.refresh()  # switches now rather than on the next question
            return
        fresh = Assistant.load(variant=self.assistant.variant_name, build=False)
        with self.lock:
            self.assistant = fresh

    def search(self, query: str) -> list[Any]:
        return self.assistant.search(query, k=_SEARCH_K)


def _message(exc: BaseException) -> str:
    """What the user reads: our own errors as they are, anything else as a short apology (logged)."""
    if isinstance(exc, AssistantError):
        return str(exc)
    log.error("unexpected error in UI handler", exc_info=exc)
    return UNEXPECTED


def _guard(on_error: Callable[[str], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a handler; on any exception return `on_error(message)` instead of a traceback."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:
                return on_error(_message(exc))

        return inner

    return wrap


def _api_guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """API endpoints report errors as `gr.Error`, which gradio_client raises with the message."""

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:
            raise gr.Error(_message(exc), print_exception=False) from None

    return inner


def _const(value: Any) -> Callable[[], Any]:
    """A no-input handler returning `value` (one per example button)."""
    return lambda: value


def _stream(answer: Answer) -> Iterator[str]:
    """The answer's HTML in a few growing steps, ending with the complete answer and its sources."""
    size = len(answer.answer)
    step = max(12, -(-size // _STREAM_STEPS))
    for shown in range(step, size, step):
        yield render.answer_html(answer, shown=shown)
    yield render.answer_html(answer)


# ---------------------------------------------------------------------------------------------
# The app.


def _chat_tab(backend: _Backend) -> None:
    # Gradio drops the dialogue state this long after its last update (the sweep in serving.py
    # drops the whole idle session at the same age).
    session = gr.State(None, time_to_live=session_limits().ttl)
    chatbot = gr.Chatbot(
        label="对话",
        show_label=False,
        elem_id="chatbot",
        # Tall enough to read a cited answer without scrolling the box on a laptop or a phone.
        height="68vh",
        min_height=360,
        placeholder="您好，我是售后服务认证助手。可以问我申请条件、材料、流程、费用、评分与星级等问题，每个回答都附有出处。",
        # All text is escaped before it gets here (see ui_render); the sanitizer is a second layer.
        sanitize_html=True,
        allow_tags=False,
        latex_delimiters=[],
        feedback_options=("Like", "Dislike"),
        group_consecutive_messages=False,
        buttons=[],
    )
    with gr.Row(equal_height=True):
        message = gr.Textbox(
            show_label=False,
            placeholder="输入问题，例如：1200人的企业认证要花多少钱？",
            elem_id="chat-input",
            scale=5,
            min_width=180,
            max_lines=6,
            max_length=MAX_QUESTION_CHARS,
            autofocus=False,
        )
        send = gr.Button("发送", variant="primary", elem_id="chat-send", scale=1, min_width=70)
    with gr.Row(elem_classes="sa-examples"):
        example_buttons = [gr.Button(q, size="sm", min_width=0, elem_classes="sa-example") for q in EXAMPLES]
    new_chat = gr.Button("新对话", size="sm", elem_id="chat-new", variant="secondary")

    def respond(text: str, history: list[Any], state: Any) -> Iterator[tuple[list[Any], str, Any]]:
        # One Session per browser session: gr.State keeps it between turns, "新对话" drops it.
        state = state if isinstance(state, dialogue.Session) else dialogue.Session()
        history = list(history or [])
        try:
            question = question_text(text or "", allow_empty=True)
        except InputError as exc:  # refused before any work: nothing reaches the dialogue
            question = ""
            history.append({"role": "assistant", "content": render.answer_html(
                Answer(str(exc), abstained=True, intent="invalid"))})
        if not question:
            yield history, "", state
            return
        history.append({"role": "user", "content": render.user_html(question)})
        history.append({"role": "assistant", "content": render.pending_html()})
        # Each step yields its own list: a consumer holding an earlier step must not see it change.
        yield list(history), "", state
        try:
            answer = backend.ask(question, session=state)
        except Exception as exc:
            answer = Answer(_message(exc), abstained=True, intent="error")
        for i, html in enumerate(_stream(answer)):
            if i:
                time.sleep(_STREAM_DELAY)
            history[-1] = {"role": "assistant", "content": html}
            yield list(history), "", state

    chat_io: dict[str, Any] = {
        "fn": respond,
        "inputs": [message, chatbot, session],
        "outputs": [chatbot, message, session],
        "api_visibility": "private",
        "show_progress": "hidden",
    }
    send.click(**chat_io)
    message.submit(**chat_io)
    for button, question in zip(example_buttons, EXAMPLES, strict=True):
        button.click(_const(question), outputs=message, api_visibility="private", queue=False).then(**chat_io)
    new_chat.click(
        lambda: ([], "", None), outputs=[chatbot, message, session], api_visibility="private", queue=False
    )
    # The chatbot's own clear (bin) icon empties the messages; the dialogue state must go with them.
    chatbot.clear(lambda: None, outputs=session, api_visibility="private", queue=False)
    ui_ops.attach_feedback(chatbot, backend.feedback)


def _score_tab() -> None:
    table = indicator_table()
    choices = [*table.self_assessment.answers, table.self_assessment.not_applicable]
    kinds = scoring.enterprise_kinds()
    sets = table.kinds()
    gr.Markdown(f"星级对照：{thresholds_phrase()}。结果是**估算**，正式等级以认证机构评审为准。")
    mode = gr.Radio(["按总分评定", "按指标清单自评"], value="按总分评定", label="评定方式", elem_id="score-mode")
    with gr.Column(visible=True) as total_box:
        with gr.Row():
            with gr.Column(min_width=200):
                total = gr.Textbox(label="总分（0–100）", placeholder="例如 92", elem_id="score-total")
                total_error = gr.HTML(elem_id="score-total-error")
            deductions = gr.Number(
                label="特别扣分项数（可选）", value=None, minimum=0, precision=0, elem_id="score-deductions", min_width=200
            )
        rate_button = gr.Button("评定星级", variant="primary", elem_id="score-rate")
    with gr.Column(visible=False) as checklist_box:
        kind = gr.Radio(
            [(name, key) for key, name in kinds.items()],
            value=next(iter(kinds)),
            label="企业类型",
            elem_id="score-kind",
        )
        # Start from "all 符合" and mark the gaps: quicker than 27 clicks for a company close to the bar.
        with gr.Row():
            fill_all = gr.Button("全部设为“符合”", size="sm", elem_id="score-fill", min_width=120)
            clear_all = gr.Button("清空", size="sm", elem_id="score-clear", min_width=120)
        radios: list[tuple[str, str, Any]] = []
        boxes = {}
        for key, name in kinds.items():
            categories = sets[key].categories
            count = sum(len(c.indicators) for c in categories)
            with gr.Column(visible=key == kind.value, elem_id=f"checklist-{key}") as box:
                gr.Markdown(f"**{name}企业**：{len(categories)}个单项、{count}项指标。逐项选择符合程度，不适用的选“不适用”。")
                # Categories side by side on a wide screen; the row wraps to one column on a phone.
                with gr.Row(equal_height=False):
                    for category in categories:
                        with gr.Column(min_width=300), gr.Group():
                            gr.Markdown(f"#### {category.name}", padding=True)
                            for indicator in category.indicators:
                                radio = gr.Radio(
                                    choices, label=str(indicator), value=None, elem_classes="sa-indicator"
                                )
                                radios.append((key, str(indicator), radio))
            boxes[key] = box
        assess_button = gr.Button("计算自评结果", variant="primary", elem_id="score-assess")
        check_error = gr.HTML(elem_id="score-check-error")
    result = gr.HTML(elem_id="score-result")

    mode.change(
        lambda m: (gr.Column(visible=m == "按总分评定"), gr.Column(visible=m != "按总分评定"), ""),
        inputs=mode,
        outputs=[total_box, checklist_box, result],
        api_visibility="private",
        queue=False,
    )
    kind.change(
        lambda k: [gr.Column(visible=key == k) for key in boxes],
        inputs=kind,
        outputs=list(boxes.values()),
        api_visibility="private",
        queue=False,
    )

    @_guard(lambda msg: (render.error_html(msg), ""))
    def rate_total(value: str, special: float | None) -> tuple[str, str]:
        value = (value or "").strip()
        if not value:
            return render.error_html("请填写总分（0–100 之间的数字，例如 92）"), ""
        try:
            rating = scoring.rate_score(value, special_deductions=special)
        except InputError as exc:
            return render.error_html(str(exc)), ""
        return "", result_html.rating_html(rating)

    rate_button.click(
        rate_total, inputs=[total, deductions], outputs=[total_error, result], api_visibility="private"
    )
    total.submit(rate_total, inputs=[total, deductions], outputs=[total_error, result], api_visibility="private")

    @_guard(lambda msg: (render.error_html(msg), ""))
    def assess(chosen_kind: str, *answers: str | None) -> tuple[str, str]:
        picked = {
            indicator: answer
            for (key, indicator, _), answer in zip(radios, answers, strict=True)
            if key == chosen_kind and answer
        }
        try:
            assessment = scoring.self_assess(chosen_kind, picked)
        except InputError as exc:
            return render.error_html(str(exc)), ""
        rating = scoring.rate_score(round(assessment.score, 2))
        return "", result_html.assessment_html(assessment, rating)

    radio_components = [r for _, _, r in radios]
    assess_button.click(
        assess,
        inputs=[kind, *radio_components],
        outputs=[check_error, result],
        api_visibility="private",
        scroll_to_output=True,
    )
    fill_all.click(
        lambda k: [choices[0] if key == k else gr.skip() for key, _, _ in radios],
        inputs=kind,
        outputs=radio_components,
        api_visibility="private",
        queue=False,
    )
    clear_all.click(
        lambda: [None] * len(radio_components), outputs=radio_components, api_visibility="private", queue=False
    )


def _doc_choices(backend: _Backend) -> list[tuple[str, str]]:
    return [(f"{doc.title}（{doc.id}）", doc.id) for doc in backend.assistant.documents()]


def _knowledge_tab(backend: _Backend, demo: gr.Blocks, access: Access) -> None:
    status = gr.HTML(elem_id="kb-status")
    gr.Markdown("#### 检索资料库")
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            show_label=False, placeholder="输入关键词，例如：监督评审 人日", elem_id="kb-query", scale=5, min_width=180
        )
        go = gr.Button("检索", variant="primary", elem_id="kb-search", scale=1, min_width=70)
    hits = gr.HTML(elem_id="kb-results")
    gr.Markdown("#### 阅读全文")
    picker = gr.Dropdown(_doc_choices(backend), value=None, label="选择文档", elem_id="kb-doc")
    viewer = gr.Markdown(elem_id="kb-viewer", elem_classes="sa-doc", sanitize_html=True, latex_delimiters=[])

    @_guard(render.error_html)
    def search(text: str) -> str:
        text = text or ""
        return render.passages_html(text, backend.search(text) if text.strip() else [])

    @_guard(render.error_html)
    def show(doc_id: str | None) -> str:
        if not doc_id:
            return ""
        doc = next((d for d in backend.assistant.documents() if d.id == doc_id), None)
        if doc is None:
            return render.esc(f"找不到文档 {doc_id}，它可能已被移除；请刷新页面。")
        return render.document_markdown(doc.title, doc.kind, doc.confidence, doc.sources, doc.body)

    def refresh() -> tuple[str, Any]:
        # Read at every page load, so a rebuilt index or a document added with
        # `assistant index add` shows without restarting the app.
        try:
            return render.status_html(backend.assistant.status()), gr.Dropdown(choices=_doc_choices(backend))
        except Exception as exc:
            return render.error_html(_message(exc)), gr.skip()

    go.click(search, inputs=query, outputs=hits, api_visibility="private")
    query.submit(search, inputs=query, outputs=hits, api_visibility="private")
    picker.change(show, inputs=picker, outputs=viewer, api_visibility="private")
    demo.load(refresh, outputs=[status, picker], api_visibility="private")
    ui_ops.upload_section(backend.reload, access, demo=demo, then=(refresh, [status, picker]))


def _api(backend: _Backend) -> None:
    @_api_guard
    def chat(message: str, history: list | None = None) -> dict:
        """Answer one question with citations.

        Args:
            message: the question.
            history: earlier questions of the conversation, oldest first (strings, or chat
                messages {"role", "content"} of which the user turns are used).

        Returns:
            {"answer", "citations": [{n, doc_id, title, section, text, source}], "abstained",
            "intent", "latency_ms", ...}
        """
        question = question_text("" if message is None else message, allow_empty=True)
        return backend.ask(question, history=history_questions(history)).to_dict()

    @_api_guard
    def quote(headcount: int | str, company: str = "", rate: float | str | None = None) -> dict:
        """Fee quote for a headcount: band, person-days, items, first-year and 3-year totals.

        Args:
            headcount: number of employees (1–the table's last band).
            company: customer name for the quote (optional).
            rate: 评审费 per person-day in 元, replacing the table's rate (optional).
        """
        text = headcount.strip() if isinstance(headcount, str) else headcount
        if text in ("", None):
            raise InputError("请填写员工人数（正整数，例如 1200）")
        rate_value = rate.strip() if isinstance(rate, str) else rate
        return quote_data(fees.quote_fee(text, rate=rate_value or None, company=company or None))

    @_api_guard
    def score(total: float | str, special_deductions: int | None = None) -> dict:
        """Star level for a total score (0–100), with the gap to the next level and caveats.

        Args:
            total: the total score.
            special_deductions: number of 特别扣分项, if known (optional).
        """
        return rating_data(scoring.rate_score(total, special_deductions=special_deductions))

    gr.api(chat, api_name="chat", concurrency_limit=CONCURRENCY)
    gr.api(quote, api_name="quote")
    gr.api(score, api_name="score")
    ui_ops.register_feedback_api(backend.feedback, _api_guard)


def create_app(assistant: Assistant | None = None, *, access: Access | None = None) -> gr.Blocks:
    """Build the app (five tabs and the /chat, /quote, /score, /feedback endpoints) without serving it.

    Args:
        assistant: a loaded `Assistant`; default `Assistant.load()`, which builds the index
            under $ASSISTANT_HOME first when it is missing.
        access: who may maintain (运营 tab, uploads); default from the environment
            (`Access.from_env`, assistant/access.py).

    Returns:
        The Blocks; serve them with `serve()` (theme, CSS, queue) or mount them (`assistant.api`).

    Raises:
        AssistantError: the index cannot be built or loaded.
    """
    access = access or Access.from_env()
    backend = _Backend(assistant or Assistant.load())
    with gr.Blocks(title="售后服务认证助手", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.HTML(
            '<div class="sa-header"><h1>售后服务认证助手</h1>'
            "<p>商品售后服务评价体系认证（GB/T 27922-2011）：有出处的问答、费用报价、星级自评</p></div>",
            elem_id="header",
        )
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("智能问答", id="chat", elem_id="tab-chat"):
                _chat_tab(backend)
            with gr.Tab("快速报价", id="quote", elem_id="tab-quote"):
                quote_tab(backend.files, _guard)
            with gr.Tab("星级自评", id="score", elem_id="tab-score"):
                _score_tab()
            with gr.Tab("知识库", id="kb", elem_id="tab-kb"):
                _knowledge_tab(backend, demo, access)
            with gr.Tab("运营", id="ops", elem_id="tab-ops", visible=False) as ops:
                ui_ops.ops_tab(backend.feedback, access, demo=demo, tab=ops)
        _api(backend)
    # assistant.api answers /v1 through the same backend, so it follows the UI's index reloads.
    demo.shouhou_ask = backend.ask
    return demo


def answer_function(demo: gr.Blocks) -> Callable[..., Answer]:
    """How the app built by `create_app` answers: `fn(question, history=[...]) -> Answer`."""
    ask: Callable[..., Answer] = demo.shouhou_ask  # type: ignore[attr-defined]
    return ask


def _theme() -> gr.themes.Base:
    # Chinese system fonts first: the theme's default Latin web font has no CJK glyphs.
    fonts = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "system-ui", "sans-serif"]
    return gr.themes.Soft(primary_hue="blue", font=fonts)


def serve(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int | None = 7860,
    auth: tuple[str, str] | list[tuple[str, str]] | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
    limits: SessionLimits | None = None,
) -> Any:
    """Serve `demo` with the app's theme, CSS and queue (the one place that calls `demo.launch`).

    Args:
        demo: the Blocks from `create_app()`.
        host: address to bind; callers outside tests go through `launch()`, which checks it.
        port: port to bind (None lets gradio pick from 7860 up).
        auth: (user, password), or a list of them, required to open the app and call its API.
        prevent_thread_lock: return at once with the server running in the background (tests).
        quiet: no startup banner.
        limits: session expiry (default from ASSISTANT_SESSION_TTL / ASSISTANT_MAX_SESSIONS).

    Returns:
        What `Blocks.launch` returns: (app, local_url, share_url).
    """
    limits = limits or session_limits()
    return demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        **app_options(demo, auth, limits=limits),
        state_session_capacity=limits.max_sessions + limits.max_api_sessions,
    )


def app_options(demo: gr.Blocks, auth: tuple[str, str] | list[tuple[str, str]] | None, *,
                limits: SessionLimits | None = None) -> dict[str, Any]:
    """Queue `demo`'s events and return the options `serve()` and the mounted server
    (assistant.api, through `gr.mount_gradio_app`) both pass: login, theme, CSS, no SSR or MCP,
    the request-size limit and session expiry (assistant/serving.py; `limits` default from the
    environment)."""
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=64)
    limits = limits or session_limits()
    # Gradio's own least-recently-used cap backs up the sweep (`launch` sets it from its argument,
    # `mount_gradio_app` takes it from the Blocks).
    demo.state_session_capacity = limits.max_sessions + limits.max_api_sessions
    return {
        "app_kwargs": app_kwargs(limits),
        "auth": auth,
        "auth_message": "请输入管理员分配的用户名和密码。" if auth else None,
        "show_error": False,
        "ssr_mode": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "footer_links": ["api"],
        "theme": _theme(),
        "css": render.CSS,
    }

