"""Quotes as sales staff use them: the register (numbering, concurrency, re-issue), the seller block
and validity, lines the user adds, band-edge notes, Excel with live formulas, batches from CSV/XLSX,
the chat's "生成报价单", and totals that agree at every band edge in every format."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from test_fees import ANNUAL, FIXED_FIRST_YEAR, RATE, TABLE

from assistant import dialogue
from assistant.calculators.fees import USER_SOURCE, quote_fee
from assistant.cli import main
from assistant.db import schema_version
from assistant.errors import InputError
from assistant.quotes.batch import SUMMARY_NAME, read_companies, run_batch
from assistant.quotes.chat import asks_for_document, company_in
from assistant.quotes.files import write_atomically, write_quote
from assistant.quotes.issue import Issue, Seller
from assistant.quotes.register import COMPONENT, QuoteNotFoundError, open_register
from assistant.quotes.settings import QuoteSettings, SettingsError, quote_settings
from assistant.render.chat import quote_answer
from assistant.render.document import quote_document
from assistant.render.html import quote_html
from assistant.render.jsondata import issued_quote_data, quote_data
from assistant.render.markdown import quote_markdown
from assistant.render.numbers import format_amount
from assistant.render.phrases import USER_LINE, band_edge_note

DAY = date(2026, 3, 2)
EDGES = [pytest.param(n, row, id=f"{n}人") for row in TABLE for n in sorted({row[0], row[1]})]


def _today() -> str:
    return f"{date.today():%Y%m%d}"


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(str(path)).pages))


def evaluate(path: Path) -> dict[str, Any]:
    """Every formula of a workbook computed by an independent Excel engine (`formulas`), by
    'SHEET!CELL' (upper case)."""
    import formulas

    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    values: dict[str, Any] = {}
    for key, result in solution.items():
        sheet, _, cell = key.rpartition("!")
        name = sheet.strip("'").split("]", 1)[-1]
        value = getattr(result, "value", result)
        values[f"{name}!{cell}".upper()] = value[0][0] if hasattr(value, "__getitem__") and not isinstance(value, str) else value
    return values


def _row_of(ws: Any, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return int(row[0].row)
    raise LookupError(label)


# ---------------------------------------------------------------------------------------------
# The register.


def test_numbers_are_per_day_gapless_and_records_keep_what_was_issued() -> None:
    seller = Seller("某某认证服务有限公司", "王经理", "010-12345678", "sales@example.com")
    settings = QuoteSettings(seller, 30)
    with open_register() as register:
        first = register.issue(quote_fee(1200, company="甲公司"), channel="cli", contact="张三", settings=settings, today=DAY)
        second = register.issue(quote_fee(8), channel="ui", settings=settings, today=DAY)
        next_day = register.issue(quote_fee(8), channel="cli", settings=settings, today=DAY + timedelta(days=1))
        assert [first.issue.number, second.issue.number, next_day.issue.number] == [
            "SH-20260302-0001", "SH-20260302-0002", "SH-20260303-0001",
        ]
        saved = register.get(" sh-20260302-0001 ")
        assert saved.quote == first.quote and saved.issue == first.issue and saved.channel == "cli"
        assert saved.issue.valid_until == DAY + timedelta(days=30) and saved.issue.seller == seller
        assert saved.issue.contact == "张三"
        assert schema_version(register.conn, COMPONENT) == 1
        with pytest.raises(QuoteNotFoundError, match="找不到报价单 SH-1"):
            register.get("SH-1")
        listed = register.list()
        assert [s.number for s in listed] == ["SH-20260303-0001", "SH-20260302-0002", "SH-20260302-0001"]
        assert [s.number for s in register.list(company="甲")] == ["SH-20260302-0001"]
        assert [s.number for s in register.list(search="0302-0002")] == ["SH-20260302-0002"]
        assert [s.number for s in register.list(since=DAY + timedelta(days=1))] == ["SH-20260303-0001"]
        assert register.list(company="%") == []  # LIKE wildcards are searched as text


def _issue_many(home: str, worker: int, count: int) -> None:
    import os

    os.environ["ASSISTANT_HOME"] = home
    from assistant.calculators.fees import quote_fee
    from assistant.quotes.register import open_register
    from assistant.quotes.settings import QuoteSettings

    with open_register() as register:
        for i in range(count):
            register.issue(
                quote_fee(100 + i, company=f"进程{worker}-{i}"), channel="batch", settings=QuoteSettings(None, 30)
            )


def test_concurrent_processes_get_unique_gapless_numbers(_isolated_home: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_issue_many, args=(str(_isolated_home), w, 15)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with open_register() as register:
        numbers = sorted(s.number for s in register.list())
        companies = {register.get(n).quote.company for n in numbers}
    assert numbers == [f"SH-{_today()}-{i:04d}" for i in range(1, 61)]
    assert len(companies) == 60  # every process's every quote, none overwritten


def test_concurrent_cli_invocations(_isolated_home: Path) -> None:
    env = {**__import__("os").environ, "ASSISTANT_HOME": str(_isolated_home)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "quote", "--employees", str(100 + i), "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        )
        for i in range(6)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [e for _, e in outputs]
    numbers = sorted(json.loads(out)["number"] for out, _ in outputs)
    assert numbers == [f"SH-{_today()}-{i:04d}" for i in range(1, 7)]


def test_reissue_is_identical_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["quote", "--employees", "1176", "--company", "某某·电器<有限>公司", "--contact", "张三",
            "--travel-rate", "800", "--consulting", "20000", "--discount", "8.5折"]
    code, issued_md, err = _cli(args, capsys)
    assert code == 0
    number = re.search(r"报价单号：(SH-\d{8}-\d{4})", issued_md).group(1)  # type: ignore[union-attr]
    assert f"已保存报价单 {number}" in err
    code, shown, _ = _cli(["quote", "show", number], capsys)
    assert code == 0 and shown == issued_md  # byte-identical Markdown
    files = {}
    for suffix in ("md", "pdf", "xlsx"):
        for copy in (1, 2):
            out = tmp_path / f"{copy}.{suffix}"
            code, said, _ = _cli(["quote", "export", number.lower(), "--out", str(out)], capsys)
            assert code == 0 and number in said
            files[(suffix, copy)] = out
    assert files[("md", 1)].read_text(encoding="utf-8") == issued_md
    # PDF: same bytes (creation date = issue date, invariant ID), hence same content.
    assert files[("pdf", 1)].read_bytes() == files[("pdf", 2)].read_bytes()
    assert PdfReader(str(files[("pdf", 1)])).metadata.creation_date.date() == date.today()  # type: ignore[union-attr]
    # XLSX: the zip carries write times, so compare every cell's value, format and type.
    assert _cells(files[("xlsx", 1)]) == _cells(files[("xlsx", 2)])


def _cells(path: Path) -> list[tuple[str, str, Any, str]]:
    workbook = load_workbook(path)
    return [
        (ws.title, cell.coordinate, cell.value, cell.number_format)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_saved_quote_reissues_unchanged_after_the_fee_table_changes(
    data_tables: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant import data

    code, before, _ = _cli(["quote", "--employees", "1200"], capsys)
    number = re.search(r"报价单号：(\S+)", before).group(1)  # type: ignore[union-attr]
    path = data_tables / "fees.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    table["items"][3]["amount"] = 3500  # the audit rate goes up after the quote was issued
    path.write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")
    for fn in (data.load_table, data.fee_table):
        fn.cache_clear()
    assert quote_fee(1200).item("audit").amount == 56_000
    code, after, _ = _cli(["quote", "show", number], capsys)
    assert code == 0 and after == before and "48,000" in after


def test_list_json_contract_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    for company, n in (("甲电器", "1200"), ("乙科技", "8"), ("甲电器二厂", "30")):
        assert _cli(["quote", "--employees", n, "--company", company, "--json"], capsys)[0] == 0
    code, out, _ = _cli(["quote", "list", "--company", "甲电器", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0 and [r["company"] for r in rows] == ["甲电器二厂", "甲电器"]
    assert {"number", "company", "employees", "total", "issued"} <= set(rows[0])
    assert rows[1]["total"] == 53000 and rows[1]["employees"] == 1200 and rows[1]["issued"] == date.today().isoformat()
    code, out, _ = _cli(["quote", "list", "--since", (date.today() + timedelta(days=1)).isoformat(), "--json"], capsys)
    assert json.loads(out) == []
    code, out, _ = _cli(["quote", "list"], capsys)
    assert out.count("\n") == 4 and "乙科技" in out and "53,000" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["quote", "show", "SH-19990101-0001"], "找不到报价单"),
        (["quote", "export", "SH-19990101-0001", "--out", "x.pdf"], "找不到报价单"),
        (["quote", "export", "SH-19990101-0001", "--out", "x.txt"], "--format pdf"),
        (["quote", "list", "--since", "2026-02-30"], "不是有效日期"),
        (["quote"], "--employees"),
        (["quote", "--employees", "1200", "--valid-days", "0"], "1–365"),
        (["quote", "--employees", "1200", "--valid-days", "400"], "1–365"),
        (["quote", "--employees", "1200", "--out-dir", "x"], "--batch"),
        (["quote", "--batch", "x.csv"], "--out-dir"),
    ],
)
def test_register_cli_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], fragment: str) -> None:
    code, out, err = _cli(args, capsys)
    assert code == 2 and out == ""
    assert err.startswith("错误：") and fragment in err and err.count("\n") == 1


def test_a_bad_output_path_saves_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _cli(["quote", "--employees", "1200", "--out", str(tmp_path / "no" / "q.pdf")], capsys)
    assert code == 2 and "不存在" in err
    with open_register() as register:
        assert register.list() == []


# ---------------------------------------------------------------------------------------------
# Seller block and validity.


def test_settings_file_and_environment(_isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert quote_settings({}) == QuoteSettings(None, 30)
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "settings.yaml").write_text(
        "seller:\n  company: 某某认证服务有限公司\n  person: 王经理\n  phone: 010-12345678\n"
        "  email: sales@example.com\nquote:\n  valid_days: 15\n",
        encoding="utf-8",
    )
    assert quote_settings({}) == QuoteSettings(Seller("某某认证服务有限公司", "王经理", "010-12345678", "sales@example.com"), 15)
    env = {"ASSISTANT_SELLER_PERSON": "李四", "ASSISTANT_QUOTE_VALID_DAYS": "45"}
    settings = quote_settings(env)
    assert settings.seller == Seller("某某认证服务有限公司", "李四", "010-12345678", "sales@example.com")
    assert settings.valid_days == 45


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        ("seller: [1, 2]\n", {}, "seller 应为映射"),
        ("seller:\n  mail: a@b.cn\n", {}, "未知字段 mail"),
        ("seller:\n  email: 不是邮箱\n", {}, "email（邮箱）"),
        ("seller:\n  phone: 打我电话\n", {}, "phone（电话）"),
        ("seller:\n  company: " + "某" * 121 + "\n", {}, "company（报价方公司）"),
        ("quote:\n  valid_days: 0\n", {}, "quote.valid_days"),
        ("", {"ASSISTANT_QUOTE_VALID_DAYS": "一个月"}, "ASSISTANT_QUOTE_VALID_DAYS"),
        ("", {"ASSISTANT_SELLER_EMAIL": "x@"}, "ASSISTANT_SELLER_EMAIL"),
        ("seller: {company: [\n", {}, "不是合法的 YAML"),
    ],
)
def test_bad_settings_name_the_file_or_variable_and_field(
    _isolated_home: Path, text: str, env: dict[str, str], fragment: str
) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "settings.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(fragment)):
        quote_settings(env)


def test_cli_with_bad_settings_exits_1_before_saving(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "settings.yaml").write_text("seller:\n  email: nope\n", encoding="utf-8")
    code, out, err = _cli(["quote", "--employees", "1200"], capsys)
    assert code == 1 and out == "" and "settings.yaml" in err and "email" in err


def test_seller_contact_and_validity_in_every_format(tmp_path: Path) -> None:
    seller = Seller("某某认证服务有限公司", "王经理", "010-12345678", "sales@example.com")
    issue = Issue("SH-20260302-0009", DAY, DAY + timedelta(days=30), "张三", seller)
    quote = quote_fee(1200, company="甲公司")
    doc = quote_document(quote, issue)
    md = quote_markdown(doc)
    for expected in ("- 有效期至：2026-04-01（30 天内有效）", "- 客户联系人：张三", "- 报价方：某某认证服务有限公司",
                     "- 报价联系人：王经理", "- 电话：010-12345678", "- 邮箱：sales@example.com"):
        assert expected in md
    pdf = _pdf_text(write_quote(doc, tmp_path / "q.pdf", "pdf"))
    for expected in ("有效期至2026-04-01", "客户联系人张三", "报价方某某认证服务有限公司", "sales@example.com"):
        assert expected in pdf
    ws = load_workbook(write_quote(doc, tmp_path / "q.xlsx", "xlsx"))["报价单"]
    assert ws.cell(_row_of(ws, "报价方"), 2).value == "某某认证服务有限公司"
    assert ws.cell(_row_of(ws, "有效期至"), 2).value == "2026-04-01（30 天内有效）"
    data = issued_quote_data(quote, issue)
    assert data["seller"]["phone"] == "010-12345678" and data["valid_until"] == "2026-04-01"


# ---------------------------------------------------------------------------------------------
# Lines the user adds.


def test_travel_per_visit_recurs_in_every_audit_year() -> None:
    quote = quote_fee(1200, travel=3000)
    assert quote.first_year_total == 53_000 + 3000
    assert [y.total for y in quote.years] == [56_000, 21_500, 21_500]
    assert quote.cycle_total == 99_000
    assert quote.recert.total == 33_000
    travel = quote.extras[0]
    assert (travel.origin, travel.source, travel.amount) == ("user", USER_SOURCE, 3000)


def test_travel_per_onsite_day_uses_the_tables_onsite_days() -> None:
    quote = quote_fee(1200, travel_rate=800)  # on-site 14 / 4.5 / 9 person-days in 1176–1550
    assert [line.amount for y in quote.years for line in y.items if line.key == "travel"] == [11_200, 3600, 3600]
    assert quote.recert.total == 30_000 + 7200


def test_consulting_and_discount_count_in_the_first_year_only() -> None:
    quote = quote_fee(1200, consulting=20_000, discount="10%")
    assert quote.discount_percent == 10
    assert quote.extras[-1].amount == -7300  # 10% of 53,000 + 20,000
    assert quote.first_year_total == 53_000 + 20_000 - 7300
    assert quote.years[1].total == 18_500 and quote.cycle_total == 65_700 + 2 * 18_500
    assert quote_fee(1200, discount="9折").first_year_total == 53_000 - 5300
    assert quote_fee(1200, discount="85折").first_year_total == 53_000 - 7950
    assert quote_fee(1200, discount="2,500元").first_year_total == 50_500
    assert quote_fee(1200, discount="0").extras == ()


def test_percent_discounts_round_to_the_fen() -> None:
    quote = quote_fee(8, rate="1234.57", discount="3.3%")  # 5,000 + 3 × 1,234.57 = 8,703.71
    assert quote.extras[0].amount == -287.22  # 287.22243 -> 287.22
    assert quote.first_year_total == 8416.49


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"travel": -1}, "差旅费（每次现场评审）应为非负数字"),
        ({"travel": "1e9"}, "超出合理范围"),
        ({"travel_rate": "abc"}, "差旅费单价（元/现场人日）应为非负数字"),
        ({"travel": 100, "travel_rate": 100}, "差旅费请只填一种"),
        ({"consulting": "-20000"}, "咨询服务费应为非负数字"),
        ({"consulting": "9" * 40}, "咨询服务费应为非负数字"),
        ({"discount": "60000"}, "首年优惠 60,000 元超过可优惠的首年费用 53,000 元"),
        ({"discount": "101%"}, "超过 100%"),
        ({"discount": "-5%"}, "首年优惠金额应为非负数字"),
        ({"discount": "0折"}, "不是有效的折扣"),
    ],
)
def test_bad_extra_lines(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)):
        quote_fee(1200, **kwargs)  # type: ignore[arg-type]


def test_travel_per_day_where_the_table_lacks_onsite_days_is_refused_with_the_way_out() -> None:
    with pytest.raises(InputError, match=r"8501–10700人 档缺少监督评审现场人日数.*请改填每次现场评审的差旅金额"):
        quote_fee(10_000, travel_rate=500)
    assert quote_fee(10_000, travel=5000).years[1].total == 8.5 * RATE + ANNUAL + 5000


def test_user_lines_are_marked_in_every_format(tmp_path: Path) -> None:
    quote = quote_fee(1200, company="甲", travel=3000, consulting=20_000, discount=5000)
    doc = quote_document(quote, Issue("SH-20260302-0001", DAY))
    md = quote_markdown(doc)
    assert f"| 差旅食宿估算（{USER_LINE}） | 3,000 元/次 | 1 次 | 3,000 |" in md
    assert f"| 咨询服务费（{USER_LINE}） | 20,000 元/次 | 1 次 | 20,000 |" in md
    assert f"| 首年优惠（{USER_LINE}） | | | -5,000 |" in md
    assert "| 收费表费用小计 | | | 53,000 |" in md and "| **首年合计** | | | **71,000** |" in md
    assert f"| 第2年（监督评审） | 评审费 5.5 人日、年金（含标志使用费）、差旅食宿估算（{USER_LINE}） | 21,500 |" in md
    assert "咨询服务费和首年优惠只计入首年" in md and "本报价另列的差旅食宿估算是报价人的估算" in md
    pdf = _pdf_text(write_quote(doc, tmp_path / "q.pdf", "pdf"))
    assert f"差旅食宿估算（{USER_LINE}）3,000元/次1次3,000" in pdf and "首年合计71,000" in pdf
    html = quote_html(quote)
    assert f"首年优惠（{USER_LINE}）" in html and "收费表费用小计" in html
    data = quote_data(quote)
    assert [(x["key"], x["origin"]) for x in data["extras"]] == [("travel", "user"), ("consulting", "user"), ("discount", "user")]
    assert all(x["origin"] == "table" for x in data["items"]) and data["table_total"] == 53_000
    ws = load_workbook(write_quote(doc, tmp_path / "q.xlsx", "xlsx"))["报价单"]
    assert ws.cell(_row_of(ws, f"咨询服务费（{USER_LINE}）"), 1).font.i


# ---------------------------------------------------------------------------------------------
# Band edges: which band and why; totals exact in every format.


def test_band_edges_say_which_band_and_why() -> None:
    assert band_edge_note(quote_fee(500)) is None and band_edge_note(quote_fee(1)) is None
    assert band_edge_note(quote_fee(1175)) == (
        "1175 人恰为 876–1175人 档的上限。收费表各档人数含两端，所以仍按本档计；"
        "多 1 人（1176 人）即进入 1176–1550人 档，初审 16 人日。"
    )
    assert band_edge_note(quote_fee(1176)) == (
        "1176 人恰为 1176–1550人 档的下限。收费表各档人数含两端，上一档 876–1175人 到 1175 人为止，"
        "所以按 1176–1550人 档计（初审 16 人日，上一档为 14.5 人日）。"
    )
    assert "最后一档 8501–10700人 的上限" in (band_edge_note(quote_fee(10_700)) or "")
    answer = quote_answer(quote_fee(1176))
    assert "1176人恰为1176–1550人档的下限" in answer.answer
    assert [c.section for c in answer.citations][:2] == ["人日数对照表 1176–1550人", "人日数对照表 876–1175人"]


def test_the_chat_quote_gives_the_on_site_days_and_says_the_rows_doubt() -> None:
    # 176–275: the table's on-site figures for surveillance and re-certification were restored from
    # a garbled source; the answer says so, cited to the row that carries the note.
    answer = quote_answer(quote_fee(200))
    first = answer.answer.splitlines()[0]
    assert "每年监督评审4人日（其中现场3人日）" in first and "复评7人日（其中现场6人日）" in first
    doubt = answer.answer.splitlines()[1]
    assert "略有不确定" in doubt and doubt.endswith("[1]。") and answer.citations[0].section == "人日数对照表 176–275人"
    # A row without a note has no such line.
    assert "不确定" not in quote_answer(quote_fee(500)).answer


@pytest.mark.parametrize(("employees", "row"), EDGES)
def test_totals_are_exact_at_every_band_edge_in_every_format(employees: int, row: tuple, tmp_path: Path) -> None:
    _, _, initial, surveillance, recert = row
    first = FIXED_FIRST_YEAR + initial * RATE
    cycle = first + 2 * (surveillance * RATE + ANNUAL)
    quote = quote_fee(employees)
    assert (quote.first_year_total, quote.cycle_total) == (first, cycle)
    shown_first, shown_cycle = format_amount(first), format_amount(cycle)
    doc = quote_document(quote, Issue("SH-20260302-0001", DAY))
    md = quote_markdown(doc)
    assert f"| **首年合计** | | | **{shown_first}** |" in md and f"| **3年合计** | | **{shown_cycle}** |" in md
    assert (band_edge_note(quote) is not None) == (employees != 1)
    assert (f"注：{band_edge_note(quote)}" in md) == (employees != 1)
    data = json.loads(json.dumps(issued_quote_data(quote, doc.issue)))
    assert (data["first_year_total"], data["cycle_total"]) == (first, cycle)
    assert data["band_note"] == band_edge_note(quote)
    text = _pdf_text(write_quote(doc, tmp_path / "q.pdf", "pdf"))
    assert f"首年合计{shown_first}" in text and f"3年合计{shown_cycle}" in text
    xlsx = write_quote(doc, tmp_path / "q.xlsx", "xlsx")
    ws = load_workbook(xlsx)["报价单"]
    values = evaluate(xlsx)
    assert values[f"报价单!D{_row_of(ws, '首年合计')}"] == first
    assert values[f"报价单!D{_row_of(ws, '3年合计')}"] == cycle
    if recert is not None:
        assert values[f"报价单!D{_row_of(ws, '复评（证书到期前）')}"] == recert * RATE
    chat = quote_answer(quote).answer
    assert f"首年费用合计{shown_first}元" in chat and f"3年合计{shown_cycle}元" in chat


# ---------------------------------------------------------------------------------------------
# Excel.


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"travel": 3000, "consulting": 12_345.5, "discount": "8.5折"},
        {"travel_rate": 777.77, "discount": "12.5%", "rate": 2999.99},
        {"travel": 500, "discount": 1234.56},
    ],
    ids=["table", "travel-consulting-zhe", "day-rate-percent", "amount-discount"],
)
def test_xlsx_numbers_are_numbers_and_formulas_give_the_python_totals(kwargs: dict[str, object], tmp_path: Path) -> None:
    quote = quote_fee(1200, company="=HYPERLINK(\"http://x\",\"点我\")", **kwargs)  # type: ignore[arg-type]
    path = write_quote(quote_document(quote, Issue("SH-20260302-0001", DAY)), tmp_path / "q.xlsx", "xlsx")
    workbook = load_workbook(path)
    ws = workbook["报价单"]
    audit = _row_of(ws, "评审费")
    assert ws.cell(audit, 2).value == quote.rate and ws.cell(audit, 3).value == 16
    assert ws.cell(audit, 4).value == f"=ROUND(B{audit}*C{audit},2)"
    assert ws.cell(audit, 2).number_format.endswith('" 元/人日"')
    customer = ws.cell(_row_of(ws, "客户"), 2)
    assert customer.data_type == "s" and customer.value.startswith("=HYPERLINK")  # text, not a formula
    values = evaluate(path)
    assert round(values[f"报价单!D{_row_of(ws, '首年合计')}"], 2) == quote.first_year_total
    assert round(values[f"报价单!D{_row_of(ws, '3年合计')}"], 2) == quote.cycle_total
    assert round(values[f"报价单!D{_row_of(ws, '复评（证书到期前）')}"], 2) == quote.recert.total
    for line in quote.extras:
        assert round(values[f"报价单!D{_row_of(ws, line.name + '（' + USER_LINE + '）')}"], 2) == line.amount
    detail = workbook["逐年明细"]
    assert detail.cell(_row_of(detail, "评审费"), 2).value == "='报价单'!B" + str(audit)  # one rate for the cycle


# ---------------------------------------------------------------------------------------------
# Batches.

ROWS = [
    ["甲公司", 1200, "张三", 3000, "10%"],
    ["乙公司", 0, None, None, None],
    ["丙公司", "abc", None, None, None],
    ["丁公司", 8, None, None, 20_000],
    [None, 50, None, None, None],
    ["戊公司", 10_700, None, -5, None],
    ["己公司", 25, "李四", None, "9折"],
    ["庚公司", 20_000, None, None, None],
]
# 甲: 53,000 + 3,000 travel − 10% of 53,000; 己 (25 people, band 11–25): 5,000 + 4 × 3,000 − 10%.
GOOD = {2: ("甲公司", 56_000 - 5300), 8: ("己公司", 17_000 - 1700)}
BAD = {3: "人数", 4: "人数", 5: "优惠", 6: "公司", 7: "差旅费", 9: "人数"}


def _csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    ws = workbook.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("maker", "header"),
    [
        (lambda p, h, r: _csv(p / "c.csv", h, r, "utf-8-sig"), ["公司", "人数", "联系人", "差旅费", "优惠"]),
        (lambda p, h, r: _csv(p / "c.csv", h, r, "gbk"), ["公司名称", "员工人数", "联系人", "差旅费（元）", "折扣"]),
        (lambda p, h, r: _csv(p / "c.csv", h, r, "utf-16"), ["company", "employees", "contact", "travel", "discount"]),
        (lambda p, h, r: _xlsx(p / "c.xlsx", h, r), ["客户", "人数", "联系人", "差旅", "优惠"]),
    ],
    ids=["utf8-bom", "gbk", "utf16", "xlsx"],
)
def test_batch_quotes_good_rows_reports_bad_rows_and_sums_up(
    tmp_path: Path, maker: Any, header: list[str]
) -> None:
    source = maker(tmp_path, header, ROWS)
    out = tmp_path / "out"
    with open_register() as register:
        result = run_batch(source, out, "md", register, today=DAY)
        saved = register.list()
    assert {row: (s.quote.company, s.quote.first_year_total) for row, s, _ in result.written} == GOOD
    assert {e.row: e.field for e in result.errors} == BAD
    assert all(str(e).startswith(f"第 {e.row} 行 {e.field}：") for e in result.errors)
    assert len(saved) == 2 and {s.channel for s in saved} == {"batch"}
    files = sorted(p.name for p in out.iterdir())
    assert files == ["SH-20260302-0001_甲公司.md", "SH-20260302-0002_己公司.md", SUMMARY_NAME]
    assert "客户联系人：张三" in (out / files[0]).read_text(encoding="utf-8")
    summary = out / SUMMARY_NAME
    ws = load_workbook(summary).active
    statuses = {ws.cell(r, 1).value: ws.cell(r, 10).value for r in range(3, 3 + len(ROWS))}
    assert statuses[2] == "已报价" and "第 3 行 人数" in statuses[3]
    total_row = _row_of(ws, "合计")
    assert evaluate(summary)[f"{ws.title}!F{total_row}".upper()] == sum(t for _, t in GOOD.values())


def test_batch_cli_exit_code_progress_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _csv(tmp_path / "c.csv", ["公司", "人数"], [["甲", 1200], ["乙", 8]], "utf-8")
    for kind in ("pdf", "xlsx"):
        code, out, err = _cli(["quote", "--batch", str(source), "--out-dir", str(tmp_path / kind), "--format", kind], capsys)
        assert code == 0 and "已为 2 家公司写出报价单" in out and "[2/2] 乙" in err
        assert len(list((tmp_path / kind).glob(f"*.{kind}"))) == 2 + (kind == "xlsx")  # 汇总.xlsx too
    bad = _csv(tmp_path / "bad.csv", ["公司", "人数"], [["甲", 1200], ["乙", -8]], "utf-8")
    code, out, err = _cli(["quote", "--batch", str(bad), "--out-dir", str(tmp_path / "bad")], capsys)
    assert code == 2 and "已为 1 家公司" in out and "错误：第 3 行 人数：员工人数必须大于 0" in err


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("c.csv", "公司,联系人\n甲,张三\n".encode(), "缺少必需的列：人数"),
        ("c.csv", "名字,数量\n甲,1\n".encode(), "缺少必需的列：公司、人数"),
        ("c.csv", "公司,人数,员工人数\n甲,1,2\n".encode(), "两列都表示“人数”"),
        ("c.csv", b"", "是空的"),
        ("c.csv", b"\xff\xff\xfe\x00\x81\x20", "既不是 UTF-8 也不是 GBK"),
        ("c.xls", b"whatever", "另存为 .xlsx"),
        ("c.txt", b"x", "请提供 .csv 或 .xlsx"),
        ("c.xlsx", b"not a zip", "不是有效的 .xlsx 工作簿"),
    ],
)
def test_unusable_batch_files(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(fragment)):
        read_companies(path)


def test_missing_batch_file_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(["quote", "--batch", str(tmp_path / "none.csv"), "--out-dir", str(tmp_path / "o")], capsys)
    assert code == 2 and out == "" and "找不到批量报价文件" in err
    assert not (tmp_path / "o").exists()


def test_merged_cells_spoil_their_rows_and_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    workbook = Workbook()
    ws = workbook.active
    for row in (["公司", "人数", "备注"], ["甲", 1200, "x"], ["乙", 30, None], ["丙", 8, "y"], ["丁", 9, "z"], ["戊", 9, None]):
        ws.append(row)
    ws.merge_cells("A3:A4")  # 公司 spans rows 3–4
    ws.merge_cells("C5:C6")  # a column we ignore: no harm
    workbook.save(path)
    companies, ignored = read_companies(path)
    errors = {c.row: str(c.error) for c in companies if c.error}
    assert errors == {
        3: "第 3 行 公司：第 3–4 行的单元格是合并单元格，请取消合并，并在每一行填写完整",
        4: "第 4 行 公司：第 3–4 行的单元格是合并单元格，请取消合并，并在每一行填写完整",
    }
    assert ignored == ["备注"] and [c.row for c in companies if not c.error] == [2, 5, 6]
    ws.merge_cells("A1:B1")
    workbook.save(path)
    with pytest.raises(InputError, match="表头（第 1 行）有合并单元格"):
        read_companies(path)


def test_percent_formatted_excel_cells_are_shares(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    workbook = Workbook()
    ws = workbook.active
    ws.append(["公司", "人数", "优惠"])
    ws.append(["甲", 1200, 0.1])
    ws["C2"].number_format = "0%"
    workbook.save(path)
    companies, _ = read_companies(path)
    assert companies[0].values["discount"] == "10%"


def test_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "q.pdf"
    target.write_bytes(b"old")

    def crash(tmp: Path) -> None:
        tmp.write_bytes(b"half a pdf")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="无法写入文件"):
        write_atomically(target, crash)
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["q.pdf"]


# ---------------------------------------------------------------------------------------------
# Chat: "生成报价单".


@pytest.mark.parametrize(
    ("question", "asks", "company"),
    [
        ("给某某电器有限公司生成一份1200人的报价单", True, "某某电器有限公司"),
        ("帮我出一份报价单，客户：上海某某科技有限公司，1200人", True, "上海某某科技有限公司"),
        ("1200人的公司生成报价单", True, None),
        ("给我们公司做个报价单，500人", True, None),
        ("为这家公司开报价单", True, None),
        ("报价单上有哪些项目？", False, None),
        ("1200人的企业认证费用是多少？", False, None),
    ],
)
def test_chat_document_requests(question: str, asks: bool, company: str | None) -> None:
    assert asks_for_document(question) is asks
    assert company_in(question) == company


def test_chat_generate_quote_saves_it_and_says_the_number() -> None:
    session = dialogue.Session()
    question = "给某某电器有限公司生成一份1200人的报价单"
    route = dialogue.route(question, session)
    assert route.intent == "fee"
    answer = dialogue.answer_calculation(route, question=question)
    number = f"SH-{_today()}-0001"
    assert f"已生成报价单 {number}（客户：某某电器有限公司，有效期至" in answer.answer
    assert "首年费用合计53,000元" in answer.answer
    assert answer.data is not None and answer.data["number"] == number and answer.data["first_year_total"] == 53_000
    with open_register() as register:
        saved = register.get(number)
    assert saved.channel == "chat" and saved.quote.company == "某某电器有限公司"
    plain = dialogue.answer_calculation(dialogue.route("那2000人呢？", session), question="那2000人呢？")
    assert "已生成报价单" not in plain.answer
    with open_register() as register:
        assert len(register.list()) == 1


def test_chat_answer_when_the_register_cannot_be_opened(_isolated_home: Path) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "assistant.db").write_bytes(b"not a database" * 200)
    question = "生成1200人的报价单"
    answer = dialogue.answer_calculation(dialogue.route(question, dialogue.Session()), question=question)
    assert "首年费用合计53,000元" in answer.answer and "报价单未能保存：数据库" in answer.answer


# ---------------------------------------------------------------------------------------------
# The quote path stays light.


def test_quote_cli_does_not_load_openpyxl_or_reportlab_unless_asked(tmp_path: Path) -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from assistant.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['quote', '--employees', '1200', '--travel', '3000'])\n"
        "    main(['quote', 'list'])\n"
        "print('loaded:' + ','.join(m for m in ['openpyxl', 'reportlab', 'jieba', 'gradio', 'chromadb'] if m in sys.modules))\n"
        f"main(['quote', 'export', sys.argv[1], '--out', {str(tmp_path / 'q.xlsx')!r}])\n"
        "print('openpyxl' in sys.modules)\n"
    )
    env = {**__import__("os").environ, "ASSISTANT_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", probe, f"SH-{_today()}-0001"], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "loaded:" and lines[-1] == "True"
