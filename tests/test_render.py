"""The render layer: one sentence per table row for corpus and citations, the shared [n] numberer,
the CLI reading its grades from star_levels.yaml, Markdown that escapes what users type, and a PDF
in which every character has a glyph."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from assistant.calculators.fees import person_day_bands, quote_fee
from assistant.calculators.scoring import levels
from assistant.citations import Citations
from assistant.cli import main
from assistant.corpus import load_corpus
from assistant.quotes.issue import Issue
from assistant.render.basis import level_passage, quote_basis
from assistant.render.document import quote_document
from assistant.render.markdown import quote_markdown
from assistant.render.pdf import quote_pdf
from assistant.types import Passage

# ---------------------------------------------------------------------------------------------
# One sentence per row, for the corpus and for a calculator's citations.


def test_corpus_loader_does_not_import_the_calculators() -> None:
    probe = (
        "import sys\n"
        "from assistant.corpus import load_corpus\n"
        "docs = load_corpus()\n"
        "print(len(docs))\n"
        "print([m for m in sys.modules if m.startswith('assistant.calculators')])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    count, calculators = out.stdout.splitlines()
    assert int(count) >= 11 and calculators == "[]"


def test_documents_and_citations_quote_the_same_row_sentences() -> None:
    docs = {doc.id: doc.body for doc in load_corpus()}
    for band in person_day_bands():
        row = quote_basis(quote_fee(band.min))[0]
        assert row.text in docs["fees"], band.label
    for level in levels():
        assert level_passage(level).text in docs["scoring"], level.key


def test_score_help_reads_the_grades_from_the_table(
    data_tables: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_tables / "star_levels.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    for level in table["levels"]:
        level["min"] = {"pass": 60, "three": 75, "four": 88, "five": 96}.get(level["key"], level["min"])
    path.write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    help_text = re.sub(r"\s+", "", capsys.readouterr().out)
    assert "达标≥60分、三星级≥75分、四星级≥88分、五星级≥96分" in help_text
    assert not re.search(r"70|90|95", help_text)


# ---------------------------------------------------------------------------------------------
# The shared citation numberer.


def _passage(section: str, text: str = "正文。") -> Passage:
    return Passage(f"d#{section}", "d", "标题", section, text, "来源", origin="table")


def test_citations_number_in_order_of_first_use_and_reuse_numbers() -> None:
    cites = Citations()
    a, b = _passage("甲", "甲的全文。"), _passage("乙", "乙句一。乙句二。")
    assert [cites.mark(a), cites.mark(b), cites.mark(a)] == ["[1]", "[2]", "[1]"]
    assert cites.quote(b, "乙句二。") == "[2]"
    assert cites.quote(b, "乙句一。") == "[2]"
    assert [(c.n, c.section, c.text) for c in cites.citations] == [
        (1, "甲", "甲的全文。"),  # nothing quoted: the whole passage
        (2, "乙", "乙句二。\n乙句一。"),  # the sentences quoted, in the order quoted
    ]


def test_calculator_answers_number_their_rows_with_it() -> None:
    from assistant.dialogue import Session, answer_calculation, route

    answer = answer_calculation(route("80分离五星还差多少？", Session()))
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({c.section for c in answer.citations}) == len(answer.citations)
    for marker in re.findall(r"\[(\d+)\]", answer.answer):
        assert 1 <= int(marker) <= len(answer.citations)


# ---------------------------------------------------------------------------------------------
# Markdown: what a user typed is text, never markup or a line of its own.

HOSTILE_COMPANY = "<script>alert(1)</script>某某公司\n- 首年合计：1 元\n| 伪造 | 表格 |"


def test_markdown_quote_escapes_the_company_name() -> None:
    md = quote_markdown(quote_document(quote_fee(1200, company=HOSTILE_COMPANY), Issue("SH-T", date(2025, 1, 2))))
    assert "<script>" not in md and "</script>" not in md
    lines = md.splitlines()
    # The only total lines are the quote's own.
    assert not any(line.startswith("- 首年合计") for line in lines)
    customer = [line for line in lines if line.startswith("- 客户：")]
    assert [line for line in lines if "首年合计" in line and line not in customer] == ["| **首年合计** | | | **53,000** |"]
    assert customer == [r"- 客户：\<script\>alert(1)\</script\>某某公司 - 首年合计：1 元 \| 伪造 \| 表格 \|"]


def test_markdown_keeps_an_ordinary_name_as_typed() -> None:
    md = quote_markdown(quote_document(quote_fee(8, company="某某电器有限公司"), Issue("SH-T", date(2025, 1, 2))))
    assert "- 客户：某某电器有限公司\n" in md


# ---------------------------------------------------------------------------------------------
# PDF: no character without a glyph.

# Shown by PDF viewers for a character the font lacks; none may appear in extracted text.
_BOXES = "\ufffd\u25a1\u25af\u2610\u25a0"
PDF_COMPANY = "某某·科技（Café & Co.）"


@pytest.fixture
def quote_file(tmp_path: Path) -> Path:
    return quote_pdf(quote_document(quote_fee(1200, company=PDF_COMPANY), Issue("SH-T", date(2025, 1, 2))), tmp_path / "q.pdf")


def _runs(path: Path) -> dict[str, str]:
    """The characters drawn in each font of the PDF, as pypdf decodes them."""
    runs: dict[str, str] = {}

    def visit(text: str, cm: object, tm: object, font: dict | None, size: object) -> None:
        if text.strip():
            name = str((font or {}).get("/BaseFont", "?")).lstrip("/")
            runs[name] = runs.get(name, "") + text

    for page in PdfReader(str(path)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def test_pdf_sets_every_character_in_a_font_that_has_it(quote_file: Path) -> None:
    runs = _runs(quote_file)
    # STSong-Light's encoding (UniGB-UCS2-H) maps GBK characters, except a few such as the middle
    # dot, and nothing outside GBK: a bullet "•" set in it prints as an empty box.
    missing = sorted(
        {ch for ch in runs.get("STSong-Light", "") if ch.strip() and (ch in "·•" or not _encodes(ch, "gbk"))}
    )
    assert missing == []
    assert set(runs) <= {"STSong-Light", "Helvetica"}
    assert all(_encodes(ch, "cp1252") for ch in runs.get("Helvetica", ""))


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def test_pdf_text_as_a_viewer_reads_it_has_no_boxes_and_keeps_every_bullet(quote_file: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext 不存在：apt-get install -y poppler-utils 后再运行本测试")
    # poppler resolves each glyph as a viewer does: a character the font lacks is dropped or boxed.
    text = subprocess.run(
        ["pdftotext", "-layout", str(quote_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not any(box in text for box in _BOXES)
    quote = quote_fee(1200)
    bullets = [line.strip() for line in text.splitlines() if line.strip().startswith("•")]
    assert len(bullets) == len(quote.assumptions) + len(quote.sources)
    assert bullets[0].startswith("• 差旅、食宿")
    assert PDF_COMPANY in text


def test_pdf_with_the_longest_allowed_company_name_still_lays_out(tmp_path: Path) -> None:
    for name in ("某" * 120, "W" * 120, "https://example.com/" + "a" * 100):
        out = quote_pdf(quote_document(quote_fee(1200, company=name), Issue("SH-T", date(2025, 1, 2))), tmp_path / "long.pdf")
        assert len(PdfReader(str(out)).pages) >= 1


def test_every_new_line_of_an_issued_quote_has_its_glyphs(tmp_path: Path) -> None:
    """Seller block, contact, validity, user-added lines, discount, band-edge and extras notes:
    every character in a font that has it, and a viewer reads each line back without a box."""
    from datetime import timedelta

    from assistant.quotes.issue import Seller

    seller = Seller("某某·认证（Café）服务有限公司", "王经理", "+86 (10) 1234-5678", "sales_01@example.com")
    issue = Issue("SH-20250102-0001", date(2025, 1, 2), date(2025, 1, 2) + timedelta(days=30), "张三·李", seller)
    quote = quote_fee(1176, company=PDF_COMPANY, travel_rate=800, consulting=20000, discount="8.5折")
    doc = quote_document(quote, issue)
    path = quote_pdf(doc, tmp_path / "issued.pdf")
    runs = _runs(path)
    missing = sorted(
        {ch for ch in runs.get("STSong-Light", "") if ch.strip() and (ch in "·•" or not _encodes(ch, "gbk"))}
    )
    assert missing == [] and set(runs) <= {"STSong-Light", "Helvetica"}
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext 不存在：apt-get install -y poppler-utils 后再运行本测试")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert not any(box in text for box in _BOXES)
    flat = re.sub(r"\s+", "", text)
    expected = [f.value for f in doc.fields] + list(doc.notes) + ["差旅食宿估算（非收费表项目）", "首年优惠15%（非收费表项目）"]
    for line in expected:
        assert re.sub(r"\s+", "", line) in flat, line
