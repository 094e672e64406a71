"""Deterministic generated corpora for the scale benchmark.

Users will add their own documents: past Q&A, contracts, certification bodies' rules, internal
procedures. The generator imitates them by recombining real corpus sentences with templated
sentences built from the domain dictionary, so jieba, BM25 and the embedder see text with the
vocabulary and sentence lengths of the real corpus rather than random characters.

Each section is kept under the chunker's size limit, so one section is exactly one chunk and a
corpus of N chunks is N sections. The same seed and the same shipped corpus give byte-identical
files.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import corpus_dir
from assistant.corpus import Document, load_corpus, load_document
from assistant.textproc import split_sentences
from index.chunking import MAX_CHARS

__all__ = [
    "GeneratedDoc",
    "corpus_sentences",
    "domain_terms",
    "generate_docs",
    "load_generated",
    "write_corpus",
]

# Room under the chunker's limit, so appending a short revision note in the incremental-rebuild
# benchmark does not split the section into two chunks.
SECTION_CHARS = MAX_CHARS - 30

_CITIES = ("北京", "上海", "广州", "深圳", "杭州", "苏州", "南京", "成都", "武汉", "西安", "青岛", "宁波",
           "佛山", "东莞", "厦门", "长沙", "郑州", "合肥", "天津", "重庆")
_BRANDS = ("恒达", "华信", "美联", "德润", "新科", "安泰", "宏远", "瑞丰", "金鼎", "博润", "嘉禾", "立诚",
           "顺通", "海川", "中和", "启明", "正源", "天佑", "优品", "远航")
_INDUSTRIES = ("家电", "汽车销售", "家具", "电梯", "物业服务", "电子", "医疗器械", "建材", "通信设备",
               "软件", "食品", "服装", "新能源", "环保设备", "门窗", "安防", "办公设备", "厨卫")
_DOC_TYPES = ("售后服务认证问答记录", "认证服务合同", "认证机构评审规则摘录", "售后服务管理制度",
              "内部审核报告", "客户回访记录", "认证整改报告", "认证准备工作计划", "售后服务培训纪要")
_HEADINGS = ("背景", "申请条件", "材料清单", "费用约定", "评审安排", "整改要求", "时间节点", "双方责任",
             "常见问题", "结论", "服务网点", "投诉处理", "培训计划", "回访结果", "监督评审", "附则")
_PARTIES = ("甲方", "乙方", "申请企业", "认证机构", "评审组", "客服部", "质量部")
_TEMPLATES = (
    "{company}于{year}年{month}月提交了{term}相关材料。",
    "本文件约定，{party}应在{days}个工作日内完成{term}的整改。",
    "问：{term}大概需要多长时间？答：一般为{months}个月，以{party}的书面通知为准。",
    "{city}地区的{industry}企业办理{term}时，通常先梳理{term2}。",
    "{term}不符合要求的，{party}需在{days}日内补充说明。",
    "合同金额为{amount}元，其中{term}相关费用由{party}承担。",
    "{company}本年度{term}自评得分为{score}分，{term2}仍需改进。",
    "客户反馈：办理{term}的过程中，与{party}就{term2}的沟通比较顺畅。",
    "{party}负责{term}的日常管理，并每{months}个月检查一次{term2}。",
    "第{days}条 {term}的记录应保存不少于{months}年。",
)


@dataclass(frozen=True)
class GeneratedDoc:
    """One generated document: id, title and (heading, text) sections, one chunk each."""

    id: str
    title: str
    sections: tuple[tuple[str, str], ...]

    def to_markdown(self, *, seed: int) -> str:
        """The document in the corpus format (front matter, `##` sections)."""
        lines = [
            "---",
            f"id: {self.id}",
            f"title: {self.title}",
            "kind: user",
            "sources:",
            f"  - title: 生成语料（bench.corpus_gen，seed={seed}）",
            "    url: null",
            "confidence: 用户",
            "---",
            "",
        ]
        for heading, text in self.sections:
            lines += [f"## {heading}", "", text, ""]
        return "\n".join(lines)


def corpus_sentences(docs: Sequence[Document] | None = None) -> list[str]:
    """Distinct sentences of the shipped corpus that read well alone (no headings, tables, lists)."""
    docs = load_corpus() if docs is None else docs
    out: set[str] = set()
    for doc in docs:
        for sentence in split_sentences(doc.body):
            sentence = re.sub(r"^[-*]\s+", "", sentence).strip()
            if sentence.startswith(("#", "|", ">")) or "{{" in sentence:
                continue
            if 10 <= len(sentence) <= 110:
                out.add(sentence)
    # Sorted so the random choices below depend on the seed only, not on set order.
    return sorted(out)


def domain_terms() -> list[str]:
    """The domain words of the jieba user dictionary (`corpus/dict/userdict.txt`)."""
    path = corpus_dir() / "dict" / "userdict.txt"
    words: set[str] = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].split()
            if word and len(word[0]) >= 2:
                words.add(word[0])
    return sorted(words) or ["售后服务认证", "评审费", "服务网点", "投诉处理", "监督评审"]


def _template_sentence(rng: random.Random, terms: Sequence[str], company: str, city: str, industry: str) -> str:
    template = rng.choice(_TEMPLATES)
    return template.format(
        company=company,
        city=city,
        industry=industry,
        term=rng.choice(terms),
        term2=rng.choice(terms),
        party=rng.choice(_PARTIES),
        year=rng.randint(2012, 2025),
        month=rng.randint(1, 12),
        days=rng.randint(3, 30),
        months=rng.randint(1, 12),
        amount=rng.randrange(5000, 120000, 500),
        score=rng.randint(60, 99),
    )


def _section(rng: random.Random, sentences: Sequence[str], terms: Sequence[str], company: str, city: str,
             industry: str) -> str:
    budget = rng.randint(80, SECTION_CHARS)
    parts = [rng.choice(sentences)]
    size = len(parts[0])
    for _ in range(4):
        extra = _template_sentence(rng, terms, company, city, industry)
        if size + len(extra) > budget:
            break
        parts.append(extra)
        size += len(extra)
    rng.shuffle(parts)
    return "".join(parts)


def generate_docs(n_chunks: int, *, seed: int = 0, sentences: Sequence[str] | None = None,
                  terms: Sequence[str] | None = None) -> list[GeneratedDoc]:
    """Documents with exactly `n_chunks` sections in total (3 to 8 per document).

    Raises:
        ValueError: `n_chunks` is below 1 or there are no sentences to recombine.
    """
    if n_chunks < 1:
        raise ValueError(f"n_chunks={n_chunks} must be at least 1")
    sentences = corpus_sentences() if sentences is None else list(sentences)
    terms = domain_terms() if terms is None else list(terms)
    if not sentences:
        raise ValueError("no corpus sentences to recombine; is the shipped corpus empty?")
    rng = random.Random(seed)
    docs: list[GeneratedDoc] = []
    left = n_chunks
    while left > 0:
        n = min(left, rng.randint(3, 8))
        city, industry = rng.choice(_CITIES), rng.choice(_INDUSTRIES)
        company = f"{city}{rng.choice(_BRANDS)}{industry}有限公司"
        headings = rng.sample(_HEADINGS, n)  # at most 8 of 16, so headings never repeat in a document
        sections = tuple(
            (f"{i}. {heading}", _section(rng, sentences, terms, company, city, industry))
            for i, heading in enumerate(headings, 1)
        )
        docs.append(GeneratedDoc(f"gen-{len(docs) + 1:05d}", f"{company}{rng.choice(_DOC_TYPES)}", sections))
        left -= n
    return docs


def write_corpus(folder: Path, n_chunks: int, *, seed: int = 0) -> list[Path]:
    """Write a generated corpus of `n_chunks` chunks into `folder` (its old `gen-*.md` removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("gen-*.md"):
        old.unlink()
    paths = []
    for doc in generate_docs(n_chunks, seed=seed):
        path = folder / f"{doc.id}.md"
        path.write_text(doc.to_markdown(seed=seed), encoding="utf-8")
        paths.append(path)
    return paths


def load_generated(folder: Path) -> list[Document]:
    """The generated documents of `folder`, parsed by the real corpus loader."""
    return [load_document(p) for p in sorted(folder.glob("gen-*.md"))]
