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
    "KINDS",
    "OUTCOMES",
    "SPLITS",
    "TOPICS",
    "GoldenCase",
    "GoldenError",
    "golden_files",
    "load_golden",
    "parse_case",
    "split_of",
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
TOPICS = (*CORE_TOPICS, "calc_fee", "calc_score", "followup", "chat")

# What the assistant should do with a question (issue 8's four outcomes). Only `qa` answers; the
# other three abstain, each with its own reply.
OUTCOMES = ("qa", "not_covered", "out_of_scope", "chat")
# How a question is asked, for the per-kind report. Old lines carry none (reported as "unlabelled").
KINDS = (
    "colloquial",
    "list",
    "compound",
    "followup",
    "not_covered",
    "out_of_scope",
    "chat",
    "numbers",
    "conflict",
    "typo",
)
# A kind that names an outcome must have that outcome; the other kinds describe the phrasing only.
_KIND_OUTCOME = {"not_covered": "not_covered", "out_of_scope": "out_of_scope", "chat": "chat", "list": "qa"}
SPLITS = ("dev", "test")

_ID = re.compile(r"^[a-z0-9_]+(?:-[a-z0-9_]+)*$")
_CITE = re.compile(r"^(?:[a-z0-9-]+|data:[a-z0-9_.]+)$")
_KEYS = {
    "id",
    "topic",
    "question",
    "history",
    "must_include",
    "cite_doc",
    "abstain",
    "outcome",
    "kind",
    "list_items",
    "note",
    "awaits",
}


class GoldenError(ValueError):
    """A golden line that does not follow the format; the message names the file, line and field."""


@dataclass(frozen=True)
class GoldenCase:
    """One golden question.

    `must_include` is a list of facts, each a tuple of alternatives. `cite_doc` holds the documents
    of which one must be cited: the format's single id, or several when more than one document
    states the facts (the corpus repeats key facts in `faq` and `overview`), empty for null.
    `outcome` is the expected outcome (defaults from `abstain`: out_of_scope or qa); `list_items`
    the items of an enumeration, each a tuple of alternatives; `split` comes from the file name.
    """

    id: str
    topic: str
    question: str
    must_include: tuple[tuple[str, ...], ...] = ()
    cite_doc: tuple[str, ...] = ()
    abstain: bool = False
    history: tuple[str, ...] = ()
    source: str = field(default="", compare=False)  # "file:line", for error messages and reports
    outcome: str = ""
    kind: str = ""
    list_items: tuple[tuple[str, ...], ...] = ()
    split: str = "dev"
    awaits: str = ""  # what must land first (e.g. "issue-9") before the corpus states the facts
    note: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", "out_of_scope" if self.abstain else "qa")

    @property
    def corpus_docs(self) -> tuple[str, ...]:
        """The ids of `cite_doc` that name corpus documents (data tables such as data:fees left out)."""
        return tuple(d for d in self.cite_doc if not d.startswith("data:"))


def _fail(where: str, message: str) -> GoldenError:
    return GoldenError(f"{where}: {message}")


def split_of(path: Path) -> str:
    """`test` for a file named test*.jsonl, `dev` for every other golden file."""
    return "test" if Path(path).name.startswith("test") else "dev"


def _alternatives(value: Any, where: str, field_name: str) -> tuple[tuple[str, ...], ...]:
    """A list of facts (or list items), each a non-empty list of non-empty strings."""
    if not isinstance(value, list):
        raise _fail(where, f'字段 {field_name!r} 必须是列表的列表，例如 [["3年", "三年"]]')
    for fact in value:
        if (
            not isinstance(fact, list)
            or not fact
            or not all(isinstance(alt, str) and alt.strip() for alt in fact)
        ):
            raise _fail(where, f"{field_name} 中的 {fact!r} 必须是由非空字符串组成的非空列表")
    return tuple(tuple(fact) for fact in value)


def _outcome(obj: dict[str, Any], abstain: Any, where: str) -> tuple[str, bool]:
    """The expected outcome and `abstain`, each defaulting from the other; they must agree."""
    outcome = obj.get("outcome")
    if outcome is None:
        return ("out_of_scope" if abstain else "qa"), abstain
    if outcome not in OUTCOMES:
        raise _fail(where, f"未知 outcome {outcome!r}；允许的值为 {' '.join(OUTCOMES)}")
    if "abstain" in obj and abstain != (outcome != "qa"):
        raise _fail(where, f"abstain={str(abstain).lower()} 与 outcome {outcome!r} 矛盾：只有 qa 不拒答")
    return outcome, outcome != "qa"


def _check_kind(kind: Any, outcome: str, history: list[str], list_items: tuple[Any, ...], where: str) -> str:
    if kind is None:
        if list_items:
            raise _fail(where, "带 list_items 的题目须标注 kind（通常为 list）")
        return ""
    if kind not in KINDS:
        raise _fail(where, f"未知 kind {kind!r}；允许的值为 {' '.join(KINDS)}")
    if kind in _KIND_OUTCOME and outcome != _KIND_OUTCOME[kind]:
        raise _fail(where, f"kind {kind!r} 的 outcome 必须是 {_KIND_OUTCOME[kind]!r}，实际为 {outcome!r}")
    if kind == "followup" and not history:
        raise _fail(where, "kind 为 followup 的题目必须有 history（之前的提问）")
    if kind == "list" and not list_items:
        raise _fail(where, "kind 为 list 的题目必须在 list_items 中列出清单的每一项")
    return str(kind)


def parse_case(obj: Any, *, where: str = "<case>", split: str = "dev") -> GoldenCase:
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
    outcome, abstain = _outcome(obj, abstain, where)
    history = obj.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
        raise _fail(where, "字段 'history' 必须是非空字符串的列表（按时间先后）")
    facts = _alternatives(obj.get("must_include", []), where, "must_include")
    list_items = _alternatives(obj.get("list_items", []), where, "list_items")
    if list_items and outcome != "qa":
        raise _fail(where, "只有 outcome 为 qa 的题目可以有 list_items")
    kind = _check_kind(obj.get("kind"), outcome, history, list_items, where)
    for key in ("note", "awaits"):
        if key in obj and (not isinstance(obj[key], str) or not obj[key].strip()):
            raise _fail(where, f"字段 {key!r} 必须是非空字符串")
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
        raise _fail(where, "拒答题目（abstain 为 true 或 outcome 不是 qa）不能有 must_include 或 cite_doc")
    if not abstain and not facts:
        # Without a fact an in-scope case would pass on any answer that does not abstain.
        raise _fail(where, "非拒答题目必须至少有一个 must_include 事实")
    return GoldenCase(
        id=case_id,
        topic=topic,
        question=question,
        must_include=facts,
        cite_doc=cite_doc,
        abstain=abstain,
        history=tuple(history),
        source=where,
        outcome=outcome,
        kind=kind,
        list_items=list_items,
        split=split,
        awaits=obj.get("awaits", ""),
        note=obj.get("note", ""),
    )


def load_golden(paths: Iterable[Path]) -> list[GoldenCase]:
    """All cases of `paths`, in file order, with ids unique across the files.

    A case's split is its file's (`split_of`): test*.jsonl is `test`, every other file `dev`.

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
            case = parse_case(obj, where=where, split=split_of(path))
            if case.id in seen:
                raise _fail(where, f"id {case.id!r} 与 {seen[case.id]} 重复")
            seen[case.id] = where
            cases.append(case)
    return cases


def golden_files(directory: Path = GOLDEN_DIR) -> list[Path]:
    """The golden files of `directory`, sorted so runs and reports are reproducible."""
    return sorted(directory.glob("*.jsonl"))
