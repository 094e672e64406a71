"""The `Assistant`: one object behind the CLI, the UI and the evaluation."""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answer_config import AnswerConfig
from .config import embed_spec
from .corpus import Document, load_corpus
from .errors import AssistantError, IndexDamagedError
from .textproc import read_query
from .types import Answer, Passage

if TYPE_CHECKING:
    from .live import LiveIndex

__all__ = ["VARIANTS", "Assistant", "Variant"]

MAX_QUESTION_CHARS = 2000
# Batch and API history is replayed question by question to rebuild a follow-up's context, so its
# cost grows with its length: only the latest turns are replayed (a follow-up needs the last few).
MAX_HISTORY_TURNS = 50
TOP_K = 5


@dataclass(frozen=True)
class Variant:
    """A retrieval configuration; `full` is the product, the others are baselines for comparison.

    `config` carries every weight and threshold of scope and composition (assistant/answer_config.py).
    """

    mode: str
    synonyms: bool
    calculators: bool
    config: AnswerConfig = field(default_factory=AnswerConfig)

    @property
    def scope_guard(self) -> bool:
        return self.config.scope_guard


# The baselines answer by sentence selection over chunks, with only the bare scope floor.
_BASELINE = AnswerConfig(units=False, scope_guard=False)
VARIANTS = {
    "bm25": Variant("bm25", synonyms=False, calculators=False, config=_BASELINE),
    "dense": Variant("dense", synonyms=False, calculators=False, config=_BASELINE),
    "hybrid": Variant("hybrid", synonyms=False, calculators=False, config=_BASELINE),
    "full": Variant("hybrid", synonyms=True, calculators=True),
}


# Where one clause of a question ends and another may begin, or two things are asked of together
# ("A和B分别…"; see question.split_parts).
_CLAUSE_MARK = re.compile(r"[，,？?。；;！!]|分别|各自|各")


class Assistant:
    """Answers questions with citations; routes fee and score questions to the calculators."""

    def __init__(self, retriever: Any, *, variant: str = "full", live: LiveIndex | None = None,
                 llm: Any = None) -> None:
        self._retriever = retriever
        # Set by `load()`: follows the live build, so a running app sees a newer index.
        self.live = live
        self.variant_name = variant
        self.variant = VARIANTS[variant]
        # bm25s, Chroma and the embedder are not documented as thread-safe; a query takes tens of
        # milliseconds, so retrieval is serialised, while an LLM call (seconds) runs outside the lock.
        self._lock = threading.Lock()
        # An llm.LLMAnswerer when ASSISTANT_LLM_* is set; None keeps every answer extractive.
        self.llm = llm

    @classmethod
    def load(cls, *, variant: str = "full", spec: str | None = None, build: bool = True,
             llm: bool = True) -> Assistant:
        """Load the index (building or repairing it first when needed) and the embedder, and the
        LLM answerer when ASSISTANT_LLM_* is set and `llm` is true.

        Raises:
            AssistantError: the variant is unknown, the index cannot be built, or ASSISTANT_LLM_*
                is set but unusable.
        """
        from index.build import ensure_index
        from index.store import current_build

        from .embedders import get_embedder
        from .retrieval import HybridRetriever

        if variant not in VARIANTS:
            raise AssistantError(f"未知的检索方案 {variant!r}，可用：{'、'.join(VARIANTS)}")
        from .live import LiveIndex, load_checked

        spec = spec or embed_spec()
        # The vector store is checked once it is open (load_checked), not before: opening it twice
        # cost a cold `ask` about 0.1 s.
        build_dir = ensure_index(spec, check_chroma=False) if build else current_build()
        if build_dir is None:
            raise AssistantError("尚无索引，请先运行 assistant index build")
        v = VARIANTS[variant]

        def open_build(folder: Path) -> HybridRetriever:
            return HybridRetriever(folder, get_embedder(spec), mode=v.mode, synonyms=v.synonyms)

        try:
            retriever = load_checked(build_dir, open_build) if build else open_build(build_dir)
        except Exception as exc:
            if not build:
                raise
            from index.build import build_index

            # A store that fails its check is rebuilt trusting only what passes the check; one that
            # passed but does not open is rebuilt from nothing it could touch.
            sys.stderr.write(f"[索引] {exc}，正在重建索引…\n")
            build_index(spec=spec, trust_live=isinstance(exc, IndexDamagedError))
            build_dir = current_build()
            if build_dir is None:
                raise AssistantError("索引重建失败") from exc
            retriever = open_build(build_dir)
        from .llm import answerer_from_env

        live = LiveIndex(build_dir, retriever, lambda folder: load_checked(folder, open_build))
        return cls(retriever, variant=variant, live=live, llm=answerer_from_env(retriever.embedder) if llm else None)

    @property
    def retriever(self) -> Any:
        """The retriever answering now (the live build's, when loaded with `load()`)."""
        return self.live.retriever if self.live is not None else self._retriever

    @contextmanager
    def _using(self) -> Iterator[Any]:
        if self.live is None:
            yield self._retriever
        else:
            with self.live.use() as retriever:
                yield retriever

    # -----------------------------------------------------------------------------------------
    def ask(self, question: str, *, history: list[str] | None = None, session: Any = None) -> Answer:
        """Answer one question.

        Args:
            question: the user's text (any length; over 2,000 characters is truncated with a notice).
            history: earlier questions of the same conversation, oldest first (batch mode).
            session: a `dialogue.Session` kept by a chat UI; takes precedence over `history`.

        Returns:
            The answer; never raises for bad input (empty input gives intent `invalid`).
        """
        started = time.perf_counter()
        answer = self._answer(question, history=history, session=session)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _answer(self, question: str, *, history: list[str] | None, session: Any) -> Answer:
        from . import dialogue

        text = (question or "").strip()
        if not text:
            return Answer("请输入您的问题，例如：“办售后服务认证要准备哪些资料？”", abstained=True, intent="invalid")
        notice = None
        if len(text) > MAX_QUESTION_CHARS:
            text = text[:MAX_QUESTION_CHARS]
            notice = f"问题超过{MAX_QUESTION_CHARS}字，已只取前{MAX_QUESTION_CHARS}字作答。"
        # Traditional characters and homophone typos are read as the simplified domain words;
        # a corrected typo is said, so a wrong guess is visible.
        text, fixes = read_query(text)
        if fixes:
            said = "，".join(f"“{f.original}”按“{f.corrected}”" for f in fixes)
            notice = " ".join(filter(None, [notice, f"已将{said}理解。"]))
        if session is None and self.variant.calculators:
            # Batch history holds only the earlier questions: answering them again rebuilds what
            # a follow-up may refer to (the fee headcount, the last topic, the last list).
            session = dialogue.Session()
            for earlier in (history or [])[-MAX_HISTORY_TURNS:]:
                self._answer(earlier, history=None, session=session)
        if session is not None:
            route = dialogue.route(text, session)
            if route.intent in {"fee", "score"}:
                answer = dialogue.answer_calculation(route, question=text)
                answer = self._with_other_parts(text, answer, session)
                answer.notice = notice
                return answer
        answer = self._retrieve_and_compose(text, session)
        answer.notice = " ".join(filter(None, [notice, answer.notice])) or None  # keep the LLM's notice
        return answer

    def _with_other_parts(self, text: str, calculated: Answer, session: Any) -> Answer:
        """A calculation asked together with a question for the corpus ("我们300人，申请需要满足什么
        条件？费用多少？") answers both: the other parts are retrieved and composed on their own, in the
        conversation (so "第三条呢" then points into the list they answered)."""
        # A question of one clause has no other part: the question parser is not even imported.
        if calculated.intent not in {"fee", "score"} or self.retriever is None or not _CLAUSE_MARK.search(text):
            return calculated
        from .mixed import join_parts, other_parts
        from .question import split_parts

        parts = split_parts(text)
        others = other_parts(parts)
        if not others:
            return calculated
        answered = self._retrieve_and_compose("".join(others), session)
        if answered.intent != "qa":
            return calculated
        return join_parts(parts, calculated, answered, others)

    def _retrieve_and_compose(self, text: str, session: Any = None) -> Answer:
        from .answering import answer_turn, has_own_topic
        from .followup import AnswerMemory, add_item_note, in_topic, item_answer, item_note, remember, resolve

        # A switch to a newer build (in `_using`) loads outside the lock: others answer meanwhile.
        with self._using() as retriever, self._lock:
            q = retriever.parse(text)
            memory = None
            resolved, kept, noted = None, None, None
            if session is not None and not q.chat:
                memory = session.answers = session.answers or AnswerMemory()
                resolution = resolve(q, memory, has_topic=has_own_topic(q))
                if resolution.how == "ordinal" and resolution.items:
                    return item_answer(memory, *resolution.items)
                if len(resolution.items) == 1:
                    noted = item_note(memory, resolution.items[0])
                if resolution.text != q.text:
                    resolved = retriever.parse(resolution.text)
                elif resolution.how == "as_asked" and memory.question is not None:
                    # A question with a topic of its own, also tried in the last topic when it is
                    # out of scope alone (answering.answer_turn).
                    kept = in_topic(q.text, memory.question)
            outcome = answer_turn(q, resolved, kept, retriever, self.variant.config)
            q = outcome.question
        if memory is not None and outcome.answer.intent == "qa" and outcome.composition is not None:
            remember(memory, outcome.question, outcome.composition.items)
        answer = outcome.answer
        if noted is not None and answer.intent in {"qa", "not_covered"}:
            add_item_note(answer, noted)
        if self.llm is not None and answer.intent == "qa" and outcome.composition is not None:
            # The LLM step reads what the composer used (the quoted units), then the other chunks found.
            answer = self.llm.answer(q.text, outcome.context, answer)
        return answer

    def search(self, query: str, *, k: int = TOP_K) -> list[Passage]:
        """Ranked passages for `query` (the knowledge-base tab and retrieval metrics use this)."""
        if not (query or "").strip():
            return []
        with self._using() as retriever, self._lock:
            return list(retriever.search(query[:MAX_QUESTION_CHARS], k=k))

    def status(self) -> dict[str, Any]:
        from index.build import index_status

        return index_status()

    def documents(self) -> list[Document]:
        return load_corpus()
