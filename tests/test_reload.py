"""A running assistant notices a newer build and switches to it without a restart; questions in
flight finish on the build they started with. Real index, real CLI process for the new build."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.core import Assistant
from index.store import current_build, index_root, set_current

pytestmark = pytest.mark.slow

NOTE = "# 机构补充规定\n本机构要求售后服务管理师每年参加一次继续教育培训，培训不少于24学时。\n"
QUESTION = "售后服务管理师每年要参加多少学时的继续教育培训？"


@pytest.fixture
def home(home_copy: Path) -> Path:
    return home_copy


def _index_add(home: Path, tmp_path: Path) -> None:
    note = tmp_path / "机构补充规定.md"
    note.write_text(NOTE, encoding="utf-8")
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    result = subprocess.run([sys.executable, "-m", "assistant", "index", "add", str(note)], capture_output=True,
                            text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr


def _cites_user_doc(answer: dict) -> bool:  # type: ignore[type-arg]
    return any(c["doc_id"].startswith("user-") for c in answer["citations"]) and "24" in answer["answer"]


def test_loaded_assistant_answers_from_a_build_made_by_another_process(home: Path, tmp_path: Path) -> None:
    assistant = Assistant.load()
    first = current_build()
    assert not _cites_user_doc(assistant.ask(QUESTION).to_dict())
    _index_add(home, tmp_path)
    assert current_build() != first
    answer = assistant.ask(QUESTION).to_dict()
    assert _cites_user_doc(answer), answer


def test_question_in_flight_finishes_on_its_build(home: Path, tmp_path: Path) -> None:
    assistant = Assistant.load()
    live = assistant.live
    assert live is not None
    with live.use() as old:
        _index_add(home, tmp_path)
        with live.use() as new:
            assert new is not old
            assert any(p.doc_id.startswith("user-") for p in new.search(QUESTION, k=5))
        # The old build still answers while its question runs, although a newer one is live.
        assert old.search("证书有效期是几年？", k=3)
        assert not old.closed
    with live.use() as current:
        assert current is new
    assert old.closed  # released once its last question finished


def test_a_damaged_new_build_is_not_switched_to(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    assistant = Assistant.load()
    good = current_build()
    assert good is not None
    bad = index_root() / "build-99999999T000000000000"
    shutil.copytree(good, bad)
    (bad / "chroma" / "chroma.sqlite3").unlink()
    set_current(bad)
    answer = assistant.ask("证书有效期是几年？")
    assert answer.intent == "qa" and "3年" in answer.answer
    assert assistant.live is not None and assistant.live.build == good
    assert "损坏" in caplog.text or "chroma" in caplog.text
    # Asked again: the same damaged pointer is not loaded and checked on every question.
    assistant.ask("证书有效期是几年？")
    assert caplog.text.count("不切换") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_running_app_answers_from_a_document_added_after_it_started(home: Path, tmp_path: Path) -> None:
    from gradio_client import Client

    from assistant import ui

    demo = ui.create_app(Assistant.load())
    _, url, _ = ui.serve(demo, port=_free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        assert not _cites_user_doc(client.predict(QUESTION, [], api_name="/chat"))
        _index_add(home, tmp_path)
        answer = client.predict(QUESTION, [], api_name="/chat")
        assert _cites_user_doc(answer), json.dumps(answer, ensure_ascii=False)
    finally:
        demo.close()
