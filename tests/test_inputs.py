"""The one validation layer for typed numbers and names, and the absurd inputs that used to break
the calculators (issue 10 item 9): each is now a one-line Chinese message and exit code 2."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from pathlib import Path

import pytest

from assistant import inputs
from assistant.calculators.fees import quote_fee
from assistant.calculators.scoring import rate_score, score_sheet
from assistant.cli import main
from assistant.errors import InputError
from assistant.render.jsondata import dumps
from assistant.render.style import md_escape

NINES = "9" * 5000


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1200, 1200), (1200.0, 1200), ("1,200", 1200), ("１２００", 1200), (" 1200人 ", 1200), ("+8", 8), ("8名", 8)],
)
def test_headcount_reads_what_people_type(value: object, expected: int) -> None:
    assert inputs.headcount(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (NINES, "太长"),
        ("1" * 33, "太长"),
        ("1e3", "无法识别员工人数"),
        ("0x10", "无法识别员工人数"),
        ("12\udcff", "无法识别员工人数"),
        pytest.param(-(10**5000), "必须大于 0", id="minus-10**5000"),
        (math.inf, "不是有效数字"),
        (Decimal("1200"), "无法识别员工人数"),
    ],
)
def test_headcount_refuses_absurd_values_in_one_short_line(value: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        inputs.headcount(value)
    message = str(info.value)
    assert fragment in message and len(message) < 120
    message.encode("utf-8")  # a broken byte in the input is escaped in the message, not passed on


@pytest.mark.parametrize(
    "value", ["1e18", 1e18, "1e307", 1e307, "1e999", 10**30, "1000001", pytest.param(10**5000, id="10**5000")]
)
def test_money_is_bounded(value: object) -> None:
    with pytest.raises(InputError, match="超出合理范围（最高 1,000,000 元）"):
        inputs.money(value, "每人日评审费")


@pytest.mark.parametrize("value", ["nan", "sNaN", "-inf", "Infinity", math.nan, -1, "-0.5", "三千", True, None, [3000]])
def test_money_must_be_a_finite_non_negative_number(value: object) -> None:
    with pytest.raises(InputError, match="每人日评审费应为非负数字"):
        inputs.money(value, "每人日评审费")


@pytest.mark.parametrize(("value", "expected"), [("2,500", 2500.0), ("2500元", 2500.0), (0, 0.0), ("1e3", 1000.0)])
def test_money_reads_typed_amounts(value: object, expected: float) -> None:
    assert inputs.money(value, "每人日评审费") == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("sNaN", "不是有效数字"),
        (Decimal("sNaN"), "不是有效数字"),
        ("NaN", "不是有效数字"),
        ("-Infinity", "不是有效数字"),
        ("1e400", "应在 0–100 分之间"),
        (NINES, "太长"),
    ],
)
def test_score_refuses_signalling_nan_and_absurd_values(value: object, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        rate_score(value)


def test_counts_and_sheet_points_are_bounded() -> None:
    with pytest.raises(InputError, match="超出合理范围"):
        rate_score(92, special_deductions=10**12)
    with pytest.raises(InputError, match="超出合理范围"):
        score_sheet({"items": [{"name": "a", "max": 1e308, "score": 1e308}]})
    with pytest.raises(InputError, match="最多 1000 项"):
        score_sheet({"items": [{"name": f"指标{i}", "max": 1, "score": 1} for i in range(1001)]})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("  某某公司  ", "某某公司"), ("某某\n公司\t（北京）", "某某 公司 （北京）")],
)
def test_names_are_one_line(value: object, expected: str | None) -> None:
    assert inputs.name(value, "公司名称") == expected


@pytest.mark.parametrize(
    ("value", "fragment"), [("某" * 121, "太长（121 个字符，最多 120 个）"), ("某\udcff", "无法识别的字符"), (123, "应为文字")]
)
def test_names_refuse_what_cannot_be_printed(value: object, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        inputs.name(value, "公司名称")


def test_markdown_escape_folds_lines_and_neutralises_markup() -> None:
    assert md_escape("a\r\n- b") == "a - b"
    assert md_escape("*x* _y_ [l](u) <b> & `c` | ~z~ \\") == r"\*x\* \_y\_ \[l\](u) \<b\> \& \`c\` \| \~z\~ \\"


def test_json_output_refuses_nan_and_infinity() -> None:
    assert dumps({"total": 53000, "company": "某某"}) == '{"total": 53000, "company": "某某"}'
    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError):
            dumps({"total": bad})


# --- issue 10 item 9, as reported ------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["quote", "--employees", "1200", "--rate=1e307", "--json"], "每人日评审费 1e307 元超出合理范围"),
        (["quote", "--employees", "1200", "--rate=1e18"], "超出合理范围"),
        (["quote", "--employees", NINES], "员工人数“99999999999999999999…（共5000个字符）”太长"),
        (["score", "--total", "sNaN"], "评分“sNaN” 不是有效数字"),
        (["score", "--total", "sNaN", "--json"], "不是有效数字"),
        (["quote", "--employees", "1200", "--company", "某" * 3000, "--format", "pdf", "--out", "q.pdf"], "公司名称太长"),
    ],
)
def test_reported_absurd_inputs_exit_2_with_one_chinese_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("错误：") and fragment in err, err
    assert not (tmp_path / "q.pdf").exists()


def test_quote_json_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "quote", "--employees", "1200", "--rate", "1,000,000", "--json")
    assert code == 0
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))
    assert data["rate"] == 1_000_000 and data["first_year_total"] == 5_000 + 16 * 1_000_000


def test_quote_with_a_huge_rate_is_refused_before_any_arithmetic() -> None:
    with pytest.raises(InputError, match="超出合理范围"):
        quote_fee(1200, rate=1e18)
    with pytest.raises(InputError, match=re.escape("审定与注册费（含证书费） 1e+307 元超出合理范围")):
        quote_fee(1200, items={"registration": 1e307})
