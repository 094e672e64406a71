"""Score ratings: every threshold boundary, score sheets, the self-assessment checklist, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from assistant.calculators.scoring import levels, rate_score, score_sheet, self_assess
from assistant.cli import main
from assistant.data import load_table, source_keys
from assistant.errors import InputError
from assistant.render.basis import rating_basis
from assistant.render.jsondata import assessment_chart, assessment_data
from assistant.render.phrases import assessment_caveats, rating_caveats


def test_levels_come_from_the_table_in_ascending_order() -> None:
    assert [(lv.key, lv.name, lv.min) for lv in levels()] == [
        ("fail", "未达标", 0),
        ("pass", "达标", 70),
        ("three", "三星", 80),
        ("four", "四星", 90),
        ("five", "五星", 95),
    ]
    table = load_table("star_levels")
    for section in ("levels", "rules", "caveats"):
        for row in table[section]:
            assert source_keys(row["source"]) and set(source_keys(row["source"])) <= set(table["sources"]), row


# (score, level key, next level key, gap). The gap is exact: 94.99 is 0.01 short of 95, not 0.0099999.
THRESHOLDS = [
    (0, "fail", "pass", 70),
    (69.99, "fail", "pass", 0.01),
    (70, "pass", "three", 10),
    (79.99, "pass", "three", 0.01),
    (80, "three", "four", 10),
    (89.99, "three", "four", 0.01),
    (90, "four", "five", 5),
    (94.99, "four", "five", 0.01),
    (95, "five", None, None),
    (100, "five", None, None),
]


@pytest.mark.parametrize(("score", "level", "next_level", "gap"), THRESHOLDS)
def test_threshold_boundaries(score: float, level: str, next_level: str | None, gap: float | None) -> None:
    rating = rate_score(score)
    assert rating.level.key == level
    assert (rating.next_level.key if rating.next_level else None) == next_level
    assert rating.gap == gap


@pytest.mark.parametrize(("text", "level"), [("92", "four"), ("92分", "four"), ("８９.５", "three"), (" 70 ", "pass")])
def test_numeric_strings(text: str, level: str) -> None:
    assert rate_score(text).level.key == level


def test_star_caveats_cite_their_rows() -> None:
    rating = rate_score(92)
    text = "".join(rating_caveats(rating))
    assert "达标满一年" in text and "少于5项" in text
    basis = rating_basis(rating)
    assert [p.section for p in basis] == [
        "星级对照表 四星级 ≥90分",
        "星级对照表 五星级 ≥95分",
        "说明 达标满一年再评星",
        "说明 特别扣分与评星",
    ]
    assert all(p.doc_id == "data:star_levels" for p in basis)
    assert basis[0].text == "总分达到90分（含90分）以上为四星级。"


def test_no_star_caveats_below_three_stars() -> None:
    assert rating_caveats(rate_score(75)) == ()
    assert rating_basis(rate_score(50))[0].text == "总分低于70分为未达标。"


@pytest.mark.parametrize(("target", "gap"), [("five", 15), ("五星", 15), ("五星级", 15), ("四星", 10), ("达标", None)])
def test_target_level_gap(target: str, gap: float | None) -> None:
    rating = rate_score(80, target=target)
    assert rating.target_gap == gap
    assert rating.level.key == "three"


def test_unknown_target_level() -> None:
    with pytest.raises(InputError, match="未知的等级“六星”"):
        rate_score(80, target="六星")


def test_five_special_deductions_block_stars() -> None:
    blocked = rate_score(92, special_deductions=5)
    assert blocked.star_blocked
    assert "不评定星级" in rating_caveats(blocked)[0] and "达标" in rating_caveats(blocked)[0]
    assert not rate_score(92, special_deductions=4).star_blocked
    assert not rate_score(75, special_deductions=9).star_blocked  # no star to block


BAD_SCORES = [
    (-0.01, "应在 0–100 分之间"),
    (100.01, "应在 0–100 分之间"),
    (101, "应在 0–100 分之间"),
    ("120分", "应在 0–100 分之间"),
    ("abc", "无法识别评分"),
    ("", "无法识别评分"),
    (None, "无法识别评分"),
    (True, "无法识别评分"),
    (math.nan, "不是有效数字"),
    (math.inf, "不是有效数字"),
    ("nan", "不是有效数字"),
]


@pytest.mark.parametrize(("value", "fragment"), BAD_SCORES)
def test_bad_scores_raise_input_error(value: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        rate_score(value)
    assert fragment in str(info.value)


# --- score sheets ------------------------------------------------------------------------------

SHEET = {
    "items": [
        {"name": "服务理念", "max": 10, "score": 9},
        {"name": "配送安装", "max": 10, "applicable": False},
        {"name": "投诉处理", "max": 10, "score": 9.5},
    ]
}


def test_sheet_leaves_deleted_items_out_of_the_total() -> None:
    rating = score_sheet(SHEET)
    # (9 + 9.5) / (10 + 10) × 100 = 92.5: the deleted 配送安装 is in neither sum.
    assert rating.sheet is not None
    assert (rating.sheet.earned, rating.sheet.possible) == (18.5, 20)
    assert rating.score == 92.5 and rating.level.key == "four"
    assert rating.sheet.deleted == ("配送安装",)
    assert "评分规则 删减与计分公式" in [p.section for p in rating_basis(rating)]


@pytest.mark.parametrize(
    ("deductions", "bonus", "expected"),
    [(1, 0, 91.5), (0, 1, 93.5), (2, 1, 91.5), (["违规1", "违规2", "违规3"], True, 90.5)],
)
def test_sheet_special_items(deductions: object, bonus: object, expected: float) -> None:
    rating = score_sheet({**SHEET, "special_deductions": deductions, "special_bonus": bonus})
    assert rating.score == expected
    assert any("折算百分制" in c for c in rating_caveats(rating))


def test_sheet_bonus_cannot_pass_the_maximum() -> None:
    full = {"items": [{"name": "a", "max": 5, "score": 5}], "special_bonus": 1}
    assert score_sheet(full).score == 100


def test_sheet_with_five_deductions_is_star_blocked() -> None:
    full = {"items": [{"name": "a", "max": 5, "score": 5}], "special_deductions": 5}
    rating = score_sheet(full)
    assert rating.score == 95 and rating.star_blocked


def test_sheet_accepts_chinese_keys() -> None:
    sheet = {"items": [{"指标": "服务承诺", "分值": 4, "得分": 3}, {"指标": "维修", "分值": 4, "删减": True}]}
    assert score_sheet(sheet).score == 75


BAD_SHEETS = [
    ({}, "缺少 items"),
    ({"items": []}, "缺少 items"),
    ([1, 2], "评分表应为对象"),
    ({"items": ["x"]}, "第1项应为包含"),
    ({"items": [{"name": "a", "max": 5, "score": 6}]}, "超过该项分值"),
    ({"items": [{"name": "a", "max": 5}]}, "缺少得分"),
    ({"items": [{"name": "a", "score": 5}]}, "缺少分值"),
    ({"items": [{"name": "a", "max": 0, "score": 0}]}, "应大于 0"),
    ({"items": [{"name": "a", "max": 5, "score": "很好"}]}, "应为数字"),
    ({"items": [{"name": "a", "max": 5, "score": -1}]}, "非负"),
    ({"items": [{"name": "a", "max": 5, "applicable": False}]}, "所有指标都被删减"),
    ({"items": [{"name": "a", "max": 5, "score": 1}, {"name": "a", "max": 5, "score": 1}]}, "指标重复：a"),
    ({"items": [{"name": "a", "max": 5, "score": 5}], "special_bonus": 2}, "特别加分项最多 1 项"),
    ({"items": [{"name": "a", "max": 5, "score": 5}], "special_deductions": -1}, "非负整数"),
    ({"items": [{"name": "a", "max": 5, "score": 5, "applicable": "否"}]}, "true 或 false"),
]


@pytest.mark.parametrize(("sheet", "fragment"), BAD_SHEETS)
def test_bad_sheets_raise_input_error(sheet: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        score_sheet(sheet)  # type: ignore[arg-type]
    assert fragment in str(info.value)


# --- self-assessment ---------------------------------------------------------------------------


def _indicators(kind: str) -> list[tuple[str, list[str]]]:
    node = load_table("indicators")["sbt10401"][kind]
    return [(c["name"], c["indicators"]) for c in node["categories"]]


def test_indicator_lists_have_the_published_counts() -> None:
    for kind, categories, count in (("production", 8, 27), ("sales_service", 8, 23)):
        cats = _indicators(kind)
        assert len(cats) == categories and sum(len(i) for _, i in cats) == count
    gbt = load_table("indicators")["gbt27922"]
    assert [c["name"] for c in gbt["categories"]] == ["售后服务体系", "商品服务", "顾客服务"]
    assert sum(len(c["indicators"]) for c in gbt["categories"]) == 15
    assert "推断" in gbt["note"]


def test_self_assess_equal_weights_and_weakest_category() -> None:
    answers = {name: "符合" for _, names in _indicators("production") for name in names}
    for name in ("服务理念", "服务承诺", "服务策略", "服务目标"):
        answers[name] = "部分符合"
    result = self_assess("生产型", answers)
    # 23 × 1 + 4 × 0.5 = 25 of 27 equal weights: 92.59, which maps to 四星.
    assert result.score == pytest.approx(25 / 27 * 100)
    assert result.level.key == "four"
    assert result.weakest == ("服务文化",)
    assert assessment_data(result)["label"] == "估算" and "估算" in assessment_caveats(result)[0]
    chart = assessment_chart(result)
    assert len(chart) == 8 and chart[0] == {"category": "服务文化", "percent": 50.0}


def test_self_assess_not_applicable_and_unanswered_are_left_out() -> None:
    answers = {"质量保证": "符合", "产品退换货": "不符合", "维修网点设置": "不适用"}
    result = self_assess("sales_service", answers)
    assert result.kind_name == "销售服务型"
    assert result.score == 50
    assert result.not_applicable == ("维修网点设置",)
    assert len(result.unanswered) == 20
    assert result.weakest == ("产品保证",)
    assert any("未作答" in c for c in assessment_caveats(result))


def test_self_assess_all_met_names_no_weak_category() -> None:
    answers = {name: "符合" for _, names in _indicators("sales_service") for name in names}
    result = self_assess("销售服务型", answers)
    assert result.score == 100 and result.level.key == "five" and result.weakest == ()


@pytest.mark.parametrize(
    ("kind", "answers", "fragment"),
    [
        ("服务型", {"服务理念": "符合"}, "未知的企业类型"),
        ("生产型", {"不存在的指标": "符合"}, "清单中没有指标：不存在的指标"),
        ("生产型", {"服务理念": "还行"}, "答案“还行”无效"),
        ("生产型", {"服务理念": "不适用"}, "没有可计算的指标"),
        ("生产型", {}, "没有可计算的指标"),
    ],
)
def test_self_assess_bad_input(kind: str, answers: dict[str, str], fragment: str) -> None:
    with pytest.raises(InputError) as info:
        self_assess(kind, answers)
    assert fragment in str(info.value)


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_score_total_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--total", "92", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["level"]["key"] == "four" and data["gap"] == 3


def test_cli_score_total_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--total", "94.99"]) == 0
    out = capsys.readouterr().out
    assert "等级：四星级" in out and "还差 0.01 分" in out


def test_cli_score_sheet_json_and_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet_json = tmp_path / "sheet.json"
    sheet_json.write_text(json.dumps(SHEET, ensure_ascii=False), encoding="utf-8")
    assert main(["score", "--sheet", str(sheet_json), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 92.5
    sheet_yaml = tmp_path / "sheet.yaml"
    sheet_yaml.write_text(yaml.safe_dump(SHEET, allow_unicode=True), encoding="utf-8")
    assert main(["score", "--sheet", str(sheet_yaml)]) == 0
    out = capsys.readouterr().out
    assert "删减（不适用，不计入）：配送安装" in out and "评分：92.5 分" in out


def test_cli_self_assessment_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "self.yaml"
    path.write_text(yaml.safe_dump({"kind": "销售服务型", "answers": {"质量保证": "符合", "产品退换货": "不符合"}},
                                   allow_unicode=True), encoding="utf-8")
    assert main(["score", "--sheet", str(path)]) == 0
    out = capsys.readouterr().out
    assert "【估算】销售服务型企业自评：50 分" in out and "最薄弱的单项：产品保证" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--total", "101"], "应在 0–100 分之间"),
        (["--total", "-1"], "应在 0–100 分之间"),
        (["--total", "九十"], "无法识别评分"),
        (["--sheet", "missing.json"], "找不到评分表文件"),
        (["--sheet", "sheet.txt"], "应为 .json 或 .yaml"),
    ],
)
def test_cli_score_bad_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str], fragment: str) -> None:
    assert main(["score", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]


def test_cli_score_malformed_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{items: ", encoding="utf-8")
    assert main(["score", "--sheet", str(path)]) == 2
    assert "不是合法的 JSON" in capsys.readouterr().err
