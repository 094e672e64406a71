"""Optional LLM answers: any OpenAI-compatible server rewrites the retrieved passages as a fluent
Chinese answer with [n] markers, and `assistant.verify` checks it before anyone sees it.

Configured by ASSISTANT_LLM_BASE_URL (ending in /v1, as OpenAI clients take it),
ASSISTANT_LLM_MODEL, ASSISTANT_LLM_API_KEY (optional) and ASSISTANT_LLM_TIMEOUT (seconds, default
20). Without the first two nothing here is loaded and answers stay extractive.

The plug is narrow: `LLMAnswerer.answer(question, passages, extractive)` takes the passages the
extractive composer used and its answer, and returns an `Answer`. Whatever goes wrong (the server
errors, is too slow, cites nothing, invents figures) the extractive answer comes back with a notice.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Protocol

from .embedders import Embedder
from .errors import AssistantError
from .types import Answer, Citation, Passage
from .verify import Claim, Verification, verify

__all__ = [
    "ChatClient",
    "LLMAnswerer",
    "LLMConfig",
    "LLMConfigError",
    "OpenAIChat",
    "answerer_from_env",
    "llm_config",
    "prompt_messages",
]

log = logging.getLogger("assistant.llm")

DEFAULT_TIMEOUT = 20.0
# Fewer than half of the LLM's sentences verified: what is left would read as a fragment of its
# answer, and the extractive answer is the safer one to show.
MIN_KEPT_SHARE = 0.5
MAX_TOKENS = 800

SYSTEM_PROMPT = """你是“售后服务认证助手”，回答关于商品售后服务评价体系认证（GB/T 27922-2011）的问题。
只能根据用户消息中编号的资料作答，不要使用资料以外的知识。
要求：
1. 用简洁、通顺的中文回答，每句话末尾用 [n] 标出支持这句话的资料编号，例如：证书有效期为3年。[1]
2. 数字、金额、日期、期限、标准编号必须与资料原文完全一致；资料中没有的数字一律不写。
3. 资料之间说法不一致时，两种说法都要写出并分别标注出处。
4. 资料不足以回答时，只写资料中能确认的部分。不要输出“来源”列表。"""


class LLMConfigError(AssistantError):
    """ASSISTANT_LLM_* is set but unusable (the message names the variable)."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None
    timeout: float


def llm_config(env: Mapping[str, str] | None = None) -> LLMConfig | None:
    """The LLM settings, or None when ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL are both unset.

    Raises:
        LLMConfigError: only one of the two is set, the URL is not http(s), or the timeout is not
            a positive number.
    """
    env = os.environ if env is None else env
    base_url = (env.get("ASSISTANT_LLM_BASE_URL") or "").strip()
    model = (env.get("ASSISTANT_LLM_MODEL") or "").strip()
    if not base_url and not model:
        return None
    if not base_url or not model:
        missing = "ASSISTANT_LLM_MODEL" if base_url else "ASSISTANT_LLM_BASE_URL"
        raise LLMConfigError(
            f"大模型配置不完整：缺少 {missing}。请同时设置 ASSISTANT_LLM_BASE_URL（以 /v1 结尾的地址）"
            "和 ASSISTANT_LLM_MODEL（模型名），或两者都不设置以使用资料原文作答。"
        )
    if not base_url.startswith(("http://", "https://")):
        raise LLMConfigError(
            f"ASSISTANT_LLM_BASE_URL 应为 http:// 或 https:// 开头的地址（当前为“{base_url}”），"
            "例如 http://127.0.0.1:8000/v1"
        )
    raw_timeout = (env.get("ASSISTANT_LLM_TIMEOUT") or str(DEFAULT_TIMEOUT)).strip()
    try:
        timeout = float(raw_timeout)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 600:
        raise LLMConfigError(f"ASSISTANT_LLM_TIMEOUT 应为 0–600 之间的秒数（当前为“{raw_timeout}”），例如 20")
    return LLMConfig(base_url.rstrip("/"), model, (env.get("ASSISTANT_LLM_API_KEY") or "").strip() or None, timeout)


class ChatClient(Protocol):
    """Sends chat messages to a model and returns the reply's text (raises on any failure)."""

    def complete(self, messages: list[dict[str, str]], *, timeout: float) -> str: ...


class OpenAIChat:
    """The official `openai` client against any OpenAI-compatible server.

    Imported only when an LLM is configured: `openai` costs about 0.6 s to import, and
    llama-index's OpenAILike pulls in transformers, which costs seconds.
    """

    def __init__(self, config: LLMConfig) -> None:
        from openai import OpenAI

        self.model = config.model
        # No retries: the time budget is the caller's, and a retry after a 500 would spend it.
        self._client = OpenAI(base_url=config.base_url, api_key=config.api_key or "not-needed",
                              timeout=config.timeout, max_retries=0)

    def complete(self, messages: list[dict[str, str]], *, timeout: float) -> str:
        response = self._client.chat.completions.create(
            model=self.model, messages=messages, temperature=0.1, max_tokens=MAX_TOKENS,  # type: ignore[arg-type]
            timeout=timeout,
        )
        if not response.choices:
            raise ValueError("the reply has no choices")
        return response.choices[0].message.content or ""


def prompt_messages(question: str, passages: list[Passage]) -> list[dict[str, str]]:
    """The chat messages for `question`: the rules, then the numbered passages and the question."""
    blocks = [f"[{n}] {p.title} › {p.section}\n{p.text.strip()}" for n, p in enumerate(passages, 1)]
    user = "资料：\n\n" + "\n\n".join(blocks) + f"\n\n问题：{question.strip()}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


class LLMAnswerer:
    """Asks the LLM, verifies its answer, and falls back to the extractive answer when it fails.

    `stats` counts, over the answerer's life: `asked`, `verified` (LLM answers shown), `fallback_*`
    per reason, `sentences` and `dropped` (the verifier's drop rate is dropped / sentences).
    """

    def __init__(self, client: ChatClient, embedder: Embedder, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.client = client
        self.embedder = embedder
        self.timeout = timeout
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        # One worker per concurrent caller would be ideal; a small pool bounds the threads a slow
        # server can pin (a call past its deadline keeps its thread until the HTTP timeout).
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="llm")

    def answer(self, question: str, passages: list[Passage], extractive: Answer) -> Answer:
        """The verified LLM answer, or `extractive` with a notice saying why it is shown instead."""
        if extractive.abstained or extractive.intent != "qa" or not passages:
            return extractive
        self._count("asked")
        future = self._pool.submit(self.client.complete, prompt_messages(question, passages), timeout=self.timeout)
        try:
            text = future.result(timeout=self.timeout)
        except Exception as exc:
            if _is_timeout(exc):
                # Our wait ran out, or the client's own deadline (the same seconds) fired first on a
                # busy machine: the same event for the user, so the same message and count.
                future.cancel()
                return self._fallback(extractive, "timeout", f"大模型未在 {self.timeout:g} 秒内答复")
            log.warning("LLM call failed: %s: %s", type(exc).__name__, exc)
            return self._fallback(extractive, "error", f"大模型服务出错（{_describe(exc)}）")
        checked = verify(text, passages, self.embedder)
        self._count("sentences", len(checked.claims))
        self._count("dropped", len(checked.dropped))
        for claim in checked.dropped:
            log.info("dropped LLM sentence %r: %s", claim.text, claim.reason)
        kept = checked.kept
        if not kept or len(kept) < MIN_KEPT_SHARE * len(checked.claims):
            return self._fallback(
                extractive, "unverified",
                f"大模型的回答未通过资料核对（{len(checked.claims)} 句中 {len(kept)} 句能在所引资料中找到依据）",
            )
        self._count("verified")
        return _render(checked, passages, extractive)

    def _count(self, key: str, n: int = 1) -> None:
        with self._stats_lock:
            self.stats[key] += n

    def _fallback(self, extractive: Answer, reason: str, why: str) -> Answer:
        self._count(f"fallback_{reason}")
        notice = f"{why}，以下是从资料中直接摘录的回答。"
        return replace(extractive, notice=_join(extractive.notice, notice))


def _describe(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def _join(*notices: str | None) -> str | None:
    return "".join(n for n in notices if n) or None


def _render(checked: Verification, passages: list[Passage], extractive: Answer) -> Answer:
    """Kept sentences on their original lines, [n] renumbered to the passages still cited."""
    numbers: dict[int, int] = {}
    for claim in checked.kept:
        for n in claim.cites:
            numbers.setdefault(n, len(numbers) + 1)
    lines: dict[int, list[Claim]] = {}
    for claim in checked.kept:
        lines.setdefault(claim.line, []).append(claim)
    text_lines = []
    for claims in lines.values():
        body = "".join(_with_markers(c, numbers) for c in claims)
        text_lines.append(f"- {body}" if claims[0].bullet else body)
    citations = [Citation.from_passage(new, passages[old - 1]) for old, new in numbers.items()]
    dropped = len(checked.dropped)
    notice = f"已删去 {dropped} 句无法在所引资料中核实的内容。" if dropped else None
    return Answer("\n".join(text_lines), citations, abstained=False, intent="qa",
                  notice=_join(extractive.notice, notice))


def _with_markers(claim: Claim, numbers: dict[int, int]) -> str:
    # After the closing punctuation, as the extractive answers write it: "有效期为3年。[1]".
    return claim.text + "".join(f"[{numbers[n]}]" for n in claim.cites)


def answerer_from_env(embedder: Embedder, env: Mapping[str, str] | None = None) -> LLMAnswerer | None:
    """An `LLMAnswerer` for the configured server, or None when no LLM is configured.

    Raises:
        LLMConfigError: the variables are set but unusable.
    """
    config = llm_config(env)
    if config is None:
        return None
    return LLMAnswerer(OpenAIChat(config), embedder, timeout=config.timeout)


def _is_timeout(exc: BaseException) -> bool:
    """A timeout raised by the HTTP client (openai's APITimeoutError, httpx's ReadTimeout …) or by
    Python (a future's wait); matched by name so that this module need not import the client."""
    return isinstance(exc, (TimeoutError, FutureTimeout)) or any("Timeout" in cls.__name__ for cls in type(exc).__mro__)
