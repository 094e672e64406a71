"""Keeps the corpus honest (issue 9): every section names its sources, every listed source is used,
and every percentage or range that summarises a data table agrees with that table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.calculators.fees import person_day_bands, quote_fee
from assistant.config import corpus_dir
from assistant.corpus import SECTION_SOURCES, Document, load_corpus, load_document, section_source_numbers
from assistant.data import load_table, source_keys
from assistant.textproc import normalize

_HEADING = re.compile(r"^#{2,3}\s+(.+?)\s*$")


# --- sections and front-matter sources --------------------------------------------------------


def section_problems(doc: Document) -> list[str]:
    """Sections without a `<!-- 来源: … -->` line right under their heading, and front-matter
    sources that no section cites."""
    problems: list[str] = []
    cited: set[int] = set()
    lines = [line for line in doc.body.splitlines() if line.strip()]
    if lines and not _HEADING.match(lines[0]):
        problems.append(f"{doc.id}: 第一个小节标题之前的正文没有来源标注")
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if not heading:
            continue
        found = SECTION_SOURCES.match(lines[i + 1]) if i + 1 < len(lines) else None
        if found is None:
            problems.append(f"{doc.id} › {heading.group(1)}: 小节没有来源标注")
        else:
            cited |= set(section_source_numbers(found.group(1)))
    for n, source in enumerate(doc.sources, 1):
        if n not in cited:
            problems.append(f"{doc.id}: 来源 {n}（{source.get('title')}）没有被任何小节引用")
    return problems


def table_source_problems(name: str, table: dict[str, Any]) -> list[str]:
    """Row `source` keys that the table's `sources` map lacks, and `sources` entries no row uses."""
    listed = set(table.get("sources") or {})
    used = {key for row in _rows(table) for key in source_keys(row["source"])}
    return [f"{name}.yaml: 行引用了不存在的来源 {key!r}" for key in sorted(used - listed)] + [
        f"{name}.yaml: 来源 {key!r} 没有被任何行使用" for key in sorted(listed - used)
    ]


def _rows(node: Any, *, top: bool = True) -> Iterator[dict[str, Any]]:
    """Every mapping that carries a `source`, at any depth, outside the `sources` map itself."""
    if isinstance(node, dict):
        if "source" in node:
            yield node
        for key, value in node.items():
            if not (top and key == "sources"):
                yield from _rows(value, top=False)
    elif isinstance(node, list):
        for item in node:
            yield from _rows(item, top=False)


# --- figures derived from the fee table --------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    """A range that summarises fees.yaml, and the words that say a sentence states it."""

    name: str
    unit: str
    subject: str
    low: float
    high: float


def derived_figures() -> tuple[Derived, ...]:
    """Computed here from corpus/data/fees.yaml (through the calculator that reads it)."""
    bands = person_day_bands()
    surveillance = [b.surveillance / b.initial * 100 for b in bands if b.surveillance and b.initial]
    recert = [b.recert / b.initial * 100 for b in bands if b.recert and b.initial]
    quotes = [quote_fee(b.min) for b in bands]
    first_year = [q.first_year_total for q in quotes]
    later_year = [q.years[1].total for q in quotes]
    return (
        Derived("监督评审人日数占初审的比例", "%", "监督评审", min(surveillance), max(surveillance)),
        Derived("复评人日数占初审的比例", "%", "复评", min(recert), max(recert)),
        Derived("首年费用", "元", "首年", min(first_year), max(first_year)),
        Derived("监督评审年度费用", "元", "监督评审年度", min(later_year), max(later_year)),
    )


_NUMBER = r"(\d+(?:\.\d+)?)"
_TO = r"(?:至|到|-|–|~)"
_PERCENT = re.compile(rf"{_NUMBER}%(?:{_TO}{_NUMBER}%)?")
_MONEY_RANGE = re.compile(rf"{_NUMBER}元{_TO}{_NUMBER}元")


@dataclass(frozen=True)
class Claim:
    doc_id: str
    sentence: str
    figure: Derived | None
    low: str
    high: str | None

    def problem(self) -> str | None:
        if self.figure is None:
            return f"{self.doc_id}: “{self.sentence}”概括了收费表，但看不出是哪一列（写明监督评审、复评、首年或监督评审年度）"
        f = self.figure
        want_low = _rounded(f.low, self.low)
        want_high = _rounded(f.high, self.high) if self.high is not None else None
        if self.high is None:
            # A single figure must lie inside the table's range.
            if not _rounded(f.low, self.low) <= Decimal(self.low) <= _rounded(f.high, self.low):
                return f"{self.doc_id}: “{self.sentence}”中的{self.low}{f.unit}不在收费表推算的{f.name}范围内"
            return None
        if (Decimal(self.low), Decimal(self.high)) != (want_low, want_high):
            return (f"{self.doc_id}: “{self.sentence}”写的是{self.low}{f.unit}至{self.high}{f.unit}，"
                    f"收费表推算的{f.name}是{want_low}{f.unit}至{want_high}{f.unit}")
        return None


def _rounded(value: float, stated: str) -> Decimal:
    """`value` rounded to as many decimals as the document wrote (30.769… against "30.8" -> 30.8)."""
    places = len(stated.split(".", 1)[1]) if "." in stated else 0
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def table_claims(doc_id: str, body: str, figures: tuple[Derived, ...]) -> list[Claim]:
    """Percentages about person-days, and money ranges said to be worked out (推算) from the table."""
    claims: list[Claim] = []
    for sentence in re.split(r"[。\n]", normalize(body)):
        if "%" in sentence and re.search(r"初次评审|初审|人日", sentence):
            claims += _claims(doc_id, sentence, _PERCENT, [f for f in figures if f.unit == "%"])
        if "推算" in sentence:
            claims += _claims(doc_id, sentence, _MONEY_RANGE, [f for f in figures if f.unit == "元"])
    return claims


def _claims(doc_id: str, sentence: str, pattern: re.Pattern[str], figures: list[Derived]) -> list[Claim]:
    claims = []
    for match in pattern.finditer(sentence):
        before = sentence[: match.start()]
        # The figure a number belongs to is the one whose subject was named last before it
        # (so "监督评审……30.8%至50%；复评……58.8%至66.7%" checks each range against its own column).
        named = [(before.rfind(f.subject), len(f.subject), f) for f in figures if f.subject in before]
        figure = max(named, key=lambda t: (t[0], t[1]))[2] if named else None
        claims.append(Claim(doc_id, sentence.strip(), figure, match.group(1), match.group(2)))
    return claims


# --- the shipped corpus ---------------------------------------------------------------------------


def _shipped() -> list[Document]:
    return [d for d in load_corpus() if Path(d.path).parent == corpus_dir()]


def test_every_section_cites_sources_and_every_source_is_cited() -> None:
    problems = [p for doc in _shipped() for p in section_problems(doc)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(p.stem for p in (corpus_dir() / "data").glob("*.yaml")))
def test_every_data_table_source_is_used_by_a_row(name: str) -> None:
    table = load_table(name)
    assert list(_rows(table)), f"{name}.yaml has no sourced rows"
    problems = table_source_problems(name, table)
    assert not problems, "\n".join(problems)


def test_ranges_stated_in_documents_agree_with_the_fee_table() -> None:
    figures = derived_figures()
    claims = [c for doc in _shipped() for c in table_claims(doc.id, doc.body, figures)]
    problems = [p for p in (c.problem() for c in claims) if p]
    assert not problems, "\n".join(problems)
    # Each range the corpus summarises is actually stated (and therefore checked) somewhere.
    assert {c.figure.name for c in claims if c.figure} == {f.name for f in figures}


def test_derived_figures_match_hand_worked_values() -> None:
    by_name = {f.name: f for f in derived_figures()}
    # 46–65人: 2 of 6.5 初审人日 = 30.8 %; 1–10人: 1.5 of 3 = 50 %.
    assert (round(by_name["监督评审人日数占初审的比例"].low, 1), by_name["监督评审人日数占初审的比例"].high) == (30.8, 50)
    # 86–125人: 5 of 8.5 = 58.8 %; 1–10人: 2 of 3 = 66.7 % (the last band's 复评 is missing).
    assert round(by_name["复评人日数占初审的比例"].low, 1) == 58.8
    assert round(by_name["复评人日数占初审的比例"].high, 1) == 66.7
    # 1000 + 2000 + 2000 + 3 × 3000 and + 25 × 3000; 1.5 × 3000 + 2000 and 8.5 × 3000 + 2000.
    assert (by_name["首年费用"].low, by_name["首年费用"].high) == (14_000, 80_000)
    assert (by_name["监督评审年度费用"].low, by_name["监督评审年度费用"].high) == (6_500, 27_500)


# --- the checks themselves catch what they should --------------------------------------------------

FRONT = """---
id: sample
title: 样例
kind: faq
sources:
  - title: 来源甲
    url: null
  - title: 来源乙
    url: null
confidence: 单源
---
"""


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ("## 有效期\n<!-- 来源: 1, 2 -->\n证书有效期为3年。\n", []),
        ("## 有效期\n证书有效期为3年。\n", ["有效期: 小节没有来源标注", "来源 1", "来源 2"]),
        ("## 有效期\n<!-- 来源: 1 -->\n证书有效期为3年。\n", ["来源 2（来源乙）没有被任何小节引用"]),
        ("证书有效期为3年。\n## 有效期\n<!-- 来源: 1, 2 -->\n文字。\n", ["第一个小节标题之前"]),
        ("## 甲\n<!-- 来源: 1 -->\n文字。\n### 乙\n文字。\n<!-- 来源: 2 -->\n", ["乙: 小节没有来源标注", "来源 2"]),
    ],
)
def test_section_problems(tmp_path: Path, body: str, fragments: list[str]) -> None:
    path = tmp_path / "sample.md"
    path.write_text(FRONT + body, encoding="utf-8")
    problems = section_problems(load_document(path))
    assert len(problems) == len(fragments), problems
    for fragment, problem in zip(fragments, problems, strict=True):
        assert fragment in problem


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"sources": {"a": {}}, "rows": [{"source": "a"}]}, []),
        ({"sources": {"a": {}, "b": {}}, "rows": [{"source": "a"}]}, ["来源 'b' 没有被任何行使用"]),
        ({"sources": {"a": {}}, "rows": [{"source": ["a", "c"]}]}, ["不存在的来源 'c'"]),
        ({"sources": {"a": {}, "b": {}}, "set": {"source": "a", "categories": [{"source": ["b"]}]}}, []),
    ],
)
def test_table_source_problems(table: dict[str, Any], expected: list[str]) -> None:
    problems = table_source_problems("t", table)
    assert len(problems) == len(expected), problems
    for fragment, problem in zip(expected, problems, strict=True):
        assert fragment in problem


@pytest.mark.parametrize(
    ("sentence", "fragment"),
    [
        ("按收费人日数对照表推算，监督评审的人日数约为初次评审的30.8%至50%。", None),
        ("按收费人日数对照表推算，复评的人日数约为初次评审的58.8%至66.7%。", None),
        ("按收费标准推算，首次认证当年（首年）的费用在14,000元至80,000元之间。", None),
        ("按收费标准推算，每个监督评审年度的费用在6500元至27500元之间。", None),
        ("监督评审约为初审人日的三分之一，即约35%。", None),
        # Today's wrong figures (issue 9, items 1 and 2) and an unsourced range.
        ("按收费人日数对照表推算，监督评审的人日数约为初次评审的35%至50%。", "收费表推算的监督评审人日数占初审的比例是31%至50%"),
        ("按收费人日数对照表推算，复评的人日数约为初次评审的65%至70%。", "复评人日数占初审的比例是59%至67%"),
        ("监督评审的人日数约为初审的31%至50%；复评约为初审的65%至70%。", "是59%至67%"),
        ("按收费标准推算，首年费用在5000元到50000元之间。", "是14000元至80000元"),
        ("监督评审的人日数约为初审的60%。", "不在收费表推算的监督评审人日数占初审的比例范围内"),
        ("按对照表推算，人日数约为初次评审的40%。", "看不出是哪一列"),
    ],
)
def test_table_claims(sentence: str, fragment: str | None) -> None:
    claims = table_claims("sample", sentence, derived_figures())
    assert claims, "the sentence states a figure about the table"
    problems = [p for p in (c.problem() for c in claims) if p]
    if fragment is None:
        assert problems == []
    else:
        assert len(problems) == 1 and fragment in problems[0], problems


def test_a_source_says_range_is_not_a_table_claim() -> None:
    # A single web page's rough range is reported as such, not worked out from the table.
    assert table_claims("faq", "有网页称总费用大约在5000元到50000元之间。", derived_figures()) == []
