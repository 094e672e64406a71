"""The evaluation: metric functions on hand-worked examples, the golden files' schema, the runner.

Expected figures are worked out by hand in the comments, so a change in a formula shows up as a
failing number rather than as a silently different report.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.config import corpus_dir
from assistant.types import Answer, Citation, Passage
from evals.check_golden import check_cases
from evals.golden import (
    CORE_TOPICS,
    GOLDEN_DIR,
    KINDS,
    OUTCOMES,
    TOPICS,
    GoldenCase,
    GoldenError,
    golden_files,
    load_golden,
    parse_case,
    split_of,
)
from evals.metrics import (
    CaseOutcome,
    abstention_precision_recall,
    actual_outcome,
    fact_holds,
    hit_at_k,
    list_completeness,
    mean_reciprocal_rank,
    missing_facts,
    outcome_precision_recall,
    percentile,
    retrieval_rank,
    score_case,
    summarize,
    summarize_by_topic,
    unsupported_facts,
)
from evals.report import build_report, render_markdown
from evals.runner import Gate, check_floors, check_gates, evaluate, main
from evals.splits import DRAWN_FILES, DRAWS, SEED, TEST_SHARE, check_draw, draw_splits
from evals.splits import main as splits_main

CORE = Path(__file__).resolve().parents[1] / "evals" / "golden" / "core.jsonl"


def _case(**kw: Any) -> GoldenCase:
    base: dict[str, Any] = {"id": "t-001", "topic": "timeline", "question": "证书管几年？"}
    base.update(kw)
    return GoldenCase(**base)


def _cite(doc_id: str, text: str, n: int = 1) -> Citation:
    return Citation(n, doc_id, "标题", "小节", text, "来源")


# --------------------------------------------------------------------------------------------
# Facts


@pytest.mark.parametrize(
    ("fact", "text", "expected"),
    [
        (["3年"], "证书有效期为三年。", True),  # Chinese numeral normalised on the answer side
        (["三年"], "证书有效期为3年。", True),  # ... and on the golden side
        (["53000"], "首年合计约53,000元", True),  # thousands separator removed
        (["1200人"], "１２００ 人的企业", True),  # full-width digits and the space folded
        (["GB/T 27922"], "依据gb/t27922-2011", True),  # case and spaces
        (["5年", "五年"], "证书有效期为3年。", False),
        (["有效期"], "", False),
    ],
)
def test_fact_holds_after_normalisation(fact: list[str], text: str, expected: bool) -> None:
    assert fact_holds(fact, text) is expected


def test_missing_facts_lists_each_unmet_fact_with_its_alternatives() -> None:
    facts = [["3个月"], ["6个月", "半年"], ["1年"]]
    assert missing_facts(facts, "多数来源称运行满3个月；也有来源称需要半年。") == [["1年"]]


def test_a_fact_split_across_two_citations_is_not_supported() -> None:
    # "16人日" appears in neither passage on its own; joined they would spell it by accident.
    passages = ["初审需要16", "人日数按员工人数查表"]
    assert unsupported_facts([["16人日"]], passages) == [["16人日"]]
    assert unsupported_facts([["人日数"], ["16"]], passages) == []


# --------------------------------------------------------------------------------------------
# Retrieval


def test_retrieval_rank_is_one_based_and_accepts_several_targets() -> None:
    docs = ["faq", "timeline", "timeline", "process"]
    assert retrieval_rank(("timeline",), docs) == 2
    assert retrieval_rank(("process", "timeline"), docs) == 2  # the first of either counts
    assert retrieval_rank(("fees",), docs) is None


def test_hit_at_k_and_mrr_on_three_questions() -> None:
    # Question 1 finds its document first (rank 1), question 2 third (rank 3), question 3 not
    # in the top 5 (None). hit@1 = 1/3 (only q1); hit@5 = 2/3 (q1 and q2);
    # MRR = (1/1 + 1/3 + 0) / 3 = (4/3) / 3 = 4/9.
    ranks = [1, 3, None]
    assert hit_at_k(ranks, 1) == pytest.approx(1 / 3)
    assert hit_at_k(ranks, 5) == pytest.approx(2 / 3)
    assert mean_reciprocal_rank(ranks) == pytest.approx(4 / 9)


def test_retrieval_metrics_of_nothing_are_not_measured() -> None:
    assert hit_at_k([], 1) is None
    assert mean_reciprocal_rank([]) is None


# --------------------------------------------------------------------------------------------
# Abstention and latency


def test_abstention_precision_and_recall() -> None:
    # (expected, predicted), positive = abstain. True positives: cases 1 and 5 -> 2.
    # False positive: case 3 (abstained on an in-scope question) -> 1.
    # False negative: case 2 (answered an out-of-scope question) -> 1.
    # Precision = 2 / (2 + 1) = 2/3; recall = 2 / (2 + 1) = 2/3.
    pairs = [(True, True), (True, False), (False, True), (False, False), (True, True)]
    precision, recall = abstention_precision_recall(pairs)
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(2 / 3)


def test_abstention_ratios_with_an_empty_denominator_are_none() -> None:
    # Nothing abstained: precision has no denominator; nothing should have: recall has none.
    assert abstention_precision_recall([(True, False), (False, False)]) == (None, 0.0)
    assert abstention_precision_recall([(False, True)]) == (0.0, None)


def test_percentile_interpolates_between_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]  # sorted: 10 20 30 40, positions 0..3
    assert percentile(values, 50) == pytest.approx(25.0)  # position 1.5: halfway 20 -> 30
    assert percentile(values, 95) == pytest.approx(38.5)  # position 2.85: 30 + 0.85 * 10
    assert percentile(values, 100) == 40.0
    assert percentile([], 50) is None


# --------------------------------------------------------------------------------------------
# Scoring one case


def test_in_scope_answer_with_facts_in_answer_and_cited_passage_is_correct() -> None:
    case = _case(must_include=(("3年",),), cite_doc=("timeline", "faq"))
    answer = Answer(
        "证书有效期为三年。[1]", [_cite("faq", "售后服务认证证书的有效期为3年。")], latency_ms=12.0
    )
    out = score_case(case, answer, retrieved=["faq", "timeline"])
    assert out.correct and out.supported and out.cite_doc_cited
    assert out.rank == 1 and out.latency_ms == 12.0 and out.reasons == []


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        # The fact is cited but the answer text never says it.
        (Answer("请见引文。[1]", [_cite("timeline", "有效期为3年。")]), "facts missing from the answer"),
        # The answer says it, but no cited passage does: an unsupported claim.
        (
            Answer("有效期3年。[1]", [_cite("timeline", "每年监督评审。")]),
            "facts not found in any cited passage",
        ),
        # Supported by a passage, but from a document the case does not accept.
        (Answer("有效期3年。[1]", [_cite("fees", "有效期3年。")]), "timeline not among the cited documents"),
        (Answer("不在范围内。", abstained=True, intent="out_of_scope"), "abstained on an in-scope question"),
    ],
)
def test_in_scope_failures_name_their_reason(answer: Answer, reason: str) -> None:
    out = score_case(_case(must_include=(("3年",),), cite_doc=("timeline",)), answer)
    assert not out.correct
    assert out.reasons == [reason]


def test_out_of_scope_case_is_correct_only_when_abstaining() -> None:
    case = _case(id="oos-001", topic="out_of_scope", question="今天天气怎么样？", abstain=True)
    assert score_case(case, Answer("不在范围内。", abstained=True)).correct
    wrong = score_case(case, Answer("证书有效期为3年。", [_cite("timeline", "证书有效期为3年。")]))
    assert not wrong.correct and wrong.reasons == ["should have abstained"]
    assert wrong.supported is None  # citation support is only measured on in-scope answers


def test_an_exception_is_a_failed_case_with_its_message() -> None:
    out = score_case(_case(must_include=(("3年",),), cite_doc=("timeline",)), None, error="KeyError: 'x'")
    assert not out.correct and out.reasons == ["error: KeyError: 'x'"]


# --------------------------------------------------------------------------------------------
# Summaries, floors and the report


def _outcome(**kw: Any) -> CaseOutcome:
    base: dict[str, Any] = {
        "id": "x",
        "topic": "timeline",
        "question": "q",
        "expected_abstain": False,
        "abstained": False,
        "correct": True,
    }
    base.update(kw)
    return CaseOutcome(**base)


def test_summarize_hand_worked() -> None:
    outcomes = [
        # answered in scope, correct, supported, rank 1, 10 ms
        _outcome(id="a", supported=True, retrieval_scored=True, rank=1, latency_ms=10.0),
        # answered in scope, fact missing but citation fine, rank 2, 20 ms
        _outcome(id="b", correct=False, supported=True, retrieval_scored=True, rank=2, latency_ms=20.0),
        # answered in scope, unsupported, retrieval miss, 30 ms
        _outcome(id="c", correct=False, supported=False, retrieval_scored=True, rank=None, latency_ms=30.0),
        # out of scope, abstained correctly, 40 ms
        _outcome(id="d", topic="out_of_scope", expected_abstain=True, abstained=True, latency_ms=40.0),
    ]
    s = summarize(outcomes)
    assert s.n == 4 and s.n_correct == 2
    assert s.accuracy == pytest.approx(2 / 4)  # a and d
    assert s.citation_support == pytest.approx(2 / 3)  # a and b of the three answered in scope
    assert (s.abstention_precision, s.abstention_recall) == (1.0, 1.0)  # d only, rightly
    assert s.hit_at_1 == pytest.approx(1 / 3) and s.hit_at_5 == pytest.approx(2 / 3)
    assert s.mrr == pytest.approx((1 + 1 / 2 + 0) / 3)  # 0.5
    assert s.latency_p50_ms == pytest.approx(25.0)  # between 20 and 30
    by_topic = summarize_by_topic(outcomes)
    assert list(by_topic) == ["timeline", "out_of_scope"]
    assert by_topic["timeline"].accuracy == pytest.approx(1 / 3)
    assert by_topic["timeline"].abstention_recall is None  # no case there should abstain


def test_check_floors() -> None:
    overall = {"accuracy": 0.85, "abstention_precision": 0.95, "abstention_recall": 0.8}
    assert check_floors(overall, min_accuracy=0.8, min_abstention=0.8) == []
    problems = check_floors(overall, min_accuracy=0.9, min_abstention=0.9)
    assert [p.split()[0] for p in problems] == ["accuracy", "abstention_recall"]
    # Not measured (no out-of-scope case in a --limit run) is not a failure.
    unmeasured = {"accuracy": 1.0, "abstention_precision": None, "abstention_recall": None}
    assert check_floors(unmeasured, min_accuracy=0.9, min_abstention=0.9) == []


def test_markdown_report_has_the_table_and_each_failure() -> None:
    case = _case(id="timeline-001", must_include=(("3年",),), cite_doc=("timeline",))
    bad = score_case(case, Answer("有效期5年。[1]", [_cite("timeline", "有效期5年。")]))
    good = score_case(_case(id="oos-001", topic="out_of_scope", abstain=True), Answer("", abstained=True))
    md = render_markdown(build_report([bad, good], meta={"variant": "full", "golden": ["core.jsonl"]}))
    assert "| **overall** | 2 | 50.0% |" in md
    assert "| out_of_scope | 1 | 100.0% |" in md
    assert "**timeline-001** (timeline) 证书管几年？" in md
    assert "missing: `3年`" in md and "oos-001**" not in md


# --------------------------------------------------------------------------------------------
# The runner, with a stand-in assistant (the assistant itself is not under test here)


class _StubAssistant:
    def ask(self, question: str, *, history: list[str] | None = None) -> Answer:
        if "天气" in question:
            return Answer("不在范围内。", abstained=True, intent="out_of_scope")
        if "崩溃" in question:
            raise RuntimeError("boom")
        return Answer("证书有效期为3年。[1]", [_cite("timeline", "证书有效期为3年。")])

    def search(self, question: str, *, k: int = 5) -> list[Passage]:
        return [Passage("c1", "faq", "t", "s", "x", "src"), Passage("c2", "timeline", "t", "s", "x", "src")][
            :k
        ]


def _golden_file(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


_ROWS = [
    {
        "id": "t-1",
        "topic": "timeline",
        "question": "证书管几年？",
        "must_include": [["3年"]],
        "cite_doc": "timeline",
    },
    {"id": "o-1", "topic": "out_of_scope", "question": "今天天气怎么样？", "abstain": True},
    {
        "id": "t-2",
        "topic": "timeline",
        "question": "崩溃吗",
        "must_include": [["3年"]],
        "cite_doc": "timeline",
    },
]


def test_evaluate_measures_latency_ranks_and_keeps_going_after_an_error(tmp_path: Path) -> None:
    outcomes = evaluate(_StubAssistant(), load_golden([_golden_file(tmp_path, _ROWS)]))
    assert [o.correct for o in outcomes] == [True, True, False]
    assert outcomes[0].rank == 2 and outcomes[0].latency_ms is not None and outcomes[0].latency_ms > 0
    assert not outcomes[1].retrieval_scored  # an abstain case has no document to find
    assert outcomes[2].error == "RuntimeError: boom"


def test_main_writes_both_reports_and_fails_below_the_floor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("evals.runner.load_assistant", lambda variant=None: _StubAssistant())
    golden, out = _golden_file(tmp_path, _ROWS), tmp_path / "out"
    args = ["--golden", str(golden), "--out", str(out), "--quiet"]
    assert main([*args, "--min-accuracy", "0.5"]) == 0  # 2 of 3 correct
    assert main([*args, "--min-accuracy", "0.9"]) == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["overall"]["n"] == 3 and [f["id"] for f in report["failures"]] == ["t-2"]
    assert "| **overall** | 3 |" in (out / "report.md").read_text(encoding="utf-8")
    assert "below floor: accuracy 66.7% < floor 90.0%" in capsys.readouterr().err
    assert main([*args, "--limit", "1"]) == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["overall"]["n"] == 1


def test_main_rejects_a_broken_golden_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x-1", "topic": "weather", "question": "q", "abstain": true}\n', encoding="utf-8")
    assert main(["--golden", str(bad), "--quiet"]) == 2
    assert "未知 topic 'weather'" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Golden-file schema


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [
        ([], "每行应为一个 JSON 对象"),
        ({"id": "a-1", "topic": "fees", "question": "q", "extra": 1}, "未知字段"),
        ({"id": "A 1", "topic": "fees", "question": "q"}, "只能含小写字母"),
        ({"id": "a-1", "topic": "weather", "question": "q"}, "未知 topic"),
        ({"id": "a-1", "topic": "fees", "question": "  "}, "'question' 必须是非空字符串"),
        (
            {"id": "a-1", "topic": "fees", "question": "q", "must_include": ["1000"]},
            "必须是由非空字符串组成的非空列表",
        ),
        (
            {"id": "a-1", "topic": "fees", "question": "q", "must_include": [["1000"]], "cite_doc": "Fees!"},
            "cite_doc",
        ),
        (
            {"id": "a-1", "topic": "fees", "question": "q", "must_include": [["1000"]], "cite_doc": []},
            "cite_doc",
        ),
        ({"id": "a-1", "topic": "fees", "question": "q"}, "至少有一个 must_include"),
        (
            {"id": "a-1", "topic": "out_of_scope", "question": "q", "abstain": True, "must_include": [["x"]]},
            "不能有 must_include 或 cite_doc",
        ),
        (
            {"id": "a-1", "topic": "fees", "question": "q", "must_include": [["x"]], "history": "上一问"},
            "history",
        ),
    ],
)
def test_parse_case_rejects(obj: Any, fragment: str) -> None:
    with pytest.raises(GoldenError, match=fragment):
        parse_case(obj, where="f.jsonl:1")


def test_parse_case_accepts_the_design_example_and_a_list_of_documents() -> None:
    one = parse_case(
        {
            "id": "fees-001",
            "topic": "fees",
            "question": "办这个认证大概要花多少钱？",
            "history": [],
            "must_include": [["申请费"], ["1000"]],
            "cite_doc": "fees",
            "abstain": False,
        }
    )
    assert one.cite_doc == ("fees",) and one.must_include == (("申请费",), ("1000",))
    several = parse_case(
        {
            "id": "a-1",
            "topic": "timeline",
            "question": "q",
            "must_include": [["3年"]],
            "cite_doc": ["timeline", "faq", "data:fees"],
        }
    )
    assert several.corpus_docs == ("timeline", "faq")


def test_load_golden_rejects_duplicate_ids_across_files(tmp_path: Path) -> None:
    row = {"id": "a-1", "topic": "out_of_scope", "question": "q", "abstain": True}
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    for path in (first, second):
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(GoldenError, match="重复"):
        load_golden([first, second])


def test_every_golden_file_parses_with_unique_ids_and_known_topics() -> None:
    cases = load_golden(golden_files())  # raises on a bad line or a repeated id
    assert {c.topic for c in cases} <= set(TOPICS)
    assert all(not c.must_include and not c.cite_doc for c in cases if c.abstain)


def test_core_set_covers_every_topic_with_enough_cases() -> None:
    cases = load_golden([CORE])
    by_topic: dict[str, int] = {}
    for c in cases:
        by_topic[c.topic] = by_topic.get(c.topic, 0) + 1
    assert len(cases) >= 160
    assert set(by_topic) == set(CORE_TOPICS)
    assert by_topic["out_of_scope"] >= 25 and by_topic["adversarial"] >= 10
    assert all(c.abstain for c in cases if c.topic == "out_of_scope")
    in_scope = [c for c in cases if not c.abstain]
    assert all(c.cite_doc for c in in_scope), "every in-scope core case names the document to cite"
    assert all(1 <= len(c.must_include) <= 3 for c in in_scope)
    # Conflict cases check that both versions are passed on, so they carry at least two facts.
    assert all(len(c.must_include) >= 2 for c in in_scope if c.topic == "conflict")


def test_golden_quantities_are_written_in_digits() -> None:
    # normalize() would match 三年 against 3年 anyway; digits keep the file greppable and make
    # plain what is matched. Names such as 五星 or 五洲天宇 stay as they are written.
    chinese_quantity = re.compile(
        r"[零一二两三四五六七八九十百千万]+(?:年|个月|月|分|元|人日|项|天|个工作日)"
    )
    offenders = [
        (c.id, alt)
        for c in load_golden([CORE])
        for fact in c.must_include
        for alt in fact
        if chinese_quantity.search(alt)
    ]
    assert not offenders


def test_every_core_case_asks_for_something_the_question_does_not_already_say() -> None:
    # An answer that merely restates the question would pass a case whose facts are all in it.
    echo_only = [
        c.id
        for c in load_golden([CORE])
        if c.must_include and all(fact_holds(fact, c.question) for fact in c.must_include)
    ]
    assert not echo_only


def test_every_cited_corpus_document_exists() -> None:
    missing = {
        (c.id, doc)
        for c in load_golden(golden_files())
        for doc in c.corpus_docs
        if not (corpus_dir() / f"{doc}.md").exists()
    }
    assert not missing


def test_every_core_fact_is_stated_by_each_document_the_case_cites() -> None:
    # A fact the cited document does not state could never be passed by a correct, cited answer.
    problems = check_cases(load_golden([CORE]))
    assert not problems, "\n".join(str(p) for p in problems)


# --------------------------------------------------------------------------------------------
# The real assistant (slow: loads the shipped index)


@pytest.mark.slow
def test_evaluate_runs_against_the_real_assistant(shipped_assistant: Any) -> None:
    cases = [c for c in load_golden([CORE]) if c.id in {"timeline-001", "oos-001", "fees-002"}]
    outcomes = evaluate(shipped_assistant, cases)
    assert [o.id for o in outcomes] == [c.id for c in cases]
    assert all(o.error is None and o.latency_ms and o.latency_ms > 0 for o in outcomes)
    assert all(o.retrieval_scored for o in outcomes if not o.expected_abstain)


# --------------------------------------------------------------------------------------------
# Issue 8: outcomes, kinds, list items, splits and per-split gates


def _issue8(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": "u-1", "topic": "materials", "question": "要交哪些材料？"}
    row.update(kw)
    return row


def test_outcome_defaults_from_abstain_and_abstain_from_outcome() -> None:
    old_refusal = parse_case({"id": "o-1", "topic": "out_of_scope", "question": "天气？", "abstain": True})
    old_answer = parse_case(_issue8(must_include=[["营业执照"]], cite_doc="materials"))
    chat = parse_case({"id": "c-1", "topic": "chat", "kind": "chat", "outcome": "chat", "question": "你好"})
    assert (old_refusal.outcome, old_refusal.kind) == ("out_of_scope", "")
    assert old_answer.outcome == "qa" and not old_answer.abstain
    assert chat.abstain and chat.outcome == "chat"
    assert GoldenCase("x", "fees", "q", abstain=True).outcome == "out_of_scope"


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [
        (_issue8(outcome="maybe"), "未知 outcome"),
        (_issue8(outcome="chat", abstain=False), "矛盾"),
        (_issue8(outcome="qa", abstain=True), "矛盾"),
        (_issue8(outcome="not_covered", must_include=[["x"]]), "不能有 must_include"),
        (_issue8(kind="slang", must_include=[["x"]], cite_doc="materials"), "未知 kind"),
        (
            _issue8(kind="chat", must_include=[["x"]], cite_doc="materials"),
            "kind 'chat' 的 outcome 必须是 'chat'",
        ),
        (_issue8(kind="followup", must_include=[["x"]], cite_doc="materials"), "必须有 history"),
        (_issue8(kind="list", must_include=[["x"]], cite_doc="materials"), "list_items 中列出清单的每一项"),
        (_issue8(kind="list", outcome="not_covered"), "kind 'list' 的 outcome 必须是 'qa'"),
        (
            _issue8(kind="followup", outcome="chat", history=["你好"], list_items=[["x"]]),
            "只有 outcome 为 qa",
        ),
        (_issue8(list_items=[["x"]], must_include=[["x"]], cite_doc="materials"), "须标注 kind"),
        (
            _issue8(kind="list", must_include=[["x"]], list_items=[[]], cite_doc="materials"),
            "list_items 中的 []",
        ),
        (_issue8(must_include=[["x"]], cite_doc="materials", note=3), "'note' 必须是非空字符串"),
    ],
)
def test_parse_case_rejects_bad_issue8_fields(obj: Any, fragment: str) -> None:
    with pytest.raises(GoldenError, match=re.escape(fragment)):
        parse_case(obj, where="f.jsonl:1")


def test_the_split_comes_from_the_file_name(tmp_path: Path) -> None:
    row = {"id": "a-1", "topic": "chat", "kind": "chat", "outcome": "chat", "question": "谢谢"}
    assert split_of(Path("evals/golden/test_issue8.jsonl")) == "test"
    assert split_of(Path("evals/golden/core.jsonl")) == "dev"
    test_file, dev_file = tmp_path / "test_x.jsonl", tmp_path / "dev_x.jsonl"
    test_file.write_text(json.dumps(row) + "\n", encoding="utf-8")
    dev_file.write_text(json.dumps({**row, "id": "a-2"}) + "\n", encoding="utf-8")
    assert [c.split for c in load_golden([test_file, dev_file])] == ["test", "dev"]


@pytest.mark.parametrize(
    ("intent", "abstained", "outcome"),
    [
        ("qa", False, "qa"),
        ("fee", False, "qa"),
        ("score", False, "qa"),
        ("not_covered", True, "not_covered"),
        ("out_of_scope", True, "out_of_scope"),
        ("invalid", True, "out_of_scope"),  # an unusable input is refused like an out-of-scope one
        ("chat", True, "chat"),
        ("fee", True, "out_of_scope"),  # a calculator refusing its input abstains
        ("error", True, "out_of_scope"),  # an intent the table does not know, abstaining
    ],
)
def test_actual_outcome_of_each_intent(intent: str, abstained: bool, outcome: str) -> None:
    assert actual_outcome(intent, abstained) == outcome


def test_outcome_precision_and_recall_hand_worked() -> None:
    # (expected, actual). qa: answered 3 times, 2 rightly -> P 2/3; 3 expected, 2 found -> R 2/3.
    # not_covered: 1 reply, right -> P 1; 2 expected (one got out_of_scope) -> R 1/2.
    # out_of_scope: replies for a not_covered and a qa case, neither expected oos -> P 0; R None.
    # chat: one expected, answered as qa -> P None (never replied chat), R 0.
    pairs = [
        ("qa", "qa"),
        ("qa", "qa"),
        ("qa", "out_of_scope"),
        ("not_covered", "not_covered"),
        ("not_covered", "out_of_scope"),
        ("chat", "qa"),
    ]
    pr = outcome_precision_recall(pairs)
    assert pr["qa"] == pytest.approx((2 / 3, 2 / 3))
    assert pr["not_covered"] == pytest.approx((1.0, 0.5))
    assert pr["out_of_scope"] == (0.0, None)
    assert pr["chat"] == (None, 0.0)


def test_list_completeness_is_the_share_of_items_in_the_answer() -> None:
    items = [["营业执照"], ["组织机构代码证", "代码证"], ["体系文件"], ["网点清单"]]
    # Two of four items are there (the second through its alternative): 2/4.
    share, missing = list_completeness(items, "1. 营业执照复印件；2. 代码证（三证合一后免交）")
    assert share == pytest.approx(0.5)
    assert missing == [["体系文件"], ["网点清单"]]
    assert list_completeness([], "任何回答") == (1.0, [])


def _nc_case(**kw: Any) -> GoldenCase:
    return parse_case(
        {
            "id": "n-1",
            "topic": "process",
            "kind": "not_covered",
            "outcome": "not_covered",
            "question": "证书丢了怎么补办？",
            **kw,
        }
    )


def test_a_not_covered_question_needs_the_not_covered_reply() -> None:
    case = _nc_case()
    right = score_case(case, Answer("资料中没有补办的说明。", abstained=True, intent="not_covered"))
    refusal = score_case(case, Answer("不在范围内。", abstained=True, intent="out_of_scope"))
    quoted = score_case(case, Answer("证书有效期为3年。[1]", [_cite("timeline", "证书有效期为3年。")]))
    assert right.correct and right.actual_outcome == "not_covered"
    # The safe side: abstained, but not the outcome asked for (docs/DECISIONS.md).
    assert refusal.abstained and not refusal.correct
    assert refusal.reasons == ["abstained as out_of_scope, expected not_covered"]
    assert not quoted.correct and quoted.reasons == ["should have abstained"]


def test_a_chat_question_needs_the_chat_intent_and_a_qa_question_needs_an_answer() -> None:
    chat = parse_case({"id": "c-1", "topic": "chat", "kind": "chat", "outcome": "chat", "question": "你好"})
    assert score_case(
        chat, Answer("您好！我可以回答售后服务认证的问题。", abstained=True, intent="chat")
    ).correct
    assert not score_case(chat, Answer("抱歉，不在范围内。", abstained=True, intent="out_of_scope")).correct
    qa = _case(must_include=(("3年",),), cite_doc=("timeline",))
    not_abstained_chat = score_case(qa, Answer("您好！", intent="chat"))
    assert not not_abstained_chat.correct and not_abstained_chat.reasons == ["answered as chat, expected qa"]


def test_list_items_are_scored_apart_from_correctness() -> None:
    case = parse_case(
        _issue8(
            kind="list",
            must_include=[["营业执照"]],
            list_items=[["营业执照"], ["组织机构图"], ["体系文件"]],
            cite_doc="materials",
        )
    )
    text = "需要营业执照和组织机构图。[1]"
    out = score_case(case, Answer(text, [_cite("materials", text)]))
    assert out.correct  # the must_include fact holds and is cited
    assert out.list_share == pytest.approx(2 / 3) and out.list_missing == (("体系文件",),)
    refused = score_case(case, Answer("不在范围内。", abstained=True, intent="out_of_scope"))
    assert refused.list_share == 0.0  # an abstention lists nothing
    assert score_case(case, None, error="boom").list_share == 0.0


def _refusal(case_id: str, expected: str, actual: str, *, abstained: bool = True) -> CaseOutcome:
    """The outcome of a case that should abstain with `expected` and got `actual`."""
    return _outcome(
        id=case_id,
        correct=abstained and actual == expected,
        expected_abstain=True,
        abstained=abstained,
        expected_outcome=expected,
        actual_outcome=actual,
    )


def test_summarize_issue8_figures_hand_worked() -> None:
    outcomes = [
        # expected qa: a answered, b wrongly abstained -> in-scope wrongly abstained 1/2
        _outcome(id="a", expected_outcome="qa", actual_outcome="qa", list_share=1.0),
        _outcome(
            id="b",
            correct=False,
            abstained=True,
            expected_outcome="qa",
            actual_outcome="out_of_scope",
            list_share=0.0,
        ),
        # expected not_covered: c right, d refused as out_of_scope (abstained, wrong outcome)
        _refusal("c", "not_covered", "not_covered"),
        _refusal("d", "not_covered", "out_of_scope"),  # abstained, but not the outcome asked for
        # expected out_of_scope, answered -> not abstained
        _refusal("e", "out_of_scope", "qa", abstained=False),
        # expected chat: f right, g refused
        _refusal("f", "chat", "chat"),
        _refusal("g", "chat", "out_of_scope"),
    ]
    s = summarize(outcomes)
    assert s.outcome_accuracy == pytest.approx(3 / 7)  # a, c, f
    assert s.in_scope_wrongly_abstained == pytest.approx(1 / 2)  # b of a, b
    assert s.oos_not_covered_abstained == pytest.approx(2 / 3)  # c, d of c, d, e
    assert s.chat_accuracy == pytest.approx(1 / 2)  # f of f, g
    assert s.list_completeness == pytest.approx(0.5) and s.list_complete == pytest.approx(0.5)
    assert s.n_list == 2
    # qa: answered a and e, a right -> P 1/2; expected a, b -> R 1/2.
    # out_of_scope: replies b, d, g, none expected oos -> P 0; expected e only, missed -> R 0.
    assert (s.outcome_precision["qa"], s.outcome_recall["qa"]) == (pytest.approx(0.5), pytest.approx(0.5))
    assert (s.outcome_precision["out_of_scope"], s.outcome_recall["out_of_scope"]) == (0.0, 0.0)
    assert (s.outcome_precision["chat"], s.outcome_recall["chat"]) == (1.0, pytest.approx(0.5))
    assert summarize([_outcome()]).chat_accuracy is None  # no chat question: not measured


def test_report_has_a_summary_per_split_and_per_kind() -> None:
    outcomes = [
        _outcome(id="a", split="dev"),
        _outcome(id="b", split="test", kind="list", correct=False, list_share=0.5, list_missing=(("x",),)),
        replace(_refusal("c", "chat", "chat"), split="test", kind="chat"),
    ]
    report = build_report(outcomes, meta={})
    assert report["per_split"]["dev"]["n"] == 1 and report["per_split"]["test"]["accuracy"] == pytest.approx(
        0.5
    )
    assert set(report["per_split_kind"]["test"]) == {"list", "chat"}
    assert list(report["per_split_kind"]["dev"]) == ["unlabelled"]
    md = render_markdown(report)
    assert "| test | 2 | 50.0% |" in md
    assert "## Kinds: test" in md and "| chat | 1 | 100.0% |" in md
    assert "list items missing: `x`" in md


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("test.accuracy=0.9", "格式"),
        ("prod.accuracy>=0.9", "split 'prod'"),
        ("test.speed>=0.9", "指标 'speed'"),
        ("test.accuracy>=1.5", "0 到 1"),
    ],
)
def test_gate_parse_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        Gate.parse(text)


def test_gates_per_split() -> None:
    report = {
        "overall": {"accuracy": 0.8},
        "per_split": {
            "dev": {
                "accuracy": 0.9,
                "in_scope_wrongly_abstained": 0.05,
                "chat_accuracy": None,
                "outcome_recall": {"chat": None},
            },
            "test": {"accuracy": 0.7, "in_scope_wrongly_abstained": 0.01, "outcome_recall": {"chat": 0.5}},
        },
    }
    gates = [Gate.parse(g) for g in ("dev.accuracy>=0.9", "test.accuracy>=0.75", "overall.accuracy>=0.8")]
    assert check_gates(report, gates) == ["test.accuracy 70.0% fails >= 75.0%"]
    ceiling = Gate.parse("dev.in_scope_wrongly_abstained <= 0.02")
    assert check_gates(report, [ceiling]) == ["dev.in_scope_wrongly_abstained 5.0% fails <= 2.0%"]
    # Not measured (no chat question in dev) passes; a split that did not run passes too.
    unmeasured = [Gate.parse("dev.chat_accuracy>=1"), Gate.parse("dev.recall.chat>=1")]
    assert check_gates(report, unmeasured) == []
    assert check_gates({"overall": {}, "per_split": {}}, [Gate.parse("test.accuracy>=1")]) == []
    assert check_gates(report, [Gate.parse("test.recall.chat>=0.6")]) == [
        "test.recall.chat 50.0% fails >= 60.0%"
    ]


def test_main_gates_each_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("evals.runner.load_assistant", lambda variant=None: _StubAssistant())
    dev = _golden_file(tmp_path, _ROWS[:2])  # both right
    test = tmp_path / "test_g.jsonl"
    test.write_text(json.dumps(_ROWS[2], ensure_ascii=False) + "\n", encoding="utf-8")  # raises
    args = ["--golden", str(dev), "--golden", str(test), "--out", str(tmp_path / "out"), "--quiet"]
    assert main([*args, "--gate", "dev.accuracy>=1"]) == 0
    assert main([*args, "--gate", "dev.accuracy>=1", "--gate", "test.accuracy>=0.5"]) == 1
    assert "below floor: test.accuracy 0.0% fails >= 50.0%" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*args, "--gate", "test.accuracy>0.5"])
    assert "格式" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Issue 8: the new question files and their seeded split


def _kinds(cases: list[GoldenCase]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in cases:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    return counts


def test_draw_splits_is_stratified_seeded_and_independent_of_order() -> None:
    cases = [GoldenCase(f"q-{i:02d}", "fees", "q", kind="list" if i % 3 else "chat") for i in range(30)]
    drawn = draw_splits(cases, seed=1, share=0.7)
    # 20 list and 10 chat questions: round(0.7 * 20) = 14 and round(0.7 * 10) = 7 go to test.
    assert sum(1 for c in cases if c.kind == "list" and drawn[c.id] == "test") == 14
    assert sum(1 for c in cases if c.kind == "chat" and drawn[c.id] == "test") == 7
    assert draw_splits(list(reversed(cases)), seed=1, share=0.7) == drawn
    assert draw_splits(cases, seed=2, share=0.7) != drawn


def _drawn_cases(draw: str = "issue8") -> list[GoldenCase]:
    return load_golden([GOLDEN_DIR / name for name in DRAWS[draw].files.values()])


@pytest.mark.parametrize("draw", sorted(DRAWS))
def test_the_new_questions_sit_where_the_seeded_draw_put_them(draw: str) -> None:
    cases = _drawn_cases(draw)
    seeded = {"seed": DRAWS[draw].seed, "share": DRAWS[draw].share}
    assert check_draw(cases, **seeded) == []
    moved = [GoldenCase(c.id, c.topic, c.question, kind=c.kind, split="dev") for c in cases]
    assert check_draw(moved, **seeded)  # a case moved by hand would be caught


def test_the_fresh_draw_leaves_the_issue8_draw_as_it_was_and_the_check_reads_both() -> None:
    assert (DRAWS["issue8"].seed, DRAWS["issue8"].share, DRAWS["issue8"].files) == (
        SEED,
        TEST_SHARE,
        DRAWN_FILES,
    )
    assert DRAWS["fresh"].seed != SEED and DRAWS["fresh"].share == 0.5
    assert not set(DRAWS["fresh"].files.values()) & set(DRAWN_FILES.values())
    assert splits_main([]) == 0


# The draws in the order they were added, and the seed each one is pinned to once a later one exists.
_DRAW_ORDER = (
    "issue8",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
)
_PINNED_SEEDS = {
    "fresh": 9202611,
    "fresh2": 10202612,
    "fresh3": 11202613,
    "fresh4": 12202614,
    "fresh5": 13202615,
    "fresh6": 14202616,
    "fresh7": 15202617,
    "fresh8": 16202618,
    "fresh9": 17202619,
    "fresh10": 18202620,
}


@pytest.mark.parametrize("draw", _DRAW_ORDER[2:])
def test_each_later_fresh_draw_leaves_the_earlier_draws_as_they_were(draw: str) -> None:
    earlier = _DRAW_ORDER[: _DRAW_ORDER.index(draw)]
    before = earlier[-1]
    assert (DRAWS[before].seed, DRAWS[before].share) == (_PINNED_SEEDS[before], 0.5)
    assert DRAWS[draw].seed not in {DRAWS[name].seed for name in earlier}
    assert DRAWS[draw].share == 0.5
    files = {name for draw_name in earlier for name in DRAWS[draw_name].files.values()}
    assert not set(DRAWS[draw].files.values()) & files


# The smallest kind of each fresh set (conflict: 15 questions in session 4, 10 in session 5;
# chat, conflict and typo: 10 each in the third set; chat and typo: 10 each in the fourth;
# chat, conflict and typo: 10 each in the fifth, the sixth, the seventh, the eighth, the ninth, the
# tenth and the eleventh) puts at least this many on each side.
@pytest.mark.parametrize(
    ("draw", "prefix", "fewest"),
    [
        ("fresh", "f9", 7),
        ("fresh2", "f10", 5),
        ("fresh3", "f11", 5),
        ("fresh4", "f12", 5),
        ("fresh5", "f13", 5),
        ("fresh6", "f14", 5),
        ("fresh7", "f15", 5),
        ("fresh8", "f16", 5),
        ("fresh9", "f17", 5),
        ("fresh10", "f18", 5),
        ("fresh11", "f19", 5),
    ],
)
def test_the_fresh_set_is_split_half_and_half_with_every_kind_on_both_sides(
    draw: str, prefix: str, fewest: int
) -> None:
    cases = _drawn_cases(draw)
    test = [c for c in cases if c.split == "test"]
    dev = [c for c in cases if c.split == "dev"]
    assert len(cases) >= 200 and abs(len(test) - len(dev)) <= len(KINDS)
    assert all(c.id.startswith(f"{prefix}-{c.kind.replace('_', '')}-") for c in cases)
    for split in (test, dev):
        counts = _kinds(split)
        assert set(counts) == set(KINDS)
        assert min(counts.values()) >= fewest, counts
        assert {c.outcome for c in split} == set(OUTCOMES)
    assert all(c.list_items for c in cases if c.kind == "list")
    assert all(c.history for c in cases if c.kind == "followup")
    others = {c.id for name in DRAWS if name != draw for c in _drawn_cases(name)}
    assert not {c.id for c in cases} & others


def test_the_new_questions_cover_every_kind_in_both_splits() -> None:
    cases = _drawn_cases()
    test = [c for c in cases if c.split == "test"]
    dev = [c for c in cases if c.split == "dev"]
    assert len(cases) >= 240 and len(test) >= 170
    for split in (test, dev):
        counts = _kinds(split)
        assert set(counts) == set(KINDS)
        assert min(counts.values()) >= 6, counts
    assert all(c.list_items for c in cases if c.kind == "list")
    assert all(c.history for c in cases if c.kind == "followup")
    assert {c.outcome for c in test} == set(OUTCOMES)


@pytest.mark.parametrize("draw", sorted(DRAWS))
def test_every_new_fact_is_in_the_documents_it_cites_or_awaits_the_corpus_issue(draw: str) -> None:
    problems = check_cases(_drawn_cases(draw))
    assert not [str(p) for p in problems if not p.awaits]
    assert {p.awaits for p in problems} <= {"issue-9"}


@pytest.mark.parametrize("draw", sorted(DRAWS))
def test_new_questions_ask_for_facts_they_do_not_state_and_write_quantities_in_digits(draw: str) -> None:
    # Same rules as the core set; 几千元 / 上万元 are not quantities one could write in digits.
    chinese_quantity = re.compile(
        r"(?<![几上数])[零一二两三四五六七八九十百千万]+(?:年|个月|月|分|元|人日|项|天|个工作日)"
    )
    cases = _drawn_cases(draw)
    echo = [c.id for c in cases if c.must_include and any(fact_holds(f, c.question) for f in c.must_include)]
    words = [
        (c.id, a)
        for c in cases
        for f in (*c.must_include, *c.list_items)
        for a in f
        if chinese_quantity.search(a)
    ]
    assert not echo and not words
