"""Fault injection: each kind of damage to the live index is reported, repaired, and the assistant
answers correctly afterwards. Real index of the shipped corpus (copied per test), real CLI processes.

Damage is done the way an operator or a crash would do it: files deleted, cut short or overwritten,
a build killed with SIGKILL, two builds and a question at the same time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from index.store import current_build, read_manifest

pytestmark = pytest.mark.slow

QUESTION = "证书有效期是几年？"
ANSWER_DOCS = {"timeline", "faq", "overview", "process"}


@pytest.fixture
def home(home_copy: Path) -> Path:
    return home_copy


def _run(args: list[str], home: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def _popen(args: list[str], home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "assistant", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _assert_answers_correctly(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["intent"] == "qa" and not data["abstained"]
    assert "3年" in data["answer"]
    assert {c["doc_id"] for c in data["citations"]} & ANSWER_DOCS


def _live(home: Path) -> Path:
    build = current_build()
    assert build is not None and build.parent.parent == home
    return build


def _garbage(path: Path) -> None:
    # Deterministic junk of the file's own size (at least 4 KB), as a bad disk or a stray write leaves it.
    size = max(path.stat().st_size, 4096)
    path.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(size)))


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


Damage = Callable[[Path], None]
DAMAGES: dict[str, tuple[Damage, str]] = {
    "chroma database deleted": (lambda b: (b / "chroma" / "chroma.sqlite3").unlink(), "chroma"),
    "chroma database garbage": (lambda b: _garbage(b / "chroma" / "chroma.sqlite3"), "chroma"),
    "chunks cut in half": (lambda b: _cut_in_half(b / "chunks.jsonl"), "chunks.jsonl"),
    "manifest is a list": (lambda b: (b / "manifest.json").write_text("[1,2,3]", encoding="utf-8"), "manifest.json"),
    "bm25 file deleted": (lambda b: (b / "bm25" / "vocab.index.json").unlink(), "bm25"),
    "idf garbage": (lambda b: _garbage(b / "idf.json"), "idf.json"),
    "tokens cut in half": (lambda b: _cut_in_half(b / "tokens.json"), "tokens.json"),
    # The answer units and their question-form vectors (index/units.py) are checked like the rest.
    "units cut in half": (lambda b: _cut_in_half(b / "units.jsonl"), "units.jsonl"),
    "form vectors garbage": (lambda b: _garbage(b / "forms.npy"), "forms.npy"),
}


@pytest.mark.parametrize("name", list(DAMAGES))
def test_damage_is_reported_and_ask_repairs_it(home: Path, name: str) -> None:
    damage, part = DAMAGES[name]
    damage(_live(home))

    check = _run(["index", "check"], home)
    assert check.returncode == 1, check.stdout + check.stderr
    assert part in check.stdout and "损坏" in check.stdout
    assert "Traceback" not in check.stderr

    status = _run(["index", "status"], home)
    assert "Traceback" not in status.stderr
    assert "状态：最新" not in status.stdout and "损坏" in status.stdout and part in status.stdout

    ask = _run(["ask", "--json", QUESTION], home)
    _assert_answers_correctly(ask)
    repairs = [line for line in ask.stderr.splitlines() if "重建索引" in line]
    assert len(repairs) == 1 and part in repairs[0], ask.stderr

    again = _run(["index", "check"], home)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "完好" in again.stdout


def test_garbage_in_the_vector_segment_is_rebuilt_by_chroma_itself(home: Path) -> None:
    # Chroma's local store rebuilds its HNSW segment from its SQLite file whenever a process opens
    # it, so this damage needs no repair: the check passes and answers are right.
    _garbage(next((_live(home) / "chroma").glob("*/data_level0.bin")))
    assert _run(["index", "check"], home).returncode == 0
    _assert_answers_correctly(_run(["ask", "--json", QUESTION], home))


@pytest.mark.parametrize("name", ["chroma database deleted", "chroma database garbage", "chunks cut in half",
                                  "manifest is a list"])
def test_index_build_repairs_instead_of_reusing_damage(home: Path, name: str) -> None:
    damage, _ = DAMAGES[name]
    damage(_live(home))
    build = _run(["index", "build"], home)
    assert build.returncode == 0, build.stderr
    assert "校验通过" in build.stdout
    assert _run(["index", "check"], home).returncode == 0
    _assert_answers_correctly(_run(["ask", "--json", QUESTION], home))


def _drop_vector_cache(home: Path) -> None:
    for path in (home / "index").glob("vectors.db*"):
        path.unlink()


def test_rebuild_reembeds_only_what_cannot_be_reused(home: Path) -> None:
    """Without the vector cache: a healthy Chroma store still gives its vectors; a lost one cannot."""
    from index.build import build_index

    chunks = read_manifest(_live(home))["chunks"]
    _drop_vector_cache(home)
    _cut_in_half(_live(home) / "chunks.jsonl")  # the chunk list is damaged, the vectors are not
    report = build_index(progress=None)
    assert (report.embedded, report.reused) == (0, chunks)

    _drop_vector_cache(home)
    (_live(home) / "chroma" / "chroma.sqlite3").unlink()  # the vectors are gone: all must be embedded
    report = build_index(progress=None)
    assert (report.embedded, report.reused) == (chunks, 0)

    (_live(home) / "chroma" / "chroma.sqlite3").unlink()  # with the cache (filled by that build) nothing is
    report = build_index(progress=None)
    assert (report.embedded, report.reused) == (0, chunks)


def _user_doc(folder: Path, sections: int, tag: str = "") -> Path:
    """A user document of `sections` short sections: one chunk each, every text distinct."""
    lines = [f"# 机构补充规定{tag}"]
    for i in range(1, sections + 1):
        lines += [f"## 第{i}条", f"本机构{tag}第{i}号补充规定：第{i}服务网点每{i % 7 + 1}天回访一次维修客户。"]
    path = folder / f"补充规定{tag}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_interrupted_build_keeps_the_live_index_and_its_embeddings_are_reused(home: Path, tmp_path: Path) -> None:
    from index.build import build_index

    before = _live(home)
    docs = home / "docs"
    docs.mkdir(exist_ok=True)
    _user_doc(docs, 150)

    def interrupt(stage: str, done: int, total: int) -> None:
        if done >= 128:  # two batches of 64 are embedded and saved, then the user presses Ctrl-C
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(progress=interrupt)
    assert current_build() == before
    report = build_index(progress=None)
    assert report.embedded == 150 - 128


def test_kill_9_mid_build_keeps_the_live_index_and_resumes(home: Path) -> None:
    before = _live(home)
    docs = home / "docs"
    docs.mkdir(exist_ok=True)
    _user_doc(docs, 200)
    proc = _popen(["index", "build"], home)
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 300
    while "向量化 128/" not in seen and time.monotonic() < deadline:  # progress shows two saved batches
        char = proc.stderr.read(1)
        if not char:
            break
        seen += char
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert "向量化 128/" in seen, seen

    assert current_build() == before
    assert _run(["index", "check"], home).returncode == 0
    build = _run(["index", "build"], home)
    assert build.returncode == 0, build.stderr
    embedded = int(build.stdout.split("新向量化 ")[1].split("，")[0])
    assert embedded <= 200 - 128
    assert not [p for p in (home / "index").iterdir() if p.name.startswith("tmp-")]
    _assert_answers_correctly(_run(["ask", "--json", QUESTION], home))


def test_two_builds_and_a_question_at_once(home: Path) -> None:
    docs = home / "docs"
    docs.mkdir(exist_ok=True)
    _user_doc(docs, 120, tag="甲")  # enough new chunks that the first build is still running
    procs = [_popen(["index", "build"], home), _popen(["index", "build"], home)]
    time.sleep(1.0)
    procs.append(_popen(["ask", "--json", QUESTION], home))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert any("另一个索引构建正在进行" in r.stderr for r in results[:2]), [r.stderr for r in results]
    _assert_answers_correctly(results[2])
    check = _run(["index", "check"], home)
    assert check.returncode == 0, check.stdout
    assert len([p for p in (home / "index").iterdir() if p.name.startswith("build-")]) <= 2
