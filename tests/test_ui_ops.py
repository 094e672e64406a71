"""The app's maintenance parts without a browser: `/feedback` against a live server on a loopback
port, who may maintain (assistant/access.py) enforced in every maintainer handler, and the
operations HTML escaping what users typed. Browser tests are in tests/test_browser_ops.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from test_browser import _free_port
from test_ui_api import _handler

from assistant import ui, ui_ops
from assistant.access import Access, AccessError
from assistant.db import connect
from assistant.feedback import MIGRATIONS, DislikedAnswer, FeedbackStore, QuestionGroup
from bench.docgen import make_docx
from index.store import current_build

pytestmark = pytest.mark.slow

INJECTION = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def server(_shipped_assistant: Any) -> Iterator[str]:
    demo = ui.create_app(_shipped_assistant, access=Access(open_to_all=True))
    _, url, _ = ui.serve(demo, port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield url
    demo.close()


def _rows(table: str) -> list[Any]:
    return list(connect("feedback", MIGRATIONS).execute(f"SELECT * FROM {table} ORDER BY id"))


# ---------------------------------------------------------------------------------------------
# /feedback and the question log, through the real assistant.


def test_api_feedback_on_a_chat_answer(server: str, home_copy: Path) -> None:
    client = Client(server, verbose=False)
    answered = client.predict("证书有效期是几年？", [], api_name="/chat")
    declined = client.predict("CCC认证检测费多少", [], api_name="/chat")
    assert declined["intent"] == "out_of_scope"

    stored = client.predict(answered["answer_id"], "down", "引用不对", api_name="/feedback")
    assert stored == {"answer_id": answered["answer_id"], "verdict": "down", "comment": "引用不对"}
    [row] = _rows("feedback")
    build = current_build()
    assert build is not None
    assert (row["question"], row["intent"], row["build_id"]) == ("证书有效期是几年？", "qa", build.name)
    assert row["answer"] == answered["answer"] and "timeline" in row["citations"]
    # Only the declined question is in the log; an answered one is not.
    assert [(r["question"], r["intent"]) for r in _rows("question_log")] == [("CCC认证检测费多少", "out_of_scope")]

    for args, fragment in [
        ((answered["answer_id"], "meh", ""), "无法识别的评价"),
        (("f" * 32, "up", ""), "找不到编号"),
    ]:
        with pytest.raises(Exception) as info:  # gradio_client raises its AppError with the message
            client.predict(*args, api_name="/feedback")
        assert fragment in str(info.value)


def test_question_logging_can_be_turned_off(server: str, home_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LOG_QUESTIONS", "0")
    client = Client(server, verbose=False)
    declined = client.predict("今天北京天气怎么样？", [], api_name="/chat")
    client.predict(declined["answer_id"], "down", "", api_name="/feedback")
    assert _rows("question_log") == []
    [row] = _rows("feedback")
    assert row["question"] is None and row["verdict"] == "down"


# ---------------------------------------------------------------------------------------------
# Who may maintain.


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, Access(open_to_all=True)),
        ({"ASSISTANT_HOST": "localhost"}, Access(open_to_all=True)),
        ({"ASSISTANT_HOST": "0.0.0.0", "ASSISTANT_AUTH": "desk:pw"}, Access(False, frozenset({"desk"}))),
        ({"ASSISTANT_ADMIN_AUTH": "boss:pw"}, Access(False, frozenset({"boss"}))),
        ({"ASSISTANT_HOST": "10.0.0.5", "ASSISTANT_AUTH": "desk:pw", "ASSISTANT_ADMIN_AUTH": "boss:p:w"},
         Access(False, frozenset({"boss"}))),
    ],
)
def test_access_from_env(env: dict[str, str], expected: Access) -> None:
    assert Access.from_env(env) == expected


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ASSISTANT_ADMIN_AUTH": "boss"}, "ASSISTANT_ADMIN_AUTH 格式应为"),
        ({"ASSISTANT_AUTH": "same:a", "ASSISTANT_ADMIN_AUTH": "same:b"}, "用户名相同"),
    ],
)
def test_access_settings_refuse_malformed(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(AccessError, match=fragment):
        Access.from_env(env)


def test_maintainer_handlers_refuse_other_users(_shipped_assistant: Any, home_copy: Path, tmp_path: Path) -> None:
    """Hidden tabs are a convenience; each handler checks the login itself (a raw queue call
    could reach a private event)."""
    app = ui.create_app(_shipped_assistant, access=Access(False, frozenset({"boss"})))
    desk, boss = gr.Request(username="desk"), gr.Request(username="boss")
    FeedbackStore().remember("CCC认证多少钱", _shipped_assistant.ask("CCC认证多少钱"))
    docx = make_docx(tmp_path / "规定.docx", [("h1", "上门"), ("p", "接到报修后24小时内上门。")])

    refused = _handler(app, "load")(False, desk)
    assert "只有管理员" in refused[4] and refused[1] == "" and refused[5] is None  # no export file either
    allowed = _handler(app, "load")(False, boss)
    assert "CCC认证多少钱" in allowed[1] and allowed[4] == "" and allowed[5].endswith(".jsonl")
    assert "只有管理员" in _handler(app, "handle")(["q:1"], False, desk)[4]
    assert FeedbackStore().unanswered()  # still unhandled

    assert "只有管理员" in _handler(app, "on_files")([str(docx)], desk)[0]
    assert "只有管理员" in _handler(app, "on_add")([str(docx)], False, desk)[0]
    assert "只有管理员" in _handler(app, "on_remove")("规定.docx", desk)[0]
    assert not (home_copy / "docs").exists()
    assert "规定.docx" in _handler(app, "on_files")([str(docx)], boss)[0]  # the preview, nothing stored
    assert not (home_copy / "docs").exists()

    assert _handler(app, "reveal_uploads")(desk)[0].visible is False
    assert _handler(app, "reveal_ops")(desk).visible is False
    assert _handler(app, "reveal_ops")(boss).visible is True


def test_public_host_serves_both_logins(_shipped_assistant: Any) -> None:
    demo = ui.create_app(_shipped_assistant, access=Access(False, frozenset({"boss"})))
    _, url, _ = ui.serve(demo, port=_free_port(), auth=[("desk", "d1"), ("boss", "b1")],
                         prevent_thread_lock=True, quiet=True)
    try:
        for login in (("desk", "d1"), ("boss", "b1")):
            assert Client(url, auth=login, verbose=False).predict(92, api_name="/score")["level"]["key"] == "four"
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises different types by version
            Client(url, auth=("boss", "d1"), verbose=False)
    finally:
        demo.close()


# ---------------------------------------------------------------------------------------------
# Rendering.


def test_operations_html_shows_user_text_as_text() -> None:
    groups = [QuestionGroup((1, 2), (INJECTION, "第二种问法"), 2, {"not_covered": 2}, "2025-01-02T03:04:05+00:00")]
    items = [DislikedAnswer(7, INJECTION, INJECTION, INJECTION, [{"n": 1, "title": INJECTION, "section": "s"}], "qa", "b")]
    for html in (ui_ops.groups_html(groups), ui_ops.dislikes_html(items), ui_ops.preview_html([], [("x", INJECTION)])):
        assert "<img" not in html and "<script" not in html and "&lt;img" in html
    assert "第二种问法" in ui_ops.groups_html(groups)
    assert "未记录问题" in ui_ops.dislikes_html([DislikedAnswer(8, None, None, "", [], "qa", None)])
    assert ui_ops.answer_id_of('<div class="sa-answer sa-done sa-id-0123456789abcdef0123456789abcdef">') == "0123456789abcdef0123456789abcdef"
    assert ui_ops.answer_id_of([{"type": "text", "text": "no id"}]) is None
