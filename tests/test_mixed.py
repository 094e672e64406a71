"""Compound questions mixing a calculation with a question for the corpus (assistant/mixed.py)."""

from __future__ import annotations

import re

from assistant.mixed import join_parts, other_parts
from assistant.question import split_parts
from assistant.types import Answer, Citation


def _cite(n: int, doc: str) -> Citation:
    return Citation(n, doc, doc, "节", "句子。", "来源")


def test_the_parts_asking_about_something_other_than_cost_or_grade() -> None:
    assert other_parts(split_parts("我们300人，申请需要满足什么条件？费用多少？")) == ["我们300人，申请需要满足什么条件？"]
    assert other_parts(split_parts("1200人多少钱？要交哪些材料")) == ["要交哪些材料"]
    assert other_parts(split_parts("我们500人，要多少钱")) == []  # one part
    assert other_parts(split_parts("评审费一人日多少？一千二百人要几个人日")) == []  # both are calculations
    # A part asking what no calculation reads, in words of no fixed topic list ("证书管几年"); a part
    # leaning on the quote (第二年呢) or stating a figure of its own asks the calculator again.
    assert other_parts(split_parts("我们公司三百来号人，认证费大概多少？证书管几年？")) == ["证书管几年？"]
    assert other_parts(split_parts("我们88分，几星？现场评审几天？")) == ["现场评审几天？"]
    assert other_parts(split_parts("1200人多少钱？第二年呢？")) == []
    assert other_parts(split_parts("300人首年多少？三年一共多少？")) == []


def test_both_answers_are_kept_in_the_order_asked_and_numbered_once() -> None:
    fee = Answer("首年14000元[1]，评审费[2]。", [_cite(1, "data:fees"), _cite(2, "data:fees")], intent="fee",
                 data={"employees": 300})
    conditions = Answer("要满足6项条件。[1]\n- 第1项[1]", [_cite(1, "eligibility")])
    joined = join_parts(split_parts("我们300人，申请需要满足什么条件？费用多少？"), fee, conditions,
                        ["我们300人，申请需要满足什么条件？"])
    # The conditions were asked first: they come first and keep [1]; the quote's markers move up.
    assert joined.answer.startswith("①我们300人，申请需要满足什么条件？\n要满足6项条件。[1]")
    assert "②费用多少？\n首年14000元[2]，评审费[3]。" in joined.answer
    assert [(c.n, c.doc_id) for c in joined.citations] == [(1, "eligibility"), (2, "data:fees"), (3, "data:fees")]
    assert joined.intent == "fee" and joined.data == {"employees": 300}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", joined.answer)} == {1, 2, 3}


def test_a_calculation_asked_first_comes_first() -> None:
    fee = Answer("首年53000元[1]。", [_cite(1, "data:fees")], intent="fee")
    materials = Answer("营业执照[1]", [_cite(1, "materials")])
    joined = join_parts(split_parts("1200人多少钱？要交哪些材料"), fee, materials, ["要交哪些材料"])
    assert joined.answer == "①1200人多少钱？\n首年53000元[1]。\n\n②要交哪些材料\n营业执照[2]"
