from pathlib import Path

import pytest

from assistant.corpus import Document, load_document
from assistant.errors import CorpusError
from index.chunking import split_document

SOURCES = ({"title": "甲", "url": "http://a.invalid"}, {"title": "乙", "url": "http://b.invalid"})


def _doc(body: str) -> Document:
    return Document(id="d", title="标题", kind="faq", sources=SOURCES, confidence="单源", body=body)


def test_chunks_follow_headings_and_carry_section_sources() -> None:
    chunks = split_document(_doc("导言一句。\n## 有效期\n<!-- 来源: 2 -->\n证书有效期为3年。\n## 费用\n申请费1000元。"))
    assert [(c.section, c.text) for c in chunks] == [
        ("标题", "导言一句。"), ("有效期", "证书有效期为3年。"), ("费用", "申请费1000元。"),
    ]
    assert chunks[1].source == "乙 http://b.invalid"  # the section names its source
    assert chunks[2].source == "甲 http://a.invalid；乙 http://b.invalid"  # otherwise all of them
    assert [c.chunk_id for c in chunks] == ["d#0", "d#1", "d#2"]


def test_long_sections_split_between_sentences_only() -> None:
    sentence = "售后服务认证证书的有效期为3年。"
    chunks = split_document(_doc("## 长节\n" + sentence * 40), max_chars=100)
    assert len(chunks) > 1
    assert all(c.text.replace("\n", "").count("。") == len(c.text.splitlines()) for c in chunks)
    assert all(len(c.text.replace("\n", "")) <= 100 for c in chunks)


def test_section_source_numbers_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("---\nid: x\ntitle: t\nkind: faq\nsources:\n  - title: 甲\n    url: null\nconfidence: 单源\n---\n"
                    "## 节\n<!-- 来源: 3 -->\n一句。\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="1–1"):
        load_document(path)
