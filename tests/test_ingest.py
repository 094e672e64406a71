"""Users' documents: format readers, validation of every bad input, storing, listing, removing.

The files are made inside the tests (bench/docgen.py: reportlab, python-docx, openpyxl); no
binary is committed. Library-level tests need no index; the CLI tests at the end run the real
`assistant` command on a copy of the shipped index.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.corpus import load_corpus, user_docs_dir
from assistant.errors import InputError
from bench.docgen import make_docx, make_image_pdf, make_pdf, make_xlsx, make_zip_bomb
from index.ingest import (
    IngestError,
    Limits,
    add_files,
    collect_files,
    commit,
    list_documents,
    read_file,
    remove_documents,
    stage_files,
)

POLICY = [
    ("title", "机构售后服务规定"),
    ("h1", "第一章 上门服务"),
    ("p", "接到报修后，维修人员须在24小时内上门。"),
    ("p", "偏远地区上门时限放宽到48小时。"),
    ("h1", "第二章 保修期限"),
    ("h2", "整机与配件"),
    ("li", "整机保修期为3年。"),
    ("table", [["型号", "保修期", "备注"], ["A100", "3年", "含上门"], ["B200", "5年", ""]]),
]


# ---------------------------------------------------------------------------------------------
# Formats keep their structure.


def test_word_headings_become_sections_and_tables_keep_their_header(tmp_path: Path) -> None:
    item = read_file(make_docx(tmp_path / "售后规定.docx", POLICY))
    chunks = item.chunks()
    by_section = {c.section: c.text for c in chunks}
    assert list(by_section) == ["第一章 上门服务", "整机与配件"]
    assert "24小时内上门" in by_section["第一章 上门服务"]
    assert by_section["整机与配件"].splitlines() == [
        "- 整机保修期为3年。",
        "型号：A100，保修期：3年，备注：含上门。",
        "型号：B200，保修期：5年。",
    ]
    # Citations name the file: it is the title and the source of every chunk.
    assert {c.title for c in chunks} == {"售后规定.docx"}
    assert {c.source for c in chunks} == {"用户文档 售后规定.docx"}
    assert item.document.kind == "user" and item.format == "docx"


def test_pdf_pages_become_sections_and_wrapped_lines_are_joined(tmp_path: Path) -> None:
    pages = [
        ["本公司售后服务热线每天早8点到晚8点，", "节假日照常服务。"],
        ["第二页", "1. 维修备件保存期为停产后5年。", "2. 配件价格在网点公示。"],
        [],
    ]
    item = read_file(make_pdf(tmp_path / "手册.pdf", pages))
    by_section = {c.section: c.text.splitlines() for c in item.chunks()}
    assert by_section["第1页"] == ["本公司售后服务热线每天早8点到晚8点，节假日照常服务。"]
    assert by_section["第2页"] == ["第二页", "1. 维修备件保存期为停产后5年。", "2. 配件价格在网点公示。"]
    assert "第3页" not in by_section
    assert item.notes == ("第 3 页没有可提取的文字（可能是图片），已跳过",)


def test_excel_sheets_become_table_passages_with_their_header_row(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "网点.xlsx", {
        "服务网点": [["城市", "网点", "电话"], ["北京", "朝阳店", "010-1234"], ["上海", None, "021-5678"]],
        "空表": [],
        "收费": [["项目", "金额"], ["上门费", 50.0]],
    })
    by_section = {c.section: c.text.splitlines() for c in read_file(path).chunks()}
    assert by_section == {
        "工作表：服务网点": ["城市：北京，网点：朝阳店，电话：010-1234。", "城市：上海，电话：021-5678。"],
        "工作表：收费": ["项目：上门费，金额：50。"],
    }


def test_html_keeps_headings_lists_and_tables_and_drops_scripts(tmp_path: Path) -> None:
    page = tmp_path / "承诺.html"
    page.write_text(
        "<html><head><title>x</title><style>p{}</style><script>var a='不应出现';</script></head><body>"
        "<nav>首页</nav><h1>服务承诺</h1><p>我们承诺<b>7天</b>无理由退货。</p>"
        "<ul><li>退货<ul><li>需保留发票</li></ul></li><li>换货</li></ul>"
        "<h2>时限</h2><table><tr><th>项目</th><th>时限</th></tr><tr><td>退货</td><td>7天</td></tr></table>"
        "<script>alert('不应出现')</script></body></html>",
        encoding="utf-8",
    )
    by_section = {c.section: c.text.splitlines() for c in read_file(page).chunks()}
    assert by_section == {
        "承诺.html": ["首页"],
        "服务承诺": ["我们承诺7天无理由退货。", "- 退货", "- 需保留发票", "- 换货"],
        "时限": ["项目：退货，时限：7天。"],
    }


def test_gbk_text_is_read_and_says_so(tmp_path: Path) -> None:
    """Decision (docs/DECISIONS.md): GBK files from Windows are read, with a note, not refused."""
    path = tmp_path / "说明.txt"
    path.write_bytes("售后服务认证证书有效期为三年。\n每年监督一次。".encode("gbk"))
    item = read_file(path)
    assert "证书有效期为三年" in item.document.body
    assert item.notes == ("按 GBK（GB18030）编码读取",)


def test_pdf_locked_only_against_editing_is_read(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "只读.pdf", [["禁止编辑但可以阅读的文件内容在这里。"]], owner_password="owner")
    assert "可以阅读" in read_file(path).document.body


def test_markup_in_a_document_cannot_pose_as_corpus_markup(tmp_path: Path) -> None:
    path = tmp_path / "笔记.txt"
    path.write_text("{{data:fees.items}}\n<!-- 来源: 9 -->\n正文。", encoding="utf-8")
    item = read_file(path)  # a data placeholder or source marker would raise in the corpus loader
    assert "正文。" in item.document.body


# ---------------------------------------------------------------------------------------------
# Bad input: a clear Chinese message naming the file, nothing written.


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def _big(folder: Path) -> Path:
    path = folder / "大文件.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse): refused by its size before it is read
    return path


def _docx_without_body(folder: Path) -> Path:
    path = folder / "空壳.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return path


BAD_FILES: list[tuple[str, Callable[[Path], Path], list[str]]] = [
    ("scanned-pdf", lambda d: make_image_pdf(d / "扫描件.pdf"), ["扫描件.pdf", "没有找到可提取的文字", "OCR", "未加入任何内容"]),
    ("encrypted-pdf", lambda d: make_pdf(d / "加密.pdf", [["机密内容"]], user_password="1234"), ["加密.pdf", "加密", "去除密码"]),
    ("corrupt-pdf", _bytes("坏.pdf", b"%PDF-1.4\n" + os.urandom(2000)), ["坏.pdf", "PDF"]),
    ("corrupt-docx", _bytes("坏.docx", os.urandom(4000)), ["坏.docx", "不是有效的 Word（.docx）文件"]),
    ("renamed-docx", lambda d: make_pdf(d / "其实是PDF.docx", [["文字"]]), ["其实是PDF.docx", "改了扩展名"]),
    ("zip-not-docx", _docx_without_body, ["空壳.docx", "缺少 word/document.xml"]),
    ("corrupt-xlsx", _bytes("坏.xlsx", os.urandom(4000)), ["坏.xlsx", "不是有效的 Excel（.xlsx）文件"]),
    ("zip-bomb-docx", lambda d: make_zip_bomb(d / "炸弹.docx", "word/document.xml"), ["炸弹.docx", "压缩炸弹"]),
    ("zip-bomb-xlsx", lambda d: make_zip_bomb(d / "炸弹.xlsx", "xl/workbook.xml"), ["炸弹.xlsx", "压缩炸弹"]),
    ("50MB", _big, ["大文件.txt", "50.0 MB", "20 MB 的上限", "ASSISTANT_MAX_FILE_MB"]),
    ("html-name", _bytes('<img src=x onerror="alert(1)">.md', "正文".encode()), ["<img src=x", "不可用", "改名"]),
    ("empty", _bytes("空.md", b""), ["空.md", "空文件"]),
    ("binary-txt", _bytes("乱码.txt", b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(100)), ["乱码.txt", "不是文本文件"]),
    ("unknown-encoding", _bytes("编码.txt", bytes(range(0x80, 0x100)) * 20), ["编码.txt", "无法识别", "UTF-8"]),
    ("broken-front-matter", _bytes("坏头.md", "---\nid: [broken\n---\n正文".encode()), ["坏头.md", "front matter", "YAML"]),
    ("shipped-id", _bytes("冒名.md", "---\nid: fees\ntitle: 假\nkind: faq\nsources: [{title: x}]\nconfidence: 单源\n---\n正文".encode()),
     ["冒名.md", "fees", "内置资料"]),
    ("old-word", _bytes("旧版.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100), ["旧版.doc", "不支持", "另存为 .docx"]),
]


@pytest.mark.parametrize(("make", "fragments"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_refused_with_a_clear_message_and_nothing_is_written(
    tmp_path: Path, make: Callable[[Path], Path], fragments: list[str]
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    path = make(source)
    with pytest.raises(IngestError) as info:
        read_file(path)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    assert str(source) not in message and "Traceback" not in message
    report = add_files([path])
    assert not report.added and [m for _, m in report.refused] == [message]
    assert not user_docs_dir().exists()  # not even the folder


@pytest.mark.parametrize("name", ["../../etc/passwd.md", "a/b.md", "..\\x.txt", "bell\x07.md", ".hidden.md", "x" * 130 + ".md"])
def test_unusable_names_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "ok.md"
    path.write_text("正文。", encoding="utf-8")
    with pytest.raises(IngestError, match=r"改名|太长"):
        read_file(path, name=name)


def test_size_limits_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "长文.txt"
    path.write_text("售后服务认证的评审包括文件评审和现场评审。" * 200, encoding="utf-8")
    assert read_file(path).size > 4000
    monkeypatch.setenv("ASSISTANT_MAX_DOC_CHARS", "1000")
    with pytest.raises(IngestError, match=r"超过单个文档 1000 字的上限.*ASSISTANT_MAX_DOC_CHARS"):
        read_file(path)
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.001")
    with pytest.raises(IngestError, match=re.escape("0.001 MB 的上限")):
        read_file(path)
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "很多")
    with pytest.raises(InputError, match="ASSISTANT_MAX_FILE_MB='很多' 不是有效的正数"):
        Limits.from_env()


# ---------------------------------------------------------------------------------------------
# Storing, duplicates, folders, listing and removing.


def test_same_file_twice_and_same_name_with_new_content(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "售后规定.docx", POLICY)
    first = add_files([path])
    assert [i.name for i in first.added] == ["售后规定.docx"]
    stored = sorted(p.name for p in user_docs_dir().rglob("*"))

    again = add_files([path])
    assert not again.added
    assert again.refused == [("售后规定.docx", "售后规定.docx 与已添加的“售后规定.docx”内容完全相同，未重复添加")]
    copy = tmp_path / "副本.docx"
    shutil.copyfile(path, copy)
    assert "内容完全相同" in add_files([copy]).refused[0][1]

    (tmp_path / "new").mkdir()
    changed = make_docx(tmp_path / "new" / "售后规定.docx", [*POLICY, ("p", "新增：夜间报修次日上门。")])
    refused = add_files([changed])
    assert not refused.added and "已有同名文档“售后规定.docx”（内容不同）" in refused.refused[0][1]
    assert sorted(p.name for p in user_docs_dir().rglob("*")) == stored  # nothing changed
    replaced = add_files([changed], replace=True)
    assert replaced.replaced == ["售后规定.docx"]
    docs = list_documents()
    assert [d.name for d in docs] == ["售后规定.docx"]
    assert "夜间报修" in docs[0].path.read_text(encoding="utf-8")
    assert docs[0].original is not None and docs[0].original.read_bytes() == changed.read_bytes()


def _folder_with_traps(root: Path) -> Path:
    """Issue 10 item 12's folder: two 规定.md, a link to /etc/passwd, an empty file."""
    folder = root / "资料"
    (folder / "2023").mkdir(parents=True)
    (folder / "2024").mkdir()
    (folder / "2023" / "规定.md").write_text("2023年的规定：上门时限48小时。", encoding="utf-8")
    (folder / "2024" / "规定.md").write_text("2024年的规定：上门时限24小时。", encoding="utf-8")
    (folder / "说明.txt").write_text("网点电话每天有人接听。", encoding="utf-8")
    (folder / "空.md").write_bytes(b"")
    (folder / "图片.png").write_bytes(b"\x89PNG")  # not a document type: skipped quietly
    (folder / "泄露.md").symlink_to("/etc/passwd")
    (folder / "链接目录").symlink_to(folder / "2023", target_is_directory=True)  # not walked
    return folder


def test_folder_walk_reports_name_clashes_symlinks_and_empty_files(tmp_path: Path) -> None:
    folder = _folder_with_traps(tmp_path)

    files, refused = collect_files([folder])
    assert [f.name for f in files] == ["空.md", "说明.txt"]
    messages = dict(refused)
    assert "不会被跟随" in messages[str(folder / "泄露.md")]
    clash = messages["规定.md"]
    assert str(folder / "2023" / "规定.md") in clash and str(folder / "2024" / "规定.md") in clash
    assert "互相覆盖" in clash

    report = add_files([folder])
    assert [i.name for i in report.added] == ["说明.txt"]
    assert {name for name, _ in report.refused} == {str(folder / "泄露.md"), "规定.md", "空.md"}
    assert "root:" not in "".join(p.read_text(encoding="utf-8") for p in user_docs_dir().glob("*.md"))


def test_symlink_given_directly_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "passwd.md"
    link.symlink_to("/etc/passwd")
    report = add_files([link])
    assert not report.added and "符号链接" in report.refused[0][1]


def test_list_and_remove(tmp_path: Path) -> None:
    add_files([make_docx(tmp_path / "售后规定.docx", POLICY), make_pdf(tmp_path / "手册.pdf", [["热线每天早8点到晚8点服务。"]])])
    docs = {d.name: d for d in list_documents()}
    assert set(docs) == {"售后规定.docx", "手册.pdf"}
    assert (docs["售后规定.docx"].format, docs["售后规定.docx"].sections, docs["售后规定.docx"].chunks) == ("docx", 2, 2)
    assert docs["手册.pdf"].original is not None

    with pytest.raises(IngestError, match=re.escape("没有名为“不存在.pdf”的用户文档；已添加的文档：售后规定.docx、手册.pdf")):
        remove_documents(["不存在.pdf"])
    with pytest.raises(IngestError, match="内置资料，不能删除"):
        remove_documents(["fees"])
    removed = remove_documents(["手册.pdf"])
    assert [d.name for d in removed] == ["手册.pdf"]
    assert [d.name for d in list_documents()] == ["售后规定.docx"]
    assert not (user_docs_dir() / "originals" / "手册.pdf").exists()
    remove_documents([docs["售后规定.docx"].doc_id])  # by id works too
    assert list_documents() == []


def test_preview_writes_nothing(tmp_path: Path) -> None:
    ok, refused = stage_files([make_docx(tmp_path / "售后规定.docx", POLICY), tmp_path / "没有.md"])
    assert [i.name for i in ok] == ["售后规定.docx"] and len(ok[0].chunks()) == 2
    assert refused == [(str(tmp_path / "没有.md"), f"文件不存在：{tmp_path / '没有.md'}")]
    assert not user_docs_dir().exists()
    assert commit(ok).added  # the staged document is what gets stored


def test_a_broken_stored_document_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    folder = user_docs_dir()
    folder.mkdir(parents=True)
    (folder / "坏.md").write_text("---\nid: [broken\n---\n正文", encoding="utf-8")
    (folder / "好.md").write_text("# 好\n售后服务管理师每年参加一次培训。", encoding="utf-8")
    (folder / "链接.md").symlink_to("/etc/passwd")
    with caplog.at_level(logging.WARNING, logger="assistant.corpus"):
        docs = load_corpus()
    user = [d for d in docs if d.kind == "user"]
    assert [Path(d.path).name for d in user] == ["好.md"]
    warnings = " ".join(r.getMessage() for r in caplog.records)
    assert "坏.md" in warnings and "链接.md" in warnings and str(folder) not in warnings
    assert {d.name: d.error is not None for d in list_documents()} == {"坏.md": True, "好.md": False, "链接.md": True}
    remove_documents(["坏.md"])  # a broken document can be removed by its file name


# ---------------------------------------------------------------------------------------------
# The `assistant` command on a real index.


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, timeout=600)


def _state(home: Path) -> tuple[str, list[str], bool]:
    """What must not change after a refused file: the live build, the stored documents, the database."""
    current = (home / "index" / "CURRENT").read_text(encoding="utf-8")
    docs = sorted(str(p.relative_to(home)) for p in (home / "docs").rglob("*")) if (home / "docs").exists() else []
    return current, docs, (home / "assistant.db").exists()


@pytest.mark.slow
def test_cli_uploads_are_answerable_with_file_name_and_heading_or_page(home_copy: Path, tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "机构售后规定.docx", POLICY)
    pdf = make_pdf(tmp_path / "服务手册.pdf", [
        ["第一部分 总则"],
        ["售后服务热线的人工坐席每天早8点到晚8点值守，", "节假日不休息。"],
    ])
    preview = _run(["index", "add", "--preview", str(docx)], home_copy)
    assert preview.returncode == 0 and "[第一章 上门服务]" in preview.stdout and "预览" in preview.stdout
    assert not (home_copy / "docs").exists()

    added = _run(["index", "add", str(docx), str(pdf)], home_copy)
    assert added.returncode == 0, added.stderr
    assert "已添加 2 个文件" in added.stdout and "新向量化" in added.stdout
    listed = json.loads(_run(["index", "list", "--json"], home_copy).stdout)
    assert [(d["name"], d["format"]) for d in listed] == [("服务手册.pdf", "pdf"), ("机构售后规定.docx", "docx")]

    for question, title, section, fact in [
        ("接到报修后维修人员多久上门？", "机构售后规定.docx", "第一章 上门服务", "24小时"),
        ("售后服务热线人工坐席几点值守？", "服务手册.pdf", "第2页", "早8点到晚8点"),
    ]:
        answer = json.loads(_run(["ask", "--json", question], home_copy).stdout)
        cited = [c for c in answer["citations"] if c["title"] == title]
        assert cited, answer
        assert cited[0]["section"] == section and cited[0]["source"] == f"用户文档 {title}"
        assert fact in answer["answer"]
        assert str(tmp_path) not in json.dumps(answer, ensure_ascii=False)

    removed = _run(["index", "remove", "服务手册.pdf"], home_copy)
    assert removed.returncode == 0 and "已删除 1 个文档：服务手册.pdf" in removed.stdout
    answer = json.loads(_run(["ask", "--json", "售后服务热线人工坐席几点值守？"], home_copy).stdout)
    assert all(c["title"] != "服务手册.pdf" for c in answer["citations"])
    missing = _run(["index", "remove", "服务手册.pdf"], home_copy)
    assert missing.returncode == 2 and "没有名为“服务手册.pdf”的用户文档" in missing.stderr


@pytest.mark.slow
def test_cli_bad_files_leave_index_documents_and_database_unchanged(home_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    paths = [make(folder) for _, make, _ in BAD_FILES]
    before = _state(home_copy)
    result = _run(["index", "add", *map(str, paths)], home_copy)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    for (_, _, fragments), path in zip(BAD_FILES, paths, strict=True):
        assert fragments[-1] in result.stderr, path.name
    assert "没有添加任何文件，索引未改变" in result.stderr
    assert _state(home_copy) == before


@pytest.mark.slow
def test_cli_one_bad_stored_document_does_not_take_the_service_down(home_copy: Path) -> None:
    """Issue 10 item 3: a user .md with broken front matter used to stop ask, status and the app."""
    (home_copy / "docs").mkdir()
    (home_copy / "docs" / "坏.md").write_text("---\nid: [broken\n---\n正文", encoding="utf-8")
    answer = _run(["ask", "--json", "证书有效期是几年？"], home_copy)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["intent"] == "qa"
    assert "跳过用户文档 坏.md" in answer.stderr
    status = _run(["index", "status"], home_copy)
    assert status.returncode == 0 and "状态：最新" in status.stdout
    removed = _run(["index", "remove", "坏.md"], home_copy)
    assert removed.returncode == 0 and not (home_copy / "docs" / "坏.md").exists()


@pytest.mark.slow
def test_cli_folder_add_reports_clashes_symlinks_and_empty_files(home_copy: Path, tmp_path: Path) -> None:
    """Issue 10 item 12: same-name files overwrote each other, a symlink to /etc/passwd was indexed,
    an empty file was accepted, and the command said all was well (exit 0)."""
    result = _run(["index", "add", str(_folder_with_traps(tmp_path))], home_copy)
    assert result.returncode == 2, result.stderr
    assert "有多个同名文件“规定.md”" in result.stderr and "互相覆盖" in result.stderr
    assert "泄露.md 是符号链接，不会被跟随" in result.stderr
    assert "空.md 是空文件" in result.stderr
    assert "已添加 1 个文件：说明.txt" in result.stdout
    listed = json.loads(_run(["index", "list", "--json"], home_copy).stdout)
    assert [d["name"] for d in listed] == ["说明.txt"]
    assert "root:" not in "".join(p.read_text(encoding="utf-8") for p in (home_copy / "docs").rglob("*.*"))
