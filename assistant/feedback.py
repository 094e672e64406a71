"""Feedback on answers and the log of questions the assistant could not answer.

The people who run the assistant see where it fails: 👍/👎 with an optional comment on any answer,
and every `not_covered` / `out_of_scope` answer logged. Both live in the records database
(assistant/db.py, component ``feedback``). `ASSISTANT_LOG_QUESTIONS=0` turns question logging off:
nothing a user typed is written then (verdicts are still counted, without the question).

An answer is remembered in memory (bounded, one day) from the moment it is given, so a verdict
that arrives later by its id (chat thumbs, the `/feedback` endpoint) is stored with the question,
the answer, its citations, intent and index build; an answer that was never rated is not stored.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .db import DatabaseError, connect, transaction
from .errors import InputError
from .textproc import content_words, normalize
from .types import Answer

__all__ = [
    "LOGGED_INTENTS",
    "OUTCOMES",
    "DislikedAnswer",
    "FeedbackStore",
    "QuestionGroup",
    "golden_jsonl",
    "golden_lines",
    "group_questions",
    "question_logging_enabled",
]

log = logging.getLogger("assistant.feedback")

COMPONENT = "feedback"
MIGRATIONS = [
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        answer_id TEXT NOT NULL UNIQUE,
        verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
        comment TEXT NOT NULL DEFAULT '',
        question TEXT,
        answer TEXT,
        citations TEXT,
        intent TEXT,
        build_id TEXT,
        answered_at TEXT,
        rated_at TEXT NOT NULL,
        handled_at TEXT
    );
    CREATE INDEX feedback_rated_at ON feedback(rated_at);
    CREATE TABLE question_log (
        id INTEGER PRIMARY KEY,
        answer_id TEXT NOT NULL UNIQUE,
        question TEXT NOT NULL,
        intent TEXT NOT NULL,
        answer TEXT,
        build_id TEXT,
        asked_at TEXT NOT NULL,
        handled_at TEXT
    );
    CREATE INDEX question_log_asked_at ON question_log(asked_at);
    """,
]

# Abstentions worth a maintainer's look; `chat` (greetings) and `invalid` (empty input) are not.
LOGGED_INTENTS = frozenset({"not_covered", "out_of_scope"})
# Outcome key -> label, in the order the 运营 tab shows them.
OUTCOMES = {"not_covered": "未覆盖", "out_of_scope": "超出范围", "up": "赞（有用）", "down": "踩（没用）"}
_VERDICTS = {"up": "up", "like": "up", "👍": "up", "1": "up", "true": "up",
             "down": "down", "dislike": "down", "👎": "down", "-1": "down", "false": "down"}
MAX_COMMENT_CHARS = 500
# What the 运营 tab shows (most asked groups, newest 👎) and what an export reads at most.
SHOWN_GROUPS = 50
SHOWN_DISLIKED = 100
EXPORT_LIMIT = 10_000
_REMEMBERED = 2000
_REMEMBER_SECONDS = 24 * 3600
# Cited documents -> golden topic, a first guess for the reviewer of an exported line.
_TOPIC_OF_DOC = {
    "overview": "overview", "faq": "overview", "standard-gbt27922": "standard", "standard-sbt10401": "standard",
    "scoring": "scoring", "process": "process", "eligibility": "eligibility", "materials": "materials",
    "timeline": "timeline", "fees": "fees", "data:fees": "fees", "bodies": "bodies", "related-schemes": "related",
    "data:star_levels": "scoring",
}


def question_logging_enabled(env: dict[str, str] | None = None) -> bool:
    """False when `ASSISTANT_LOG_QUESTIONS` is 0/false/no/off."""
    value = (os.environ if env is None else env).get("ASSISTANT_LOG_QUESTIONS", "1")
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone().date()


@dataclass(frozen=True)
class _Remembered:
    question: str
    answer: dict[str, Any]
    build_id: str | None
    answered_at: str
    monotonic: float


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered questions: the most asked wording first."""

    ids: tuple[int, ...]
    questions: tuple[str, ...]  # distinct wordings, most asked first
    count: int
    intents: dict[str, int]
    last_asked: str

    @property
    def question(self) -> str:
        return self.questions[0]


@dataclass(frozen=True)
class DislikedAnswer:
    id: int
    question: str | None
    answer: str | None
    comment: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    intent: str | None = None
    build_id: str | None = None
    rated_at: str = ""


# ---------------------------------------------------------------------------------------------
# Grouping by similarity.


def _features(text: str) -> set[str]:
    """Words and character pairs of a question, punctuation and particles left out."""
    norm = re.sub(r"[\W_]+", "", normalize(text))
    norm = re.sub(r"(请问|一下|吗|呢|吧|啊|呀)", "", norm) or norm
    pairs = {norm[i : i + 2] for i in range(len(norm) - 1)} or {norm}
    return pairs | {f"w:{w}" for w in content_words(text)}


def _similarity(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def group_questions(questions: Sequence[str], *, threshold: float = 0.45) -> list[list[int]]:
    """Indexes of `questions` grouped by wording: character pairs and jieba words (Dice ≥ threshold
    with the group's most asked wording). Biggest groups first; ties keep first-asked order.

    Lexical, not embedding similarity: e5 puts any two Chinese questions at cosine 0.78–0.95, so a
    threshold there would be a guess; shared words and character pairs are what a reader sees.
    """
    wordings: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        wordings.setdefault(re.sub(r"[\W_]+", "", normalize(q)), []).append(i)
    order = sorted(wordings.values(), key=lambda idx: (-len(idx), idx[0]))
    groups: list[tuple[set[str], list[int]]] = []
    for indexes in order:
        features = _features(questions[indexes[0]])
        best = max(groups, key=lambda g: _similarity(g[0], features), default=None)
        if best is not None and _similarity(best[0], features) >= threshold:
            best[1].extend(indexes)
        else:
            groups.append((features, list(indexes)))
    return sorted((g[1] for g in groups), key=lambda idx: (-len(idx), min(idx)))


# ---------------------------------------------------------------------------------------------


class FeedbackStore:
    """Verdicts, comments and the unanswered-question log, over the shared records database."""

    def __init__(self, *, remember: int = _REMEMBERED, remember_seconds: float = _REMEMBER_SECONDS) -> None:
        self._recent: OrderedDict[str, _Remembered] = OrderedDict()
        self._capacity = remember
        self._ttl = remember_seconds
        self._lock = threading.Lock()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Opened per call: ASSISTANT_HOME is read each time, and a connection never crosses threads.
        conn = connect(COMPONENT, MIGRATIONS)
        try:
            yield conn
        finally:
            conn.close()

    # -- recording ------------------------------------------------------------------------------
    def remember(self, question: str, answer: Answer) -> None:
        """Keep `answer` for a later verdict; log it when it is an unanswered question.

        Never raises: a database problem is logged and the answer is still served.
        """
        entry = _Remembered(question, answer.to_dict(), _build_id(), _now(), time.monotonic())
        with self._lock:
            self._recent[answer.id] = entry
            self._recent.move_to_end(answer.id)
            while self._recent and (
                len(self._recent) > self._capacity
                or entry.monotonic - next(iter(self._recent.values())).monotonic > self._ttl
            ):
                self._recent.popitem(last=False)
        if answer.intent not in LOGGED_INTENTS or not question_logging_enabled() or not question.strip():
            return
        try:
            with self._connect() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO question_log (answer_id, question, intent, answer, build_id, asked_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (answer.id, question.strip(), answer.intent, answer.answer, entry.build_id, entry.answered_at),
                )
        except (DatabaseError, sqlite3.Error):
            log.warning("question log not written", exc_info=True)

    def rate(self, answer_id: str, verdict: Any, comment: str = "") -> dict[str, Any]:
        """Store a verdict on an answer given in the last day; an empty verdict withdraws it.

        Args:
            answer_id: the answer's `id`.
            verdict: "up"/"down" (also like/dislike, 👍/👎, true/false); "" or None withdraws.
            comment: optional, at most 500 characters ("引用不对", "没回答我的问题" …).

        Returns:
            {"answer_id", "verdict", "comment"} as stored ("verdict": None when withdrawn).

        Raises:
            InputError: unknown verdict, comment too long, or no recent answer has this id.
        """
        answer_id = str(answer_id or "").strip()
        key = str(verdict).strip().lower() if verdict is not None else ""
        if key not in _VERDICTS and key not in {"", "none"}:
            raise InputError(f"无法识别的评价“{str(verdict)[:20]}”；请用 up（有用）或 down（没用）")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise InputError(f"评论有 {len(comment)} 字，最多 {MAX_COMMENT_CHARS} 字；请精简后再提交")
        with self._lock:
            entry = self._recent.get(answer_id)
        if entry is None:
            raise InputError(
                f"找不到编号为“{answer_id[:40]}”的回答；回答的编号在回答后 24 小时内有效（服务重启后需重新提问）"
            )
        if key in {"", "none"}:
            with self._connect() as conn:
                conn.execute("DELETE FROM feedback WHERE answer_id = ?", (answer_id,))
            return {"answer_id": answer_id, "verdict": None, "comment": ""}
        value = _VERDICTS[key]
        keep = question_logging_enabled()
        answer = entry.answer
        with self._connect() as conn, transaction(conn):
            conn.execute(
                """INSERT INTO feedback (answer_id, verdict, comment, question, answer, citations, intent,
                                         build_id, answered_at, rated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(answer_id) DO UPDATE SET
                       comment = CASE WHEN excluded.comment != '' OR excluded.verdict != feedback.verdict
                                      THEN excluded.comment ELSE feedback.comment END,
                       verdict = excluded.verdict, rated_at = excluded.rated_at, handled_at = NULL""",
                (
                    answer_id, value, comment,
                    entry.question if keep else None,
                    answer["answer"] if keep else None,
                    json.dumps(answer["citations"], ensure_ascii=False) if keep else None,
                    answer["intent"], entry.build_id, entry.answered_at, _now(),
                ),
            )
            row = conn.execute("SELECT verdict, comment FROM feedback WHERE answer_id = ?", (answer_id,)).fetchone()
        return {"answer_id": answer_id, "verdict": row["verdict"], "comment": row["comment"]}

    # -- reading (the 运营 tab) -----------------------------------------------------------------
    def daily_counts(self, days: int = 14) -> list[tuple[date, dict[str, int]]]:
        """Per local day (newest first, last `days` days with any record): counts per outcome."""
        since = (datetime.now(timezone.utc) - timedelta(days=days + 1)).isoformat(timespec="seconds")
        counts: dict[date, Counter[str]] = {}
        with self._connect() as conn:
            rows = [(r[0], r[1]) for r in conn.execute(
                "SELECT asked_at, intent FROM question_log WHERE asked_at >= ?", (since,))]
            rows += [(r[0], r[1]) for r in conn.execute(
                "SELECT rated_at, verdict FROM feedback WHERE rated_at >= ?", (since,))]
        cutoff = date.today() - timedelta(days=days - 1)
        for stamp, outcome in rows:
            day = _local_day(stamp)
            if day >= cutoff:
                counts.setdefault(day, Counter())[outcome] += 1
        return [(day, {k: counts[day].get(k, 0) for k in OUTCOMES}) for day in sorted(counts, reverse=True)]

    def unanswered(self, *, include_handled: bool = False, limit: int = SHOWN_GROUPS) -> list[QuestionGroup]:
        """Unanswered questions grouped by similarity, most frequent first."""
        where = "" if include_handled else "WHERE handled_at IS NULL"
        with self._connect() as conn:
            rows = conn.execute(f"SELECT id, question, intent, asked_at FROM question_log {where} ORDER BY id").fetchall()
        out = []
        for indexes in group_questions([r["question"] for r in rows])[:limit]:
            members = [rows[i] for i in indexes]
            wordings = Counter(m["question"] for m in members)
            out.append(QuestionGroup(
                ids=tuple(m["id"] for m in members),
                questions=tuple(q for q, _ in wordings.most_common()),
                count=len(members),
                intents=dict(Counter(m["intent"] for m in members)),
                last_asked=max(m["asked_at"] for m in members),
            ))
        return out

    def disliked(self, *, include_handled: bool = False, limit: int = SHOWN_DISLIKED) -> list[DislikedAnswer]:
        """👎 answers with their comments, newest first."""
        where = "" if include_handled else "AND handled_at IS NULL"
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT * FROM feedback WHERE verdict = 'down' {where} ORDER BY rated_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            DislikedAnswer(
                id=r["id"], question=r["question"], answer=r["answer"], comment=r["comment"],
                citations=json.loads(r["citations"]) if r["citations"] else [],
                intent=r["intent"], build_id=r["build_id"], rated_at=r["rated_at"],
            )
            for r in rows
        ]

    def mark_handled(self, *, questions: Iterable[int] = (), feedback: Iterable[int] = ()) -> int:
        """Mark log rows and feedback rows handled; returns how many rows changed."""
        stamp = _now()
        changed = 0
        with self._connect() as conn, transaction(conn):
            for table, ids in (("question_log", questions), ("feedback", feedback)):
                for row_id in ids:
                    changed += conn.execute(
                        f"UPDATE {table} SET handled_at = ? WHERE id = ? AND handled_at IS NULL", (stamp, int(row_id))
                    ).rowcount
        return changed

    def export_golden(self, *, include_handled: bool = False) -> list[dict[str, Any]]:
        """Golden-set lines with empty expectations, for review: one per group of unanswered
        questions (its most asked wording) and one per 👎 answer with a question on record.

        The lines do not pass `evals.golden.parse_case` until a reviewer fills `must_include`
        and `cite_doc` (or sets `abstain`), so an unreviewed line cannot slip into the gate.
        """
        return golden_lines(self.unanswered(include_handled=include_handled, limit=EXPORT_LIMIT),
                            self.disliked(include_handled=include_handled, limit=EXPORT_LIMIT))


def golden_lines(groups: Iterable[QuestionGroup], items: Iterable[DislikedAnswer]) -> list[dict[str, Any]]:
    """`FeedbackStore.export_golden` for groups and disliked answers already read."""
    lines = []
    for group in groups:
        intent = max(group.intents, key=lambda k: group.intents[k])
        lines.append(_golden_line(f"review-q{group.ids[0]}", group.question,
                                  "out_of_scope" if intent == "out_of_scope" else "overview"))
    for item in items:
        if item.question:
            cited = [c.get("doc_id") for c in item.citations]
            topic = next((_TOPIC_OF_DOC[d] for d in cited if d in _TOPIC_OF_DOC), "overview")
            lines.append(_golden_line(f"review-f{item.id}", item.question, topic))
    return lines


def golden_jsonl(lines: Iterable[dict[str, Any]]) -> str:
    """Golden-set lines as the text of a .jsonl file."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _golden_line(case_id: str, question: str, topic: str) -> dict[str, Any]:
    return {"id": case_id, "topic": topic, "question": question, "history": [],
            "must_include": [], "cite_doc": None, "abstain": False}


def _build_id() -> str | None:
    from index.store import current_build

    build = current_build()
    return build.name if build is not None else None
