"""`python -m bench.ingest` (`make bench-ingest`): how fast users' documents get in.

Measures, on files made on the spot (bench/docgen.py):
- reading a 100-page text PDF into the corpus form (validation + pypdf + conversion): pages/s;
- the incremental re-index after adding it to an index of the shipped corpus, after changing one
  page of it, after adding a one-page Word file, and after removing the PDF;
- parsing a 1 MB HTML page with the stdlib html.parser and with lxml (the reader's choice).

Writes `bench/results/ingest.json` and prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .docgen import make_docx, make_pdf

__all__ = ["main", "page_lines"]

_SENTENCES = (
    "本公司对售出的家电产品提供全国联保服务，用户凭购机发票即可在任一授权网点报修。",
    "维修人员接到报修后须在24小时内与用户联系，并在约定时间上门检测。",
    "保修期内因产品质量问题产生的维修费用和配件费用由本公司承担。",
    "用户对服务不满意时可拨打服务热线投诉，客服中心在3个工作日内回复处理结果。",
    "网点须建立维修档案，记录故障现象、更换配件和用户签字确认情况。",
)


def page_lines(number: int, *, lines: int = 24, width: int = 30) -> list[str]:
    """About 700 characters of ordinary after-sales prose for page `number`, wrapped at `width`."""
    text = f"第{number}条规定。" + "".join(_SENTENCES[(number + i) % len(_SENTENCES)] for i in range(24))
    return [text[i : i + width] for i in range(0, min(len(text), lines * width), width)]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _html_page(kilobytes: int = 1024) -> bytes:
    row = "<tr><td>北京朝阳网点</td><td>010-12345678</td><td>工作日9:00-18:00</td></tr>"
    para = "<h2>第{n}节 服务承诺</h2><p>本公司承诺<b>7天</b>无理由退货，15天包换，整机保修3年。</p><ul><li>上门服务</li><li>备件供应</li></ul>"
    parts = ["<html><head><title>服务手册</title><style>p{}</style></head><body>"]
    n = 0
    while sum(len(p) for p in parts) < kilobytes * 1024:
        n += 1
        parts.append(para.format(n=n) + "<table>" + row * 5 + "</table>")
    parts.append("</body></html>")
    return "".join(parts).encode("utf-8")


def _parse_html(data: bytes, repeats: int) -> dict[str, float]:
    from html.parser import HTMLParser

    from lxml import html as lxml_html

    text = data.decode("utf-8")

    def stdlib() -> None:
        parser = HTMLParser()
        parser.feed(text)
        parser.close()

    out = {}
    for name, fn in (("html.parser", stdlib), ("lxml", lambda: lxml_html.document_fromstring(text))):
        out[name] = statistics.median(_timed(fn)[0] for _ in range(repeats))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="bench/results")
    parser.add_argument("--home", help="an ASSISTANT_HOME holding an index of the shipped corpus to copy (default: build one)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    os.environ["ASSISTANT_HOME"] = str(work / "home")
    from index.build import build_index
    from index.ingest import commit, read_file, remove_documents

    results: dict[str, Any] = {"pages": args.pages, "load_average": os.getloadavg()}
    pdf = make_pdf(work / "服务手册.pdf", [page_lines(n) for n in range(1, args.pages + 1)])
    read_times = []
    for _ in range(args.repeats):
        seconds, item = _timed(lambda: read_file(pdf))
        read_times.append(seconds)
    chunks = len(item.chunks())
    results["pdf"] = {
        "bytes": pdf.stat().st_size, "characters": len(item.document.body), "chunks": chunks,
        "read_s": read_times, "read_median_s": statistics.median(read_times),
        "pages_per_s": args.pages / statistics.median(read_times),
    }

    if args.home:
        shutil.copytree(args.home, work / "home", ignore=shutil.ignore_patterns("assistant.db*", "docs"))
    else:
        seconds, report = _timed(lambda: build_index(progress=None))
        results["base_build_s"] = seconds
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("add the PDF", lambda: commit([read_file(pdf)])),
        ("change one page of it", lambda: commit([read_file(make_pdf(
            work / "改" / "服务手册.pdf",
            [page_lines(n) + (["本页新增：夜间报修次日上门。"] if n == 50 else []) for n in range(1, args.pages + 1)],
        ))], replace=True)),
        ("add a one-page Word file", lambda: commit([read_file(make_docx(
            work / "规定.docx", [("h1", "上门服务"), ("p", "接到报修后，维修人员须在24小时内上门。")]))])),
        ("remove the PDF", lambda: remove_documents(["服务手册.pdf"])),
    ]
    (work / "改").mkdir()
    results["reindex"] = []
    for name, change in steps:
        change()
        seconds, report = _timed(lambda: build_index(progress=None))
        results["reindex"].append({"step": name, "seconds": seconds, "chunks": report.chunks,
                                   "embedded": report.embedded, "reused": report.reused})
    results["html_parse_s"] = _parse_html(_html_page(), args.repeats)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    p = results["pdf"]
    print(f"| {args.pages}-page text PDF → corpus form | {p['read_median_s']:.2f} s | {p['pages_per_s']:.0f} pages/s "
          f"| {p['characters']} characters, {p['chunks']} chunks |")
    for row in results["reindex"]:
        print(f"| re-index: {row['step']} | {row['seconds']:.1f} s | {row['embedded']} embedded, {row['reused']} reused "
              f"| {row['chunks']} chunks in the index |")
    html = results["html_parse_s"]
    print(f"| 1 MB HTML parse | html.parser {html['html.parser'] * 1000:.0f} ms | lxml {html['lxml'] * 1000:.0f} ms | |")
    print(f"load average at start: {results['load_average']}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
