"""The 快速报价 tab: issue a quote (saved and numbered), find and re-download saved quotes, batches.

Every quote made here is saved in the register (channel `ui`) and offered as PDF, Excel and
Markdown; the recent list reads the register on every page load and as the search text changes,
so quotes issued from the CLI, the chat or another browser show up too; a batch file (the same
CSV/XLSX as `assistant quote --batch`) gives a zip of the quotes and `汇总.xlsx`.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from . import inputs
from . import ui_render as render
from .calculators import fees
from .data import by_key, fee_table
from .errors import InputError
from .quotes.batch import SUMMARY_NAME, run_batch
from .quotes.files import FORMATS, Format, write_atomically, write_quote
from .quotes.register import SavedQuote, Summary, open_register
from .quotes.settings import valid_days
from .render import html as result_html
from .render.document import quote_document
from .render.numbers import format_amount

__all__ = ["RECENT", "quote_tab"]

RECENT = 20  # quotes listed under 最近报价
_CHANNELS = {"ui": "快速报价", "cli": "命令行", "chat": "对话", "batch": "批量"}
_FORMAT_NAMES = {"pdf": "PDF", "xlsx": "Excel", "md": "Markdown"}
Guard = Callable[[Callable[[str], Any]], Callable[[Callable[..., Any]], Callable[..., Any]]]


def _fee_defaults() -> tuple[str, str]:
    table = fee_table()
    return format_amount(by_key(table.items, "audit").amount), str(table.person_days[-1].max)


def _files(folder: Path, saved: SavedQuote) -> dict[Format, Path]:
    """The saved quote as PDF, XLSX and Markdown in `folder`, named by its number."""
    doc = quote_document(saved.quote, saved.issue)
    return {kind: write_quote(doc, folder / f"{saved.issue.number}.{kind}", kind) for kind in FORMATS}


def _downloads(paths: dict[Format, Path] | None) -> list[Any]:
    return [gr.DownloadButton(value=str(paths[k]) if paths else None, visible=paths is not None) for k in FORMATS]


def recent_html(rows: list[Summary], search: str) -> str:
    """The recent quotes as a table (or what was not found)."""
    if not rows:
        what = f"与“{search.strip()}”相符的" if search.strip() else ""
        return f'<p class="sa-small">还没有{render.esc(what)}报价单。</p>'
    body = (
        [
            render.esc(r.number), r.issued.isoformat(), render.esc(r.company or "（未填写）"), str(r.employees),
            format_amount(r.total), r.valid_until.isoformat(), _CHANNELS.get(r.channel, r.channel),
        ]
        for r in rows
    )
    head = ("报价单号", "日期", "客户", "人数", "首年合计（元）", "有效期至", "来源")
    return result_html.table(head, body)


def _choices(rows: list[Summary]) -> list[tuple[str, str]]:
    return [(f"{r.number} {r.company or '（未填写客户）'}", r.number) for r in rows]


def quote_tab(files: Path, guard: Guard) -> None:
    """Build the tab's components and events inside the current `gr.Tab`.

    Args:
        files: folder for generated files (the app removes it on exit).
        guard: the app's error policy: wraps a handler so an exception becomes `on_error(message)`.
    """
    rate_default, max_people = _fee_defaults()
    gr.Markdown(
        f"按《认证收费标准及人日数对照表（试行）》估算认证费用（适用于 1–{max_people} 人的企业）。"
        "每张报价单自动编号并保存，可在下方“最近报价”中查找和重新下载。"
    )
    with gr.Row():
        with gr.Column(min_width=200):
            headcount = gr.Textbox(label="员工人数（必填）", placeholder="例如 1200", elem_id="quote-headcount")
            headcount_error = gr.HTML(elem_id="quote-headcount-error")
        with gr.Column(min_width=200):
            company = gr.Textbox(
                label="公司名称（可选）", placeholder="印在报价单上", elem_id="quote-company",
                max_length=inputs.MAX_NAME_CHARS,
            )
            contact = gr.Textbox(
                label="客户联系人（可选）", elem_id="quote-contact", max_length=inputs.MAX_NAME_CHARS
            )
        with gr.Column(min_width=200):
            rate = gr.Textbox(
                label="评审费单价（元/人日，可选）", placeholder=f"默认按收费表 {rate_default}", elem_id="quote-rate"
            )
            rate_error = gr.HTML(elem_id="quote-rate-error")
    with gr.Accordion("其他费用与有效期（可选，报价单上标为“非收费表项目”）", open=False, elem_id="quote-extras"):
        with gr.Row():
            travel = gr.Textbox(label="差旅食宿：每次现场评审（元）", placeholder="例如 5000", elem_id="quote-travel")
            travel_rate = gr.Textbox(
                label="或差旅食宿：每现场人日（元）", placeholder="× 收费表的现场人日数", elem_id="quote-travel-rate"
            )
            consulting = gr.Textbox(label="咨询服务费（元，只计首年）", elem_id="quote-consulting")
            discount = gr.Textbox(
                label="首年优惠（金额，或 10%、9折）", placeholder="例如 5000 或 10%", elem_id="quote-discount"
            )
            days = gr.Textbox(label="有效期（天）", placeholder="默认 30", elem_id="quote-valid-days")
        extras_error = gr.HTML(elem_id="quote-extras-error")
    make = gr.Button("生成报价", variant="primary", elem_id="quote-make")
    # Downloads sit above the (long) quote so they are in view as soon as the quote is made.
    with gr.Row():
        buttons = [
            gr.DownloadButton(f"下载 {_FORMAT_NAMES[k]} 报价单", visible=False, elem_id=f"quote-{k}", min_width=140)
            for k in FORMATS
        ]
    result = gr.HTML(elem_id="quote-result")

    with gr.Accordion("最近报价", open=True, elem_id="quote-recent-box"):
        search = gr.Textbox(
            show_label=False, placeholder="按报价单号、客户或联系人查找", elem_id="quote-search", max_length=120
        )
        recent = gr.HTML(elem_id="quote-recent")
        picker = gr.Dropdown([], value=None, label="选择报价单重新下载（与开出时相同）", elem_id="quote-pick")
        with gr.Row():
            again = [
                gr.DownloadButton(f"重新下载 {_FORMAT_NAMES[k]}", visible=False, elem_id=f"quote-again-{k}", min_width=140)
                for k in FORMATS
            ]

    with gr.Accordion("批量报价（CSV 或 Excel）", open=False, elem_id="quote-batch-box"):
        gr.Markdown(
            "第一行为表头：**公司**、**人数**（或 company、employees），可选 联系人、评审费单价、差旅费、差旅单价、"
            f"咨询费、优惠。每家公司生成一个报价单文件，另附 {SUMMARY_NAME}；有误的行会列出行号和原因，其余照常报价。"
        )
        with gr.Row():
            upload = gr.File(label="公司名单", file_types=[".csv", ".xlsx"], type="filepath", elem_id="quote-batch-file")
            kind = gr.Radio(
                [(_FORMAT_NAMES[k], k) for k in FORMATS], value="pdf", label="报价单格式", elem_id="quote-batch-format"
            )
        run = gr.Button("批量生成", elem_id="quote-batch-run")
        report = gr.HTML(elem_id="quote-batch-report")
        with gr.Row():
            bundle = gr.DownloadButton("下载全部报价单（zip）", visible=False, elem_id="quote-batch-zip", min_width=140)
            summary = gr.DownloadButton(f"下载 {SUMMARY_NAME}", visible=False, elem_id="quote-batch-summary", min_width=140)

    def listing(text: str | None) -> tuple[str, Any]:
        text = (text or "").strip()
        with open_register() as register:
            rows = register.list(search=text or None, limit=RECENT)
        return recent_html(rows, text), gr.Dropdown(choices=_choices(rows), value=None)

    def failed(head: str = "", rate_msg: str = "", extras_msg: str = "", body: str = "") -> tuple[Any, ...]:
        return (
            render.error_html(head), render.error_html(rate_msg), render.error_html(extras_msg), body,
            *_downloads(None), gr.skip(), gr.skip(),
        )

    @guard(lambda msg: failed(body=render.error_html(msg)))
    def make_quote(
        count: str, name: str, person: str, rate_text: str, trip: str, trip_rate: str, fee: str, off: str, valid: str
    ) -> tuple[Any, ...]:
        count = (count or "").strip()
        if not count:
            return failed(head="请填写员工人数（正整数，例如 1200）")
        # Headcount first, so its message lands under the headcount field and not under the rate.
        try:
            fees.find_band(count)
        except InputError as exc:
            return failed(head=str(exc))
        try:
            inputs.name(name, "公司名称")
            inputs.name(person, "客户联系人")
        except InputError as exc:
            return failed(body=render.error_html(str(exc)))
        rate_value = (rate_text or "").strip() or None
        try:
            fees.quote_fee(count, rate=rate_value)
        except InputError as exc:
            return failed(rate_msg=str(exc))
        try:
            quote = fees.quote_fee(
                count, rate=rate_value, company=name, travel=trip, travel_rate=trip_rate, consulting=fee, discount=off
            )
            validity = valid_days(valid.strip(), "有效期") if (valid or "").strip() else None
        except InputError as exc:
            return failed(extras_msg=str(exc))
        with open_register() as register:
            saved = register.issue(quote, channel="ui", contact=person, valid_days=validity)
        paths = _files(files, saved)
        issue = saved.issue
        banner = (
            f'<p class="sa-small" id="quote-number">报价单号 <b>{render.esc(issue.number)}</b> 已保存'
            f"（有效期至 {issue.valid_until.isoformat() if issue.valid_until else '—'}）</p>"
        )
        html, choices = listing("")
        return "", "", "", banner + result_html.quote_html(quote), *_downloads(paths), html, choices

    make_io: dict[str, Any] = {
        "fn": make_quote,
        "inputs": [headcount, company, contact, rate, travel, travel_rate, consulting, discount, days],
        "outputs": [headcount_error, rate_error, extras_error, result, *buttons, recent, picker],
        "api_visibility": "private",
    }
    make.click(**make_io)
    headcount.submit(**make_io)
    rate.submit(**make_io)

    @guard(lambda msg: (render.error_html(msg), gr.skip()))
    def find_quotes(text: str | None) -> tuple[str, Any]:
        return listing(text)

    gr.on(triggers=None, fn=find_quotes, inputs=search, outputs=[recent, picker], api_visibility="private")

    @guard(lambda msg: (*_downloads(None),))
    def redownload(number: str | None) -> tuple[Any, ...]:
        if not number:
            return tuple(_downloads(None))
        with open_register() as register:
            saved = register.get(number)
        return tuple(_downloads(_files(files, saved)))

    picker.change(redownload, inputs=picker, outputs=again, api_visibility="private")

    @guard(lambda msg: (render.error_html(msg), *_downloads(None)[:2]))
    def batch(path: str | None, chosen: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not path:
            return render.error_html("请先选择 .csv 或 .xlsx 文件（第一行为表头：公司、人数）"), *_downloads(None)[:2]
        fmt: Format = next((k for k in FORMATS if k == chosen), "pdf")
        out = files / f"batch-{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 10**6}"

        def step(done: int, total: int, company: str) -> None:
            progress((done, total), desc=f"{company}")

        with open_register() as register:
            result = run_batch(Path(path), out, fmt, register, progress=step)
        archive = write_atomically(out.with_suffix(".zip"), lambda tmp: _zip(out, tmp))
        lines = [f"已为 {len(result.written)} 家公司生成报价单（{_FORMAT_NAMES[fmt]}），{len(result.errors)} 行有误未报价。"]
        lines += [str(error) for error in result.errors]
        if result.ignored_columns:
            lines.append(f"已忽略不认识的列：{'、'.join(result.ignored_columns)}")
        text = "".join(f"<p>{render.esc(line)}</p>" for line in lines[:1]) + result_html.bullet_list(lines[1:])
        return (
            f'<div class="sa-card">{text}</div>',
            gr.DownloadButton(value=str(archive), visible=True),
            gr.DownloadButton(value=str(result.summary), visible=True),
        )

    run.click(batch, inputs=[upload, kind], outputs=[report, bundle, summary], api_visibility="private")


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
