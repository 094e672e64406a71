"""Feedback, the 运营 tab and uploads in a real browser (Debian chromium through Playwright).

Each test serves its own app on a loopback port over a copy of the shipped index, so its uploads
and records stay its own. The .docx and .pdf are made inside the test (python-docx, reportlab).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from test_browser import ANSWER_TIMEOUT_MS, DESKTOP, Page, _free_port, browser  # noqa: F401 - `browser` is a fixture

from assistant import ui
from assistant.access import Access
from bench.docgen import make_docx, make_image_pdf, make_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUILD_TIMEOUT_MS = 240_000  # embedding the new chunks on a shared 2-core machine


@pytest.fixture
def home(home_copy: Path) -> Path:
    """The server reads ASSISTANT_HOME per request: uploads and records go to this test's copy."""
    return home_copy


def _serve(assistant: Any, access: Access, auth: list[tuple[str, str]] | None = None) -> tuple[gr.Blocks, str]:
    demo = ui.create_app(assistant, access=access)
    _, url, _ = ui.serve(demo, port=_free_port(), auth=auth, prevent_thread_lock=True, quiet=True)
    return demo, url


@pytest.fixture
def app_url(_shipped_assistant: Any, home: Path, browser: Any) -> Iterator[str]:  # noqa: F811
    demo, url = _serve(_shipped_assistant, Access(open_to_all=True))
    yield url
    demo.close()


def _ops(page: Page) -> None:
    page.tab("运营")
    page.page.wait_for_selector("#ops-counts table", timeout=ANSWER_TIMEOUT_MS)


def test_thumbs_down_with_a_comment_appears_in_the_ops_tab(browser: Any, app_url: str, tmp_path: Path) -> None:  # noqa: F811
    page = Page(browser, app_url, DESKTOP)
    try:
        page.ask("CCC认证检测费多少")  # declined: logged as out_of_scope
        answer, _ = page.ask("证书有效期是几年？")
        answer.hover()
        page.page.locator("#chatbot").get_by_label("踩").last.click()
        page.page.wait_for_selector("#chat-feedback", state="visible")
        page.page.locator("#chat-feedback-reason label", has_text="引用不对").click()
        page.field("chat-feedback-comment").fill("应该引用证书有效期那一节")
        page.page.click("#chat-feedback-send")
        page.page.wait_for_function(
            "(document.querySelector('#chat-feedback-note')?.innerText || '').includes('已收到')"
        )
        page.shot("desktop-feedback")

        _ops(page)
        disliked = page.page.locator("#ops-disliked").inner_text()
        assert "证书有效期是几年？" in disliked and "引用不对；应该引用证书有效期那一节" in disliked
        assert "CCC认证检测费多少" in page.page.locator("#ops-unanswered").inner_text()
        counts = page.page.locator("#ops-counts").inner_text()
        assert "合计\t0\t1\t0\t1" in counts  # 未覆盖 0, 超出范围 1, 赞 0, 踩 1
        page.shot("desktop-ops")

        with page.page.expect_download() as info:
            page.page.locator("#ops-export").click()
        exported = tmp_path / "review.jsonl"
        info.value.save_as(exported)
        questions = [json.loads(x)["question"] for x in exported.read_text(encoding="utf-8").splitlines()]
        assert questions == ["CCC认证检测费多少", "证书有效期是几年？"]

        page.page.locator("#ops-pending label", has_text="踩：证书有效期是几年？").click()
        page.page.click("#ops-mark")
        page.page.wait_for_function("(document.querySelector('#ops-message')?.innerText || '').includes('已标记 1 条')")
        assert "证书有效期是几年？" not in page.page.locator("#ops-disliked").inner_text()
    finally:
        page.close()


def test_uploaded_docx_and_pdf_are_answered_with_file_name_and_heading_or_page(
    browser: Any, app_url: str, tmp_path: Path, home: Path  # noqa: F811
) -> None:
    docx = make_docx(tmp_path / "机构售后规定.docx", [
        ("title", "机构售后服务规定"),
        ("h1", "第一章 上门服务"),
        ("p", "接到报修后，维修人员须在24小时内上门。"),
        ("h1", "第二章 备件"),
        ("table", [["备件", "保存年限"], ["主板", "停产后5年"]]),
    ])
    pdf = make_pdf(tmp_path / "服务手册.pdf", [["总则"], ["售后服务热线的人工坐席每天早8点到晚8点值守，", "节假日不休息。"]])
    scanned = make_image_pdf(tmp_path / "扫描件.pdf")
    page = Page(browser, app_url, DESKTOP)
    try:
        page.tab("知识库")
        page.page.wait_for_selector("#kb-manage", state="visible")
        page.page.locator("#kb-upload input[type=file]").set_input_files([str(docx), str(pdf), str(scanned)])
        page.page.wait_for_selector("#kb-preview .sa-preview", timeout=ANSWER_TIMEOUT_MS)
        preview = page.page.locator("#kb-preview").inner_text()
        assert "机构售后规定.docx（docx）：2 个小节，2 个片段" in preview and "第一章 上门服务" in preview
        assert "服务手册.pdf（pdf）：2 个小节，2 个片段" in preview and "第2页" in preview
        assert "扫描件.pdf：没有找到可提取的文字" in preview and "OCR" in preview
        assert not (home / "docs").exists()  # a preview stores nothing
        page.shot("desktop-upload-preview")

        page.page.click("#kb-add")
        page.page.wait_for_selector("#kb-add-result .sa-added", timeout=BUILD_TIMEOUT_MS)
        result = page.page.locator("#kb-add-result").inner_text()
        assert "已加入知识库：机构售后规定.docx、服务手册.pdf" in result and "扫描件.pdf" in result
        mine = page.page.locator("#kb-mine").inner_text()
        assert "机构售后规定.docx" in mine and "服务手册.pdf" in mine and "扫描件" not in mine
        page.page.wait_for_function("(document.querySelector('#kb-status')?.innerText || '').includes('14')")
        page.shot("desktop-upload-added")

        page.tab("智能问答")
        for question, cited, fact in [
            ("接到报修后维修人员多久上门？", "机构售后规定.docx · 第一章 上门服务", "24小时"),
            ("主板备件保存多少年？", "机构售后规定.docx · 第二章 备件", "停产后5年"),
            ("售后服务热线人工坐席几点值守？", "服务手册.pdf · 第2页", "早8点到晚8点"),
        ]:
            answer, _ = page.ask(question)
            assert fact in answer.locator(".sa-text").inner_text()
            summaries = [s.inner_text() for s in answer.locator("details.sa-cite summary").all()]
            assert any(cited in s for s in summaries), summaries
            assert str(tmp_path) not in answer.inner_text() and "/tmp" not in answer.inner_html()
        page.shot("desktop-upload-answer", full_page=False)

        page.tab("知识库")
        page.page.locator("#kb-mine-pick input").click()
        page.page.get_by_role("option", name="服务手册.pdf").click()
        with page.page.expect_download() as info:
            page.page.locator("#kb-download").click()
        assert info.value.suggested_filename == "服务手册.pdf"
        page.page.click("#kb-remove")
        page.page.wait_for_function(
            "(document.querySelector('#kb-add-result')?.innerText || '').includes('已删除：服务手册.pdf')",
            timeout=BUILD_TIMEOUT_MS,
        )
        assert "服务手册.pdf" not in page.page.locator("#kb-mine").inner_text()
    finally:
        page.close()


def test_only_the_maintainer_login_sees_operations_and_uploads(
    browser: Any, _shipped_assistant: Any, home: Path  # noqa: F811
) -> None:
    """Served as off loopback would be: a desk login and a maintainer login (ASSISTANT_ADMIN_AUTH)."""
    demo, url = _serve(_shipped_assistant, Access(False, frozenset({"boss"})), auth=[("desk", "d1"), ("boss", "b1")])
    contexts = []
    try:
        pages = {}
        for user, password in (("desk", "d1"), ("boss", "b1")):
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            contexts.append(context)
            tab = context.new_page()
            tab.goto(url)
            tab.locator("input[type=password]").wait_for(timeout=ANSWER_TIMEOUT_MS)
            tab.locator("input:not([type=password])").first.fill(user)
            tab.locator("input[type=password]").fill(password)
            tab.keyboard.press("Enter")
            tab.wait_for_selector("#chat-input textarea", timeout=ANSWER_TIMEOUT_MS)
            pages[user] = tab
        desk, boss = pages["desk"], pages["boss"]

        desk.locator("#chat-input textarea").fill("CCC认证检测费多少")
        desk.click("#chat-send")
        desk.wait_for_selector(".sa-done", timeout=ANSWER_TIMEOUT_MS)
        boss.get_by_role("tab", name="运营").wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert desk.get_by_role("tab", name="运营").count() == 0
        desk.get_by_role("tab", name="知识库").click()
        desk.wait_for_selector("#kb-status .sa-stat")
        assert not desk.locator("#kb-manage").is_visible()
        boss.get_by_role("tab", name="知识库").click()
        boss.wait_for_selector("#kb-manage", state="visible")
        # The chat shows each session its own conversation only.
        assert boss.locator(".sa-user").count() == 0
        # ...while the maintainer's 运营 tab lists what other users could not get answered.
        boss.get_by_role("tab", name="运营").click()
        boss.wait_for_selector("#ops-unanswered table", timeout=ANSWER_TIMEOUT_MS)
        assert "CCC认证检测费多少" in boss.locator("#ops-unanswered").inner_text()
        boss.screenshot(path=str(Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots" / "desktop-ops-admin.png"))
    finally:
        for context in contexts:
            context.close()
        demo.close()
