"""The app's named endpoints driven with gradio_client against a real server on a loopback port,
plus its handlers, HTML rendering and server settings.

One index of the shipped corpus is built per test session (conftest `shipped_home`) and one
server is started for this module; every request goes through the real Assistant, dialogue and
calculators.
"""

from __future__ import annotations

import json
import re
import socket
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from assistant import dialogue, ui, ui_render
from assistant.calculators import fees, scoring
from assistant.quotes.register import open_register
from assistant.render.jsondata import quote_data, rating_data
from assistant.render.numbers import format_amount
from assistant.types import Answer, Citation, Passage

pytestmark = pytest.mark.slow

INJECTION = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _home_with_index(_isolated_home: Path, shipped_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ASSISTANT_HOME at the session's shared index: the server reads it per request
    (index status, user documents), and conftest gives every test an empty home otherwise."""
    monkeypatch.setenv("ASSISTANT_HOME", str(shipped_home))
    return shipped_home


def _handler(app: gr.Blocks, name: str) -> Any:
    """A UI event handler by function name (the UI's own events are private to the API)."""
    for block_fn in app.fns.values():
        if getattr(block_fn.fn, "__name__", None) == name:
            return block_fn.fn
    raise LookupError(name)


# ---------------------------------------------------------------------------------------------
# /chat


def test_named_endpoints_are_exactly_the_public_api(client: Client) -> None:
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    # The UI's own events are private: other programs see only the documented endpoints.
    assert set(named) == {"/chat", "/quote", "/score", "/feedback"}


def test_chat_answers_with_citations(client: Client) -> None:
    result = client.predict("办售后服务认证要准备哪些资料？", [], api_name="/chat")
    assert result["abstained"] is False
    assert result["intent"] == "qa"
    assert "[1]" in result["answer"]
    assert result["citations"], "an in-scope answer must cite its passages"
    first = result["citations"][0]
    assert set(first) >= {"n", "doc_id", "title", "section", "text", "source"}
    assert first["n"] == 1 and first["text"].strip()
    assert any(c["doc_id"] == "materials" for c in result["citations"])


def test_chat_followup_uses_history(client: Client) -> None:
    expected = format_amount(fees.quote_fee(2000).first_year_total)
    for history in (
        ["1200人的企业认证费用是多少？"],
        [
            {"role": "user", "content": "1200人的企业认证费用是多少？"},
            {"role": "assistant", "content": "……"},
        ],
    ):
        result = client.predict("那2000人呢？", history, api_name="/chat")
        assert result["intent"] == "fee"
        assert result["data"]["employees"] == 2000
        assert expected in result["answer"]
        assert any(c["doc_id"] == "data:fees" for c in result["citations"])

    # "再多3分呢？" means something only after a score: 92 + 3 = 95, the 五星 threshold.
    result = client.predict("再多3分呢？", ["92分能评几星？"], api_name="/chat")
    assert result["intent"] == "score"
    assert result["data"]["level"]["key"] == "five"
    alone = client.predict("再多3分呢？", [], api_name="/chat")
    assert alone["intent"] != "score"


@pytest.mark.parametrize(
    ("question", "intent"),
    [("今天北京天气怎么样？", "out_of_scope"), ("", "invalid"), ("   ", "invalid"), ("你好", "chat"),
     ("认证费可以分期付款吗", "not_covered")],
)
def test_chat_declines_honestly(client: Client, question: str, intent: str) -> None:
    result = client.predict(question, None, api_name="/chat")
    assert result["abstained"] is True
    assert result["intent"] == intent
    assert result["answer"]  # a Chinese explanation, not an empty reply


def test_chat_serves_parallel_requests(client: Client, url: str) -> None:
    questions = ["认证证书有效期多久？", "申请售后服务认证需要什么条件？", "1200人的企业认证费用是多少？", "92分能评几星？"]
    serial = [client.predict(q, [], api_name="/chat")["answer"] for q in questions]

    def ask(q: str) -> str:
        return str(Client(url, verbose=False).predict(q, [], api_name="/chat")["answer"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(ask, questions))
    assert parallel == serial


# ---------------------------------------------------------------------------------------------
# /quote and /score


def test_quote_is_the_calculator_quote(client: Client) -> None:
    result = client.predict(1200, api_name="/quote")
    assert result == json.loads(json.dumps(quote_data(fees.quote_fee(1200)), ensure_ascii=False))
    # 1176–1550人 band: 16 person-days × 3000 + 1000 + 2000 + 2000 (fees.yaml)
    assert result["first_year_total"] == 53000

    custom = client.predict("1,200", "测试公司", "2500", api_name="/quote")
    assert custom["company"] == "测试公司"
    assert custom["rate"] == 2500
    assert custom["first_year_total"] == fees.quote_fee(1200, rate=2500).first_year_total


@pytest.mark.parametrize(
    ("headcount", "fragment"),
    [
        ("", "请填写员工人数"),
        ("abc", "无法识别员工人数"),
        (0, "必须大于 0"),
        (-5, "必须大于 0"),
        (20000, "超出收费表范围"),
        ("12.5", "必须是整数"),
    ],
)
def test_quote_rejects_bad_headcount_in_chinese(client: Client, headcount: object, fragment: str) -> None:
    with pytest.raises(Exception, match=fragment) as info:
        client.predict(headcount, api_name="/quote")
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize(
    ("total", "level", "gap"),
    [(92, "four", 3), ("89.5", "three", 0.5), (95, "five", None), (69.5, "fail", 0.5)],
)
def test_score_rates_totals(client: Client, total: object, level: str, gap: float | None) -> None:
    result = client.predict(total, api_name="/score")
    assert result["level"]["key"] == level
    assert result["gap"] == gap
    assert result == rating_data(scoring.rate_score(total))


@pytest.mark.parametrize(("total", "fragment"), [(101, "0–100"), ("abc", "无法识别评分"), (-1, "0–100")])
def test_score_rejects_bad_totals_in_chinese(client: Client, total: object, fragment: str) -> None:
    with pytest.raises(Exception, match=fragment):
        client.predict(total, api_name="/score")


# ---------------------------------------------------------------------------------------------
# UI handlers (the functions behind the tabs, called as Gradio calls them)


@pytest.mark.parametrize(
    ("headcount", "rate", "where", "fragment"),
    [
        ("", "", 0, "请填写员工人数"),
        ("abc", "", 0, "无法识别员工人数“abc”"),
        ("0", "", 0, "必须大于 0"),
        ("-5", "", 0, "必须大于 0"),
        ("20000", "", 0, "超出收费表范围"),
        ("1200", "abc", 1, "每人日评审费应为非负数字"),
        ("1200", "-1", 1, "每人日评审费应为非负数字"),
    ],
)
def test_quote_tab_shows_errors_next_to_the_field(
    app: gr.Blocks, headcount: str, rate: str, where: int, fragment: str
) -> None:
    outputs = _handler(app, "make_quote")(headcount, "", "", rate, "", "", "", "", "")
    assert fragment in outputs[where]
    assert 'class="sa-error"' in outputs[where]
    assert outputs[1 - where] == outputs[2] == ""  # only the offending field shows a message
    assert outputs[3] == ""  # and no stale quote stays on screen


# Inputs of make_quote: headcount, company, contact, rate, travel, travel per day, consulting,
# discount, validity days. Outputs: the three field errors, the quote, PDF/MD/XLSX, recent list, picker.
@pytest.mark.parametrize(
    ("extras", "fragment"),
    [
        (("-5", "", "", "", ""), "差旅费（每次现场评审）应为非负数字"),
        (("100", "100", "", "", ""), "差旅费请只填一种"),
        (("", "", "", "60000", ""), "超过可优惠的首年费用 53,000 元"),
        (("", "", "", "", "0"), "有效期应为 1–365 之间的天数"),
    ],
)
def test_quote_tab_reports_bad_extra_lines_under_them(app: gr.Blocks, extras: tuple[str, ...], fragment: str) -> None:
    outputs = _handler(app, "make_quote")("1200", "", "", "", *extras)
    assert outputs[0] == outputs[1] == "" and fragment in outputs[2] and outputs[3] == ""


def _file(button: Any) -> Path:
    # The update carries the file as gradio serves it (a FileData dict after postprocessing).
    return Path(button.value["path"] if isinstance(button.value, dict) else button.value)


def test_quote_tab_saves_the_quote_and_writes_pdf_excel_markdown(app: gr.Blocks) -> None:
    outputs = _handler(app, "make_quote")("1200", "<b>某某</b>电器", "张三", "", "3000", "", "", "10%", "15")
    head_error, rate_error, extras_error, html, pdf, md, xlsx, recent, picker = outputs
    assert head_error == rate_error == extras_error == ""
    number = re.search(r"报价单号 <b>(SH-\d{8}-\d{4})</b> 已保存", html).group(1)  # type: ignore[union-attr]
    assert "50,700" in html  # 53,000 + 3,000 travel − 5,300
    assert "&lt;b&gt;某某&lt;/b&gt;电器" in html and "<b>某某</b>" not in html
    assert number in recent and number in [value for _, value in picker.choices]
    assert _file(pdf).read_bytes().startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(_file(pdf)).pages)
    assert "50,700" in text and number in text
    assert "50,700" in _file(md).read_text(encoding="utf-8")
    assert load_workbook(_file(xlsx))["报价单"].cell(3, 2).value == number
    with open_register() as register:
        saved = register.get(number)
    assert saved.channel == "ui" and saved.issue.contact == "张三"
    assert saved.issue.valid_until == saved.issue.issued + timedelta(days=15)
    # Re-download from the register: the same Markdown, the same PDF bytes.
    again = _handler(app, "redownload")(number)
    assert _file(again[1]).read_text(encoding="utf-8") == _file(md).read_text(encoding="utf-8")
    assert _file(again[0]).read_bytes() == _file(pdf).read_bytes()
    found, choices = _handler(app, "find_quotes")("某某")
    assert number in found and number in [value for _, value in choices.choices]
    nothing, _ = _handler(app, "find_quotes")("没有这家公司")
    assert "还没有与“没有这家公司”相符的报价单" in nothing


def test_quote_tab_batch_gives_a_zip_and_the_summary(app: gr.Blocks, tmp_path: Path) -> None:
    source = tmp_path / "名单.csv"
    source.write_bytes("公司,人数\n甲公司,1200\n乙公司,0\n丙公司,8\n".encode("gbk"))
    report, bundle, summary = _handler(app, "batch")(str(source), "xlsx", lambda *a, **k: None)
    assert "已为 2 家公司生成报价单（Excel），1 行有误未报价" in report
    assert "第 3 行 人数：员工人数必须大于 0" in report
    with zipfile.ZipFile(_file(bundle)) as archive:
        names = archive.namelist()
    assert len([n for n in names if n.endswith("甲公司.xlsx") or n.endswith("丙公司.xlsx")]) == 2
    assert "汇总.xlsx" in names and _file(summary).name == "汇总.xlsx"
    missing, *_ = _handler(app, "batch")(None, "pdf", lambda *a, **k: None)
    assert "请先选择" in missing


def test_score_tab_rates_a_total_and_a_checklist(app: gr.Blocks) -> None:
    error, html = _handler(app, "rate_total")("92", None)
    assert error == "" and "四星级" in html and "还差 <b>3</b> 分" in html
    error, html = _handler(app, "rate_total")("abc", None)
    assert "无法识别评分" in error and html == ""

    kinds = list(scoring.enterprise_kinds())
    assess = _handler(app, "assess")
    # Radios are laid out kind by kind, category by category, as in indicators.yaml.
    from assistant.data import load_table

    sets = load_table("indicators")["sbt10401"]
    layout = [
        (kind, str(ind)) for kind in kinds for cat in sets[kind]["categories"] for ind in cat["indicators"]
    ]
    answers = {ind: "符合" for kind, ind in layout if kind == "production"}
    first_category = sets["production"]["categories"][0]
    for ind in first_category["indicators"]:
        answers[ind] = "不符合"
    values = [answers.get(ind) if kind == "production" else None for kind, ind in layout]
    error, html = assess("production", *values)
    expected = scoring.self_assess("production", answers)
    assert error == ""
    assert "估算" in html and expected.level.label in html
    assert f'<span class="sa-weakest">{first_category["name"]}</span>' in html

    error, html = assess("production", *([None] * len(layout)))
    assert "没有可计算的指标" in error and html == ""


def test_chat_tab_streams_escapes_and_keeps_one_session_per_conversation(app: gr.Blocks) -> None:
    respond = _handler(app, "respond")
    steps = list(respond("1200人的企业认证费用是多少？", [], None))
    history, cleared, session = steps[-1]
    assert cleared == ""
    assert isinstance(session, dialogue.Session)
    assert "sa-pending" in steps[0][0][-1]["content"]  # the placeholder comes first
    assert len(steps) > 2  # then the answer grows in several steps
    final = history[-1]["content"]
    assert "sa-done" in final and "<details" in final and "53,000" in final

    steps = list(respond("那2000人呢？", history, session))
    assert format_amount(fees.quote_fee(2000).first_year_total) in steps[-1][0][-1]["content"]
    assert session.questions == ["1200人的企业认证费用是多少？", "那2000人呢？"]

    # A new conversation (state None) starts from an empty session: no earlier score to add to.
    history, _, fresh = list(respond("再多3分呢？", [], None))[-1]
    assert fresh is not session and fresh.questions == ["再多3分呢？"]
    assert "sa-intent-score" not in history[-1]["content"]

    history, _, _ = list(respond(INJECTION, [], None))[-1]
    shown = history[0]["content"]
    assert "<img" not in shown and "<script" not in shown
    assert "&lt;img src=x onerror=&quot;window.__xss=1;alert(1)&quot;&gt;" in shown


def test_knowledge_tab_search_and_documents(app: gr.Blocks, _shipped_assistant: Any) -> None:
    html = _handler(app, "search")("监督评审 人日")
    assert "sa-hit" in html and "得分" in html
    html = _handler(app, "search")(INJECTION)
    assert "<img" not in html and "&lt;img" in html
    doc = _shipped_assistant.documents()[0]
    text = _handler(app, "show")(doc.id)
    assert text.startswith(f"# {ui_render.esc(doc.title)}")
    assert "原始来源" in text


def test_guard_turns_unexpected_errors_into_a_short_message(caplog: pytest.LogCaptureFixture) -> None:
    @ui._guard(lambda msg: ("", msg))
    def broken() -> tuple[str, str]:
        raise RuntimeError("disk on fire")

    assert broken() == ("", ui.UNEXPECTED)
    assert "disk on fire" in caplog.text  # the traceback goes to the log, not to the user


# ---------------------------------------------------------------------------------------------
# Rendering: user and corpus text is escaped everywhere


def test_answer_html_escapes_answer_citation_and_source() -> None:
    answer = Answer(
        answer=f"{INJECTION}[1]",
        citations=[Citation(1, "x", "<i>标题</i>", "<b>小节</b>", INJECTION, "来源 javascript:alert(1) http://a.cn/?q=<x>")],
    )
    html = ui_render.answer_html(answer)
    assert "<img" not in html and "<script" not in html and "<i>" not in html and "<b>小节" not in html
    assert '<sup class="sa-ref">[1]</sup>' in html
    assert 'href="http://a.cn/?q="' in html  # only http(s) becomes a link, cut before markup
    assert "javascript:alert(1)" in html and 'href="javascript' not in html


def test_refusal_not_covered_and_chat_replies_look_different() -> None:
    refusal = ui_render.answer_html(Answer("抱歉，这个问题不在资料范围内。", abstained=True, intent="out_of_scope"))
    missing = ui_render.answer_html(Answer("资料库中没有关于“补办”的说明。", abstained=True, intent="not_covered"))
    chat = ui_render.answer_html(Answer("您好！我是售后服务认证助手。", abstained=True, intent="chat"))
    assert "sa-abstain" in refusal and "sa-not-covered" not in refusal
    assert "sa-not-covered" in missing and "sa-abstain" not in missing and "资料未覆盖这一点" in missing
    assert "sa-chat" in chat and "sa-abstain" not in chat and "sa-sources" not in chat


def test_streaming_html_hides_a_half_written_marker() -> None:
    answer = Answer(answer="证书有效期为3年[12]。", citations=[])
    assert "[1" not in ui_render.answer_html(answer, shown=len("证书有效期为3年[1")).split("sa-text")[1]


def test_search_and_document_rendering_escape_corpus_text() -> None:
    passage = Passage("c1", "d", "<t>", "<s>", INJECTION, "a；b http://x.cn", score=0.5, rank=1)
    html = ui_render.passages_html("<q>", [passage])
    assert "<t>" not in html and "<img" not in html and "&lt;q&gt;" in html
    md = ui_render.document_markdown(
        "<t>", "faq", "单源", [{"title": "<x>", "url": "javascript:alert(1)"}], INJECTION
    )
    assert "<img" not in md and "<x>" not in md and "javascript:alert(1)>" not in md


# ---------------------------------------------------------------------------------------------
# Server settings and login


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ui.ServerSettings("127.0.0.1", 7860, None)),
        ({"ASSISTANT_HOST": "localhost", "ASSISTANT_PORT": "8000"}, ui.ServerSettings("localhost", 8000, None)),
        ({"ASSISTANT_HOST": "::1"}, ui.ServerSettings("::1", 7860, None)),
        ({"ASSISTANT_HOST": "0.0.0.0", "ASSISTANT_AUTH": "sales:p:w"}, ui.ServerSettings("0.0.0.0", 7860, ("sales", "p:w"))),
    ],
)
def test_server_settings(env: dict[str, str], expected: ui.ServerSettings) -> None:
    assert ui.server_settings(env) == expected


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ASSISTANT_HOST": "0.0.0.0"}, "拒绝启动"),
        ({"ASSISTANT_HOST": "192.168.1.5"}, "ASSISTANT_AUTH=用户名:密码"),
        ({"ASSISTANT_HOST": "0.0.0.0", "ASSISTANT_AUTH": "nopassword"}, "格式应为"),
        ({"ASSISTANT_HOST": "0.0.0.0", "ASSISTANT_AUTH": ":pw"}, "格式应为"),
        ({"ASSISTANT_PORT": "http"}, "ASSISTANT_PORT"),
        ({"ASSISTANT_PORT": "70000"}, "1–65535"),
    ],
)
def test_server_settings_refuse_unsafe_or_malformed(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ui.LaunchError, match=fragment):
        ui.server_settings(env)


def test_login_is_enforced_when_configured(_shipped_assistant: Any) -> None:
    demo = ui.create_app(_shipped_assistant)
    _, local_url, _ = ui.serve(
        demo, port=_free_port(), auth=("sales", "s3cret"), prevent_thread_lock=True, quiet=True
    )
    try:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises different types by version
            Client(local_url, verbose=False).predict(92, api_name="/score")
        with pytest.raises(Exception):  # noqa: B017
            Client(local_url, auth=("sales", "wrong"), verbose=False)
        logged_in = Client(local_url, auth=("sales", "s3cret"), verbose=False)
        assert logged_in.predict(92, api_name="/score")["level"]["key"] == "four"
    finally:
        demo.close()
