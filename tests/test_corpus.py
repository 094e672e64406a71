from pathlib import Path

import pytest

from assistant.config import corpus_dir
from assistant.corpus import KINDS, load_corpus, load_document
from assistant.errors import CorpusError

SHIPPED_IDS = {
    "overview", "standard-gbt27922", "standard-sbt10401", "scoring", "process", "eligibility",
    "materials", "timeline", "fees", "bodies", "related-schemes",
}


def test_shipped_corpus_has_every_planned_document_with_sources() -> None:
    docs = {d.id: d for d in load_corpus()}
    assert set(docs) >= SHIPPED_IDS
    for doc in docs.values():
        assert Path(doc.path).stem == doc.id
        assert doc.kind in KINDS
        assert doc.sources and all(s.get("title") for s in doc.sources)
        assert "{{data:" not in doc.body, f"{doc.id}: unrendered placeholder"


def test_data_tables_are_rendered_into_the_fee_document() -> None:
    fees = next(d for d in load_corpus() if d.id == "fees")
    # The 1176–1550 band (the one a second source confirms) must read as in the data table.
    assert "雇员人数1176–1550人：初审16人日" in fees.body
    assert "评审费：3000元/人日" in fees.body


GOOD = """---
id: sample
title: 样例
kind: faq
sources:
  - title: 测试来源
    url: http://example.invalid
confidence: 单源
---
## 小节
证书有效期为3年。
"""


@pytest.mark.parametrize(
    ("replace", "fragment"),
    [
        (("id: sample", "id: Sample!"), "'id'"),
        (("kind: faq", "kind: blog"), "'kind'"),
        (("title: 样例\n", ""), "'title'"),
        (("sources:\n  - title: 测试来源\n    url: http://example.invalid\n", ""), "'sources'"),
        (("confidence: 单源", "confidence: 很高"), "'confidence'"),
        (("id: sample", "id: [unclosed"), "YAML"),
    ],
)
def test_broken_front_matter_names_file_and_field(tmp_path: Path, replace: tuple[str, str], fragment: str) -> None:
    path = tmp_path / "sample.md"
    path.write_text(GOOD.replace(*replace), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_document(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_good_document_loads(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(GOOD, encoding="utf-8")
    doc = load_document(path)
    assert (doc.id, doc.kind, doc.confidence) == ("sample", "faq", "单源")
    assert doc.source_text == "测试来源 http://example.invalid"


def test_unknown_placeholder_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(GOOD + "{{data:nonexistent.table}}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="nonexistent"):
        load_document(path)


def test_user_text_file_gets_derived_metadata(tmp_path: Path) -> None:
    path = tmp_path / "我的笔记.txt"
    path.write_text("# 机构内部规定\n现场评审前需提交服务手册。", encoding="utf-8")
    doc = load_document(path)
    assert doc.id.startswith("user-") and doc.kind == "user" and doc.title == "机构内部规定"


def test_corpus_dir_is_package_data() -> None:
    assert (corpus_dir() / "data" / "fees.yaml").exists()
