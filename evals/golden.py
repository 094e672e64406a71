"""The golden-set format (docs/DESIGN.md, "Golden set"): loading and schema validation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CORE_TOPICS",
    "GOLDEN_DIR",
    "TOPICS",
    "GoldenCase",
    "GoldenError",
    "golden_files",
    "load_golden",
    "parse_case",
]

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"

# The topics of the core set, then those the calculators issue adds. A typo in a topic would
# silently create a one-question topic row in the report, so unknown topics are rejected.
CORE_TOPICS = (
    "overview",
    "standard",
    "scoring",
    "process",
    "eligibility",
    "materials",
    "timeline",
    "fees",
    "bodies",
    "related",
    "conflict",
    "out_of_scope",
    "adversarial",
)
TOPICS = (*CORE_TOPICS, "calc_fee", "calc_score", "followup")

_ID = re.compile(r"^[a-z0-9_]+(?:-[a-z0-9_]+)*$")
_CITE = re.compile(r"^(?:[a-z0-9-]+|data:[a-z0-9_.]+)$")
_KEYS = {"id", "topic", "question", "history", "must_include", "cite_doc", "abstain"}


class GoldenError(ValueError):
    """A golden line that does not follow the format; the message names the file, line and field."""


@dataclass(frozen=True)
class GoldenCase:
    """One golden question.

    `must_include` is a list of facts, each a tuple of alternatives. `cite_doc` holds the documents
    of which one must be cited: the format's single id, or several when more than one document
    states the facts (the corpus repeats key facts in `faq` and `overview`), empty for null.
    """

    id: str
    topic: str
    question: str
    must_include: tuple[tuple[str, ...], ...] = ()
    cite_doc: tuple[str, ...] = ()
    abstain: bool = False
    history: tuple[str, ...] = ()
    source: str = field(default="", compare=False)  # "file:line", for error messages and reports

    @property
    def corpus_docs(self) -> tuple[str, ...]:
        """The ids of `cite_doc` that name corpus documents (data tables such as data:fees left out)."""
        return tuple(d for d in self.cite_doc if not d.startswith("data:"))


def _fail(where: str, message: str) -> GoldenError:
    return GoldenError(f"{where}: {message}")


def parse_case(obj: Any, *, where: str = "<case>") -> GoldenCase:
    """Validate one decoded golden object and return it as a `GoldenCase`.

    Raises:
        GoldenError: a field is missing, has the wrong type, or breaks a rule of the format
            (unknown topic, abstain case with facts, in-scope case without `cite_doc`...).
    """
    if not isinstance(obj, dict):
        raise _fail(where, f"每行应为一个 JSON 对象，实际为 {type(obj).__name__}")
    unknown = set(obj) - _KEYS
    if unknown:
        raise _fail(where, f"未知字段 {sorted(unknown)}；允许的字段为 {sorted(_KEYS)}")
    for key in ("id", "topic", "question"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise _fail(where, f"字段 {key!r} 必须是非空字符串")
    case_id, topic, question = obj["id"], obj["topic"], obj["question"]
    where = f"{where} ({case_id})"
    if not _ID.match(case_id):
        raise _fail(where, f"id {case_id!r} 只能含小写字母、数字、下划线和连字符")
    if topic not in TOPICS:
        raise _fail(where, f"未知 topic {topic!r}；允许的值为 {' '.join(TOPICS)}")
    abstain = obj.get("abstain", False)
    if not isinstance(abstain, bool):
        raise _fail(where, "字段 'abstain' 必须是 true 或 false")
    history = obj.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
        raise _fail(where, "字段 'history' 必须是非空字符串的列表（按时间先后）")
    facts = obj.get("must_include", [])
    if not isinstance(facts, list):
        raise _fail(where, '字段 \'must_include\' 必须是列表的列表，例如 [["3年", "三年"]]')
    for fact in facts:
        if (
            not isinstance(fact, list)
            or not fact
            or not all(isinstance(alt, str) and alt.strip() for alt in fact)
        ):
            raise _fail(where, f"事实 {fact!r} 必须是由非空字符串组成的非空列表")
    raw_cite = obj.get("cite_doc")
    cite_doc = (raw_cite,) if isinstance(raw_cite, str) else tuple(raw_cite or ())
    if (
        not isinstance(raw_cite, (str, list, type(None)))
        or (isinstance(raw_cite, list) and not raw_cite)
        or not all(isinstance(d, str) and _CITE.match(d) for d in cite_doc)
        or len(set(cite_doc)) != len(cite_doc)
    ):
        raise _fail(
            where,
            f"cite_doc {raw_cite!r} 应为文档 id（如 fees）、data:<表名>、由这些 id 组成的不重复列表，或 null",
        )
    if abstain and (facts or cite_doc):
        # An abstention has nothing to contain or cite; facts here would never be checked.
        raise _fail(where, "abstain 为 true 的题目不能有 must_include 或 cite_doc")
    if not abstain and not facts:
        # Without a fact an in-scope case would pass on any answer that does not abstain.
        raise _fail(where, "非拒答题目必须至少有一个 must_include 事实")
    return GoldenCase(
        id=case_id,
        topic=topic,
        question=question,
        must_include=tuple(tuple(alt for alt in fact) for fact in facts),
        cite_doc=cite_doc,
        abstain=abstain,
        history=tuple(history),
        source=where,
    )


def load_golden(paths: Iterable[Path]) -> list[GoldenCase]:
    """All cases of `paths`, in file order, with ids unique across the files.

    Raises:
        GoldenError: a line is not JSON or not a valid case, or an id repeats.
    """
    cases: list[GoldenCase] = []
    seen: dict[str, str] = {}
    for path in paths:
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _fail(where, f"不是合法的 JSON：{exc.msg}（第 {exc.colno} 列）") from exc
            case = parse_case(obj, where=where)
            if case.id in seen:
                raise _fail(where, f"id {case.id!r} 与 {seen[case.id]} 重复")
            seen[case.id] = where
            cases.append(case)
    return cases


def golden_files(directory: Path = GOLDEN_DIR) -> list[Path]:
    """The golden files of `directory`, sorted so runs and reports are reproducible."""
    return sorted(directory.glob("*.jsonl"))
