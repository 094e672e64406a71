"""The scope guard: answer only what the corpus covers, say plainly when it does not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieval import QueryAnalysis
from .textproc import normalize

__all__ = ["ScopeVerdict", "check_scope", "out_of_scope_message"]

# Other certification schemes: out of scope unless the question compares them with ours.
_OTHER_SCHEME = re.compile(
    r"ccc|3c认证|iso\d*|iatf|haccp|gmp|fda|ce认证|ce标志|\bce\b|ul认证|rohs|gsp|质量管理体系|环境管理体系"
    r"|职业健康|信息安全管理|知识产权管理|能源管理|体系认证|产品认证|强制性认证|绿色食品|有机认证|节能认证"
)
_OUR_SCHEME = re.compile(r"售后|27922|10401|星级|五星|四星|三星|达标级|服务认证|服务评价|这个认证|该认证|本认证")
# "已经有的ISO9001证书要交吗" asks about our application materials, not about ISO 9001.
_HELD = re.compile(r"已有|已经有|已获|持有|已取得|已经拿到|现有")
_COMPARE = re.compile(r"区别|不同|对比|比较|差别|差异|关系|一样|哪个|还是|vs|相比|属于|是不是")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_DOMAIN = re.compile(r"gb/?t|27922|10401|iso|ccc|cnca")

# Words that only make sense around this certification. A question holding one is judged on
# retrieval evidence with a low bar; a question without one must be matched closely by a passage
# (e.g. "小公司能办吗" is, "汽车多久保养一次" or "怎么办理护照" are not).
_ANCHOR = re.compile(
    r"认证|证书|拿证|办证|发证|这个证|评审|审核|星级|几星|颗星|5星|4星|3星|达标|人日|年金|申请费|评审费|注册费"
    r"|收费标准|管理师|指标|评分|打分|分数|多少分|gbt|gb/t|27922|10401|国标|标准|删减|扣分|加分|复评|换证"
    r"|材料|资料|认监委|五洲天宇|5洲天宇|体系|服务网点|服务手册|代码证|三证合一|营业执照|法律法规|管理手册|申请表|承诺书"
)

# Thresholds read off the golden set's signal distribution (docs/DECISIONS.md gives the figures).
ANCHORED_MIN_COVERAGE = 0.12  # share of the question's word weight found in the best passage
ANCHORED_MIN_KNOWN = 0.6  # ... counting only the words the corpus knows (small talk around a question)
FREE_MIN_COVERAGE = 0.45
FREE_MIN_DENSE = 0.86  # cosine similarity (1 - Chroma cosine distance)


@dataclass(frozen=True)
class ScopeVerdict:
    in_scope: bool
    reason: str  # ok | not_chinese | other_scheme | low_relevance | no_match


def check_scope(question: str, analysis: QueryAnalysis, *, strict: bool = True) -> ScopeVerdict:
    """Whether `question` is answerable from the corpus.

    `strict=False` keeps only the bare floor (no passage, or no word the corpus knows), for the
    retrieval-only baselines.
    """
    # The bare floor every variant shares: nothing retrieved, or not one word of the question
    # occurs in the corpus (a dense retriever alone always returns *something*).
    if not analysis.passages or not analysis.known_tokens:
        return ScopeVerdict(False, "no_match")
    if not strict:
        return ScopeVerdict(True, "ok")
    text = normalize(question)
    if not _CJK.search(text) and not _LATIN_DOMAIN.search(text):
        return ScopeVerdict(False, "not_chinese")
    if _OTHER_SCHEME.search(text) and not (_OUR_SCHEME.search(text) or _COMPARE.search(text) or _HELD.search(text)):
        return ScopeVerdict(False, "other_scheme")
    if _ANCHOR.search(text):
        # Small talk around a real question ("今天天气不错，顺便问下申请费") should not sink it:
        # anchored questions are judged on the words the corpus knows.
        ok = analysis.bm25_top > 0 and (
            analysis.passage_coverage >= ANCHORED_MIN_COVERAGE or analysis.known_coverage >= ANCHORED_MIN_KNOWN
        )
    else:
        ok = analysis.passage_coverage >= FREE_MIN_COVERAGE and analysis.dense_top >= FREE_MIN_DENSE
    return ScopeVerdict(True, "ok") if ok else ScopeVerdict(False, "low_relevance")


_SUGGEST = "申请条件、需要准备的材料、费用与人日数报价、办理流程和时间、证书有效期与监督评审、评分规则与星级"


def out_of_scope_message(verdict: ScopeVerdict) -> str:
    """The honest 'not covered' reply, with what the assistant can answer instead."""
    if verdict.reason == "not_chinese":
        head = "抱歉，我没有读懂这个问题。本助手只用中文解答商品售后服务评价体系认证（GB/T 27922-2011）的相关问题。"
    elif verdict.reason == "other_scheme":
        head = (
            "抱歉，这个问题涉及其他认证，不在本助手的资料范围内。"
            "本助手只解答商品售后服务评价体系认证（GB/T 27922-2011），其他认证只在与它比较时说明。"
        )
    else:
        head = "抱歉，资料库中没有与这个问题相关的内容，我不能凭空回答。本助手只解答商品售后服务评价体系认证（GB/T 27922-2011）的相关问题。"
    return f"{head}\n您可以问：{_SUGGEST}。"
