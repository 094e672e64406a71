"""The README's example commands run as written (against the shipped index)."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands() -> list[str]:
    block = README.read_text(encoding="utf-8").split("```console", 1)[1].split("```", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = README.read_text(encoding="utf-8").split("```bash", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == ["make run", "make test"]


@pytest.mark.parametrize("command", _commands())
def test_readme_command_runs(command: str, shipped_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(shipped_home, home)
    (tmp_path / "questions.jsonl").write_text(json.dumps({"id": "1", "question": "证书有效期是几年？"}) + "\n",
                                              encoding="utf-8")
    (tmp_path / "机构规定.md").write_text("# 机构规定\n评审前企业需提交售后服务管理手册。", encoding="utf-8")
    (tmp_path / "companies.csv").write_bytes("公司,人数\n示例公司,1200\n另一家公司,8\n".encode("gbk"))
    argv = shlex.split(command)
    # ".venv/bin/assistant" and ".venv/bin/python" are this interpreter's entry points.
    argv = [sys.executable, "-m", "assistant", *argv[1:]] if argv[0].endswith("assistant") else [sys.executable, *argv[1:]]
    if argv[-2:] == ["-m", "evals"]:
        argv += ["--limit", "3", "--out", str(tmp_path / "report")]
    env = {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONPATH": str(README.parent)}
    result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if "--out" in argv and "quote" in argv:
        assert (tmp_path / "quote.pdf").read_bytes().startswith(b"%PDF")
    if "--batch" in argv and "quote" in argv:
        assert len(list((tmp_path / "报价单").glob("SH-*.pdf"))) == 2 and (tmp_path / "报价单" / "汇总.xlsx").exists()
    if re.search(r"ask --json \"?CCC", command):
        assert json.loads(result.stdout)["abstained"] is True
