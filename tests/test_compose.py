"""Answer units, unit choice, whole lists, "not covered" and the outcome decision, on hand-built
inputs: documents, units, question forms and similarities are written here, no index is built."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer_config import AnswerConfig
from assistant.answering import decide
from assistant.compose import (
    _Candidate,
    _pick,
    _sentence_score,
    compose,
    form_match,
    inline_items,
    other_standard,
    unit_fit,
    unit_score,
)
from assistant.corpus import Document, load_document
from assistant.errors import CorpusError
from assistant.question import Lexicon, parse_question
from assistant.retrieval import IN_SCOPE, Evidence, UnitHit
from assistant.scope import check_scope, is_anchored, is_request, names_other_scheme, out_of_scope_message
from assistant.types import Passage
from index.units import is_item, split_units

BODY = """## 申请售后服务认证的基本条件
<!-- 来源: 1 -->
<!-- 问法: 申请要满足哪些条件｜什么企业有资格申请 -->
申请企业必须在中国境内注册，并满足3项基本条件。
申请条件第1项是企业有完整的售后服务规章制度。
申请条件第2项是企业有专门的售后服务经费。
第2项经费要在申请材料中说明。
申请条件第3项是企业具有独立法人资格。
这3项条件在多个网页上措辞相同，多数来源称可能出自同一份文案。

## 证书有效期
<!-- 问法: 证书能用几年｜证书多久过期 -->
售后服务认证证书的有效期为3年，从颁发之日起计算。
有效期内每年至少接受1次监督评审。

## 详见费用
<!-- 问法: 无 -->
费用的说明详见费用一节。
"""
SOURCES = ({"title": "甲", "url": "http://a.invalid"},)
DOC = Document(id="d", title="测试文档", kind="faq", sources=SOURCES, confidence="单源", body=BODY)
UNITS = split_units(DOC)
LEX = Lexicon({"申请": 0.5, "条件": 2.0, "满足": 2.5, "企业": 0.8, "证书": 1.0, "有效期": 3.0, "监督评审": 2.5,
               "经费": 2.5, "独立法人": 3.0, "费用": 2.0, "售后服务认证": 0.5, "承诺书": 3.0, "iso9001": 2.0})
CFG = AnswerConfig()


def _evidence(text: str, sims: dict[str, float], *, labels: dict[str, float] | None = None) -> Evidence:
    """Evidence as retrieval would hand it over: every standalone unit, with the form similarity given."""
    q = parse_question(text, LEX)
    hits = [UnitHit(u, form_sim=sims.get(u.section, 0.85), chunk_rank=0) for u in UNITS if u.standalone]
    passage = Passage("d#0", "d", DOC.title, UNITS[0].section, UNITS[0].sentences[0], "甲", norm=UNITS[0].norm_sentences[0])
    return Evidence(q, [passage], bm25_top=1.0, dense_top=0.9, units=hits,
                    label_sim=labels or {IN_SCOPE: max(sims.values(), default=0.85), "out_of_scope": 0.85, "chat": 0.8})


def test_sections_become_units_with_forms_items_and_pointers() -> None:
    conditions, validity, pointer = UNITS
    assert conditions.forms == ("申请要满足哪些条件", "什么企业有资格申请")
    # The three items, not the lead sentence, not the sentence continuing item 2, not the note.
    assert [conditions.sentences[i] for i in conditions.items] == [
        "申请条件第1项是企业有完整的售后服务规章制度。",
        "申请条件第2项是企业有专门的售后服务经费。",
        "申请条件第3项是企业具有独立法人资格。",
    ]
    assert validity.items == () and validity.standalone
    assert not pointer.standalone and pointer.forms == ()
    assert conditions.norm_sentences[0] == "申请企业必须在中国境内注册,并满足3项基本条件。"  # normalised at index time


@pytest.mark.parametrize(
    ("sentence", "item"),
    [("- 申请费：1000元/次。", True), ("1、营业执照复印件", True), ("6步版流程的第2步是受理。", True),
     ("准备工作第1项是培训售后服务管理师。", True), ("第10项材料还要说明原因。", False), ("1.5人日的评审。", False),
     ("证书有效期为3年。", False)],
)
def test_list_items_are_recognised(sentence: str, item: bool) -> None:
    from assistant.question import matchable

    assert is_item(matchable(sentence)) is item


def test_a_list_question_gets_the_whole_list_in_order_and_cited() -> None:
    composition = compose(*_one(_evidence("申请要满足哪些条件", {"申请售后服务认证的基本条件": 0.99})), CFG)
    text = composition.answer.answer
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert [re.search(r"第(\d)项", b).group(1) for b in bullets] == ["1", "2", "3"]  # type: ignore[union-attr]
    assert text.splitlines()[0].startswith("申请企业必须在中国境内注册")  # the lead sentence first
    assert "独立法人" in text and "第2项经费要在申请材料中说明" in text  # every item, its continuation too
    assert "多数来源称" in text  # a note that qualifies the list travels with it
    # Every line is quoted from the passage its [n] cites.
    quoted = composition.answer.citations[0].text
    for line in text.splitlines():
        claim = re.sub(r"^\s*(- )?|\[\d+\]$", "", line).strip()
        assert claim in quoted.replace("\n", "")
    assert [i for i, _ in composition.items] == [UNITS[0].sentences[i] for i in UNITS[0].items]


SIX = """## 申请材料
<!-- 问法: 申请要交哪些材料 -->
申请企业要提交6项材料。
申请材料第1项是营业执照。
申请材料第2项是组织机构图。
申请材料第3项是服务网点清单。
申请材料第4项是管理手册。
申请材料第5项是法律法规清单。
申请材料第6项是承诺书。
"""


def test_a_question_matching_every_item_alike_gets_the_whole_list() -> None:
    # "申请材料够不够" matches each of the six items alike: the first four would be an arbitrary cut.
    doc = Document(id="m", title="材料", kind="faq", sources=SOURCES, confidence="单源", body=SIX)
    unit = split_units(doc)[0]
    lexicon = Lexicon({**LEX.idf, "材料": 2.0, "够": 2.0})
    q = parse_question("我们的申请材料够不够", lexicon)
    evidence = Evidence(q, [unit.passage()], bm25_top=1.0, dense_top=0.9, units=[UnitHit(unit, form_sim=0.93, chunk_rank=0)],
                        label_sim={IN_SCOPE: 0.93, "out_of_scope": 0.85, "chat": 0.8})
    text = compose(q, [evidence], CFG).answer.answer
    assert [re.search(r"第(\d)项", b).group(1) for b in text.splitlines() if b.startswith("- ")] == list("123456")  # type: ignore[union-attr]
    # One item that answers the question stands out, and the answer is that item first, not the list.
    q = parse_question("承诺书要交吗", lexicon)
    text = compose(q, [replace(evidence, question=q)], CFG).answer.answer
    assert "第6项是承诺书" in text.splitlines()[0] and len(text.splitlines()) < 8


def _one(evidence: Evidence) -> tuple:
    return evidence.question, [evidence]


def test_a_figure_question_gets_the_best_sentence_of_the_fitting_unit() -> None:
    composition = compose(*_one(_evidence("证书有效期是几年", {"证书有效期": 0.96})), CFG)
    first = composition.answer.answer.splitlines()[0]
    assert first.startswith("售后服务认证证书的有效期为3年") and first.endswith("[1]")
    assert composition.covered and composition.used[0].doc_id == "d"


def test_the_point_asked_about_missing_from_every_unit_is_not_covered() -> None:
    # 补办 is in no unit; the question is about certificates, which the corpus covers.
    evidence = _evidence("证书丢了怎么补办", {"证书有效期": 0.92})
    ok, missing = unit_fit(evidence.question, next(h for h in evidence.units if h.unit.section == "证书有效期"), CFG)
    assert not ok and "补办" in missing
    outcome = decide(evidence, [evidence], CFG)
    assert outcome.answer.intent == "not_covered" and outcome.answer.abstained
    assert not outcome.answer.citations and "补办" in outcome.answer.answer
    assert "认证机构" in outcome.answer.answer  # says whom to ask


def test_not_covered_names_what_no_nearby_unit_holds() -> None:
    # 经费 is not in the best unit but is in the other one, 补办 is in neither: the reply names 补办.
    evidence = _evidence("证书和经费丢了怎么补办", {"证书有效期": 0.93, "申请售后服务认证的基本条件": 0.86})
    outcome = decide(evidence, [evidence], CFG)
    assert outcome.answer.intent == "not_covered"
    said = outcome.answer.answer.splitlines()[0]
    assert "“补办”" in said and "证书" not in said and "经费" not in said


def test_a_figure_question_needs_a_figure_in_the_unit() -> None:
    conditions = UnitHit(UNITS[0], form_sim=0.9)
    # Every word asked about is in the unit, but no date: "哪一年" cannot be answered from it.
    assert not unit_fit(parse_question("申请条件是哪一年规定的", LEX), conditions, CFG)[0]
    # A count of items is answered by the items themselves.
    assert unit_fit(parse_question("申请条件有几项", LEX), conditions, CFG)[0]


def test_a_near_paraphrase_of_a_question_form_fits_whatever_its_words() -> None:
    evidence = _evidence("这玩意儿过多少年作废", {"证书有效期": 0.99})
    hit = next(h for h in evidence.units if h.unit.section == "证书有效期")
    assert unit_fit(evidence.question, hit, CFG)[0]
    assert not unit_fit(evidence.question, replace(hit, form_sim=0.9), CFG)[0]


def test_compound_question_gets_one_block_per_part() -> None:
    q = parse_question("证书能用几年，申请要满足哪些条件", LEX)
    parts = [_evidence(p.text, {"证书有效期": 0.97, "申请售后服务认证的基本条件": 0.97}) for p in q.parts]
    text = compose(q, parts, CFG).answer.answer
    assert text.startswith("①证书能用几年") and "②申请要满足哪些条件" in text
    assert "有效期为3年" in text and "独立法人" in text


@pytest.mark.parametrize(
    ("text", "labels", "outcome", "reason"),
    [
        ("你好", {}, "chat", "chat"),
        ("ISO9001认证多少钱", {}, "out_of_scope", "other_scheme"),
        ("帮我写一份售后服务承诺书", {}, "out_of_scope", "request"),
        # Asked as a favour ("你能帮我…吗") it is still a request to write.
        ("你能帮我写个申请书吗", {}, "out_of_scope", "request"),
        # Another standard by its number, a quality award: other schemes.
        ("GB/T 19580的申请条件", {}, "out_of_scope", "other_scheme"),
        ("中国质量奖申报要满足什么条件", {}, "out_of_scope", "other_scheme"),
        # ... beside our stars (五星 arrives as 5星) the question is ours.
        ("拿了五星，参评政府质量奖能加几分", {}, "qa", "ok"),
        ("GB/T 27922的申请条件", {}, "qa", "ok"),
        # The other national service certifications: ours is not read inside their names.
        ("体育场所服务认证的申请条件", {}, "out_of_scope", "other_scheme"),
        ("绿色市场认证怎么申请", {}, "out_of_scope", "other_scheme"),
        ("绿色市场认证和售后服务认证有什么区别", {}, "qa", "ok"),
        # Whether an act is lawful is legal advice; whether our certification is, is ours.
        ("让顾客给好评就返现，申请时违不违法", {}, "out_of_scope", "legal"),
        ("售后服务认证合法吗", {}, "qa", "ok"),
        # Closer to an out-of-scope example than to any question form, and naming none of our concepts.
        ("汽车保养费用多少", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.8}, "out_of_scope", "nearest_example"),
        ("证书有效期是几年", {IN_SCOPE: 0.97, "out_of_scope": 0.90, "chat": 0.8}, "qa", "ok"),
        # A comparison with another scheme is ours to answer.
        ("售后服务认证和ISO9001有什么区别", {}, "qa", "ok"),
        # Resembling a chat example ("你靠谱吗") is not enough when the message names one of our
        # topics; with nothing of ours named, the resemblance decides.
        ("有的说经费要专门列出来，靠谱吗", {IN_SCOPE: 0.90, "out_of_scope": 0.85, "chat": 0.98}, "qa", "ok"),
        ("这也太靠谱了吧", {IN_SCOPE: 0.90, "out_of_scope": 0.85, "chat": 0.98}, "chat", "chat"),
        # Nor when it reports what a third party claims: it asks about the claim (not chat; this tiny
        # lexicon knows none of its words, so the bare floor refuses it).
        ("有个代理说首年五千块全包，这价靠谱吗", {IN_SCOPE: 0.90, "out_of_scope": 0.85, "chat": 0.98}, "out_of_scope",
         "no_match"),
        # Chat beside a remark that asks nothing is chat whatever the resemblance; beside a question,
        # an instruction or one of our concepts it is not.
        ("行了，我先去开会，回聊", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "chat", "chat"),
        ("小助手你好，初次见面请多关照", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "chat", "chat"),
        ("谢谢，个人所得税怎么算", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "out_of_scope", "no_match"),
        ("把这句话翻成日语：感谢您的支持", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "out_of_scope",
         "no_match"),
        ("好的，证书我收到了", {IN_SCOPE: 0.95, "out_of_scope": 0.85, "chat": 0.85}, "qa", "ok"),
        # A question about the assistant itself, naming nothing of ours and asking for no fact, opinion
        # or act, is small talk whatever it resembles; one naming our concepts or asking for a fact is not.
        ("你几岁了", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "chat", "about_me"),
        ("你会说英语吗", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "chat", "about_me"),
        ("你知道明天天气吗", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "out_of_scope", "no_match"),
        ("你觉得今年经济怎么样", {IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85}, "out_of_scope", "no_match"),
        ("你说的证书有效期是几年", {IN_SCOPE: 0.95, "out_of_scope": 0.85, "chat": 0.85}, "qa", "ok"),
        # Stars of other fields and other registrations are not ours, unless who asks is of that field.
        ("酒店星级评定的申请条件是什么", {}, "out_of_scope", "other_scheme"),
        # A car dealer's service stars and a web shop's rating are other fields' scores.
        ("汽车4S店服务星级评定的申请条件", {}, "out_of_scope", "other_scheme"),
        ("网店的店铺评分有申请条件吗", {}, "out_of_scope", "other_scheme"),
        ("专利申请费用多少", {}, "out_of_scope", "other_scheme"),
        ("我们开连锁饭店的，能报这个吗", {}, "qa", "ok"),
        ("售后服务认证和酒店星级有什么区别", {}, "qa", "ok"),
    ],
)
def test_scope_decision(text: str, labels: dict[str, float], outcome: str, reason: str) -> None:
    evidence = _evidence(text, {}, labels=labels or {IN_SCOPE: 0.93, "out_of_scope": 0.88, "chat": 0.8})
    verdict = check_scope(evidence, CFG)
    assert (verdict.outcome, verdict.reason) == (outcome, reason)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("办营业执照要多长时间", "out_of_scope"),
        ("想开一家维修公司，营业执照经营范围怎么写", "out_of_scope"),
        ("刚注册的公司能申请吗", "qa"),
        ("我们开了三家分公司，要每家都办吗", "qa"),
        ("营业执照要交复印件吗", "qa"),
    ],
)
def test_setting_up_a_business_is_an_administrative_task_of_its_own(text: str, outcome: str) -> None:
    # The business licence is ours as an application material; getting one, or a company, is not.
    lexicon = Lexicon({**LEX.idf, "营业执照": 3.0, "公司": 1.0, "分公司": 2.0, "经营范围": 3.0, "复印件": 3.0, "时间": 1.5})
    evidence = replace(_evidence(text, {}, labels={IN_SCOPE: 0.93, "out_of_scope": 0.88, "chat": 0.8}),
                       question=parse_question(text, lexicon))
    verdict = check_scope(evidence, CFG)
    assert verdict.outcome == outcome
    if outcome == "out_of_scope":  # said as a task of its own, not as another certification
        assert "市场监管" in out_of_scope_message(verdict) and "其他认证" not in out_of_scope_message(verdict)


def test_no_fitting_unit_and_none_of_our_concepts_is_out_of_scope_not_not_covered() -> None:
    evidence = _evidence("汽车多久保养一次", {"证书有效期": 0.88}, labels={IN_SCOPE: 0.88, "out_of_scope": 0.87, "chat": 0.8})
    assert decide(evidence, [evidence], CFG).answer.intent == "out_of_scope"


def _practice_evidence(text: str) -> Evidence:
    """Evidence for a question on after-sales practice, whose words the corpus uses elsewhere."""
    lexicon = Lexicon({**LEX.idf, "回访": 3.0, "顾客": 2.0, "备件": 3.0, "网点": 2.0, "维修": 2.0, "门头": 4.0})
    evidence = _evidence(text, {"证书有效期": 0.88}, labels={IN_SCOPE: 0.88, "out_of_scope": 0.87, "chat": 0.8})
    return replace(evidence, question=parse_question(text, lexicon))


@pytest.mark.parametrize("text", ["修完以后几天内必须回访顾客吗", "售后网点的门头有没有统一要求", "停产以后备件还得供应几年"])
def test_whether_an_after_sales_practice_is_required_is_ours_though_not_covered(text: str) -> None:
    # Named by none of our concepts, but asking what is demanded of after-sales practice: not covered.
    evidence = _practice_evidence(text)
    assert decide(evidence, [evidence], CFG).answer.intent == "not_covered"


@pytest.mark.parametrize("text", ["小米手机售后网点在哪", "冰箱坏了上门维修多少钱"])
def test_an_after_sales_practice_asked_as_a_consumer_stays_out_of_scope(text: str) -> None:
    evidence = _practice_evidence(text)
    assert decide(evidence, [evidence], CFG).answer.intent == "out_of_scope"


def test_small_talk_about_the_assistant_is_answered_with_what_it_is() -> None:
    evidence = _evidence("你几岁了", {}, labels={IN_SCOPE: 0.90, "out_of_scope": 0.95, "chat": 0.85})
    answer = decide(evidence, [evidence], CFG).answer
    assert answer.intent == "chat" and answer.abstained and "不是真人" in answer.answer


def test_chat_reply_is_plain_and_abstains() -> None:
    evidence = _evidence("谢谢", {})
    answer = decide(evidence, [evidence], CFG).answer
    assert (answer.intent, answer.abstained, answer.citations) == ("chat", True, [])
    assert "不客气" in answer.answer


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
<!-- 来源: 1 -->
<!-- 问法: 证书能用几年｜证书多久过期 -->
证书有效期为3年。
"""


@pytest.mark.parametrize(
    ("replace_", "fragment"),
    [
        (("<!-- 问法: 证书能用几年｜证书多久过期 -->", "<!-- 问法: -->"), "为空"),
        (("<!-- 问法: 证书能用几年｜证书多久过期 -->", "<!-- 问法: 无｜证书多久过期 -->"), "无"),
        (("<!-- 问法: 证书能用几年｜证书多久过期 -->", "<!-- 问法: 证｜证书多久过期 -->"), "'证'"),
        (("证书有效期为3年。\n", "证书有效期为3年。\n<!-- 问法: 证书几年 -->\n"), "紧跟"),
        (("<!-- 问法: 证书能用几年｜证书多久过期 -->", "<!-- 问法: 证书能用几年｜证书能用几年 -->"), "重复"),
    ],
)
def test_question_forms_are_validated(tmp_path: Path, replace_: tuple[str, str], fragment: str) -> None:
    path = tmp_path / "sample.md"
    path.write_text(GOOD.replace(*replace_), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_document(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_good_question_forms_load(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(GOOD, encoding="utf-8")
    (unit,) = split_units(load_document(path))
    assert unit.forms == ("证书能用几年", "证书多久过期") and unit.sentences == ("证书有效期为3年。",)


def test_a_count_question_needs_a_count_of_the_thing_it_counts() -> None:
    doc = Document(id="r", title="评审", kind="faq", sources=SOURCES, confidence="单源",
                   body="## 评审工作量\n初次评审共3个人日，由评审员到现场评审。\n## 评审组\n评审组通常由2名评审员组成。\n")
    workload, team = split_units(doc)
    lex = Lexicon({"评审员": 3.0, "人日": 2.0, "评审": 1.0, "评审组": 2.0})
    q = parse_question("一般来几个评审员", lex)
    assert not unit_fit(q, UnitHit(workload, form_sim=0.9), CFG)[0]  # 3个人日 counts person-days
    assert unit_fit(q, UnitHit(team, form_sim=0.9), CFG)[0]
    # A few modifiers may stand between the count and the noun: "22个服务认证领域" counts 领域.
    fields = split_units(Document(id="f", title="领域", kind="faq", sources=SOURCES, confidence="单源",
                                  body="## 服务认证领域\n公告列出了22个服务认证领域。\n"))[0]
    lex = Lexicon({"公告": 3.0, "领域": 3.0, "服务认证": 2.0})
    assert unit_fit(parse_question("公告里一共列了多少个领域", lex), UnitHit(fields, form_sim=0.9), CFG)[0]


def test_a_one_character_point_next_to_the_ask_decides_coverage() -> None:
    # 丢 is the point of "证书丢了怎么办"; the validity section names 证书 but not losing it.
    validity = UnitHit(UNITS[1], form_sim=0.93)
    lost = parse_question("证书丢了怎么办", LEX)
    assert lost.points == ("丢",)
    ok, missing = unit_fit(lost, validity, CFG)
    assert not ok and "丢" in missing
    # A light verb next to the ask is not a point (拿 in "证书拿了能用几年").
    assert parse_question("证书拿了能用几年", LEX).points == ()


STANDARDS = Document(id="s", title="标准", kind="faq", sources=SOURCES, confidence="单源", body="""## 国标的指标
<!-- 问法: 国标有哪些指标｜二级指标有哪些 -->
GB/T 27922-2011有3个一级指标和15个二级指标。

## 行标的指标
<!-- 问法: 行标的指标分几套 -->
SB/T 10401-2006为生产型和销售服务型企业各规定了一套指标。
""")


def test_a_question_naming_one_standard_is_not_answered_from_a_section_about_the_other() -> None:
    units = [u for u in split_units(STANDARDS) if u.standalone]
    lex = Lexicon({"指标": 2.0, "二级指标": 3.0, "10401": 3.0, "27922": 3.0})
    q = parse_question("10401的二级指标有哪些", lex)
    hits = [UnitHit(u, form_sim={"国标的指标": 0.95, "行标的指标": 0.9}[u.section], chunk_rank=0) for u in units]
    text = compose(q, [Evidence(q, [], bm25_top=1.0, dense_top=0.9, units=hits)], CFG).answer.answer
    assert text.startswith("SB/T 10401-2006为生产型")
    # Naming both, or neither, leaves the ranking alone.
    assert not other_standard(parse_question("10401和27922有啥区别", lex), units[0])
    assert not other_standard(parse_question("二级指标有哪些", lex), units[0])


def test_a_unit_without_the_heaviest_word_of_the_question_does_not_hold_its_point() -> None:
    # The section on validity holds 证书有效期 and 监督评审, most of the weight, but not 经费, a word
    # the corpus uses elsewhere and the one the question turns on.
    evidence = _evidence("证书有效期内监督评审要经费吗", {"证书有效期": 0.93})
    hit = next(h for h in evidence.units if h.unit.section == "证书有效期")
    assert unit_fit(evidence.question, hit, CFG) == (False, ("经费",))
    assert unit_fit(evidence.question, hit, replace(CFG, point_share=1.1))[0]  # the rule, not something else


def test_a_close_question_form_does_not_fit_when_the_unit_lacks_most_of_the_focus() -> None:
    # "证书多久能寄到" reads like "证书多久过期" (close in meaning and words), but 寄到 is most of
    # what it asks and the section never says it.
    evidence = _evidence("证书多久能寄到", {"证书有效期": 0.96})
    hit = next(h for h in evidence.units if h.unit.section == "证书有效期")
    assert unit_fit(evidence.question, hit, replace(CFG, form_sure_share=0.0))[0]  # the close form alone fits
    assert unit_fit(evidence.question, hit, replace(CFG, form_sure_share=0.4)) == (False, ("寄到",))


def test_a_list_unit_whose_heading_names_what_is_enumerated_ranks_higher() -> None:
    evidence = _evidence("申请前要满足哪些条件", {})
    q = evidence.question
    assert q.targets == ("条件",)
    by_section = {h.unit.section: h for h in evidence.units}
    hit = by_section["申请售后服务认证的基本条件"]
    gain = unit_score(q, hit, CFG) - unit_score(q, hit, replace(CFG, unit_target_weight=0.0))
    assert gain == pytest.approx(CFG.unit_target_weight)
    other = by_section["证书有效期"]
    assert unit_score(q, other, CFG) == unit_score(q, other, replace(CFG, unit_target_weight=0.0))


@pytest.mark.parametrize(
    ("text", "anchored"),
    [("我们开饭店的，能报这个吗", True), ("小公司能办这个吗？", True), ("这个产品的保修期多久", False), ("汽车多久保养一次", False),
     # Applying asked bare at the end; a certificate given (给证) or a star won (拿了星).
     ("公司在香港注册的，能报吗", True), ("出过质量纠纷，还有戏吗", True), ("产品说明随便写写行不行", True), ("审完是不是得先整改才给证", True), ("拿了星以后能印在包装上吗", True),
     ("护照能办吗", False), ("星期几开门", False),
     # The trade standard by its short name; a bank's sign is not it.
     ("老行标哪年实施的", True), ("银行标志怎么画", False),
     # Applying named first as the topic is ours; a thing of its own applied for is not.
     ("申请的时候要附资信证明吗", True), ("商品条码怎么申请", False), ("申请专利要多久", False),
     # The application form by its other name; the fee table by its short names.
     ("申请书上那栏写多少字合适", True), ("收费表里有几个档", True), ("人日表最多查到多少人", True),
     # Getting the certificate, in its written form.
     ("获证以后能上央视宣传吗", True),
     # The certificate got or renewed with a word between (换新证, 拿个证) or first (证拿到手以后); a
     # demonstrative inside a name (收费那张表) leaves the name ours. A sick note is not it.
     ("换新证那一轮要提前多久准备", True), ("证拿到手以后每年还要审吗", True), ("收费那张表有没有文号", True),
     ("病假证明怎么开", False)],
)
def test_applying_for_this_names_the_certification(text: str, anchored: bool) -> None:
    assert is_anchored(parse_question(text, LEX).norm) is anchored


def test_a_question_its_section_lists_word_for_word_is_answered_whatever_the_shape() -> None:
    body = "## 现场评审的工作量\n<!-- 问法: 现场评审要几天 -->\n现场评审的工作量按人日计算，人日按员工人数查表。\n"
    doc = Document(id="t", title="时间", kind="faq", sources=SOURCES, confidence="单源", body=body)
    unit = split_units(doc)[0]
    q = parse_question("现场评审要几天", LEX)
    hit = UnitHit(unit, form_sim=1.0, chunk_rank=1)
    assert unit_fit(q, hit, CFG)[0]  # no "N天" in the section, but it says it answers this
    assert not unit_fit(q, replace(hit, form_sim=0.96), CFG)[0]  # merely close: the shape decides


def test_words_in_a_section_unlike_the_question_in_meaning_and_forms_do_not_fit() -> None:
    q = parse_question("监督评审每年要几次", LEX)
    hit = next(UnitHit(u, form_sim=0.80, chunk_rank=1) for u in UNITS if u.section == "证书有效期")
    assert form_match(q, hit.unit) == 0.0
    assert not unit_fit(q, hit, CFG)[0]
    assert unit_fit(q, replace(hit, form_sim=0.90), CFG)[0]  # close in meaning: its words decide


def test_a_missing_word_the_corpus_never_uses_needs_more_of_the_question_held() -> None:
    # The validity section holds 0.58 of "有效期内监督评审能补办吗"'s focus weight, enough when the
    # missing words are ones the corpus uses; 补办 it never uses, so the section must hold more, or
    # read like the question.
    evidence = _evidence("有效期内监督评审能补办吗", {"证书有效期": 0.90})
    hit = next(h for h in evidence.units if h.unit.section == "证书有效期")
    assert unit_fit(evidence.question, hit, replace(CFG, strange_support_min=0.0)) == (True, ("补办",))
    assert unit_fit(evidence.question, hit, CFG) == (False, ("补办",))
    assert unit_fit(evidence.question, replace(hit, form_sim=CFG.strange_form_sim), CFG)[0]


def test_a_second_unit_adds_points_only_when_it_holds_the_point() -> None:
    # Every unit counts as close and every sentence as strong enough: only the units that hold
    # 证书有效期 may still lend points (the section on conditions holds 企业, not the point).
    loose = replace(CFG, second_unit_ratio=0.0, support_ratio=0.0)
    evidence = _evidence("企业证书有效期几年", {"证书有效期": 0.95, "申请售后服务认证的基本条件": 0.95})
    composition = compose(*_one(evidence), loose)
    assert composition.covered and {p.section for p in composition.used} == {"证书有效期"}


def test_a_disagreement_sentence_counts_only_when_it_is_about_the_question() -> None:
    # "多数来源称…" reads like the answer to a question on disagreeing sources; about nothing the
    # question names, it earns nothing for its shape. About the question, it does.
    q = parse_question("证书有效期几年，网上说法咋不一样", LEX)
    assert q.type == "conflict"
    assert _sentence_score(q, "多数来源称这3项条件可能出自同1份文案", CFG) == 0.0
    about = _sentence_score(q, "多数来源称证书有效期为3年", CFG)
    assert about == pytest.approx(q.matched_weight("多数来源称证书有效期为3年") + CFG.type_bonus)


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("医疗器械经营许可证怎么办理", True),  # a qualifier the corpus never uses names another scheme
        ("绿色建筑评价标准几星最高", True),
        ("消防验收需要准备什么材料", True),  # a procedure of another authority, named the same way
        ("我们做医疗器械的，能申请这个认证吗", False),  # the qualifier is about who asks, apart
        ("整个认证下来费用多少", False),  # how much of a thing, not a name for it
        ("经营许可证要交吗", False),  # a scheme our materials name
        # An acronym the corpus never uses before a score or certificate word names another one.
        ("PMP证书考试费多少钱", True), ("DSR评分的材料费用多少", True),
        ("售后服务的CSI分数费用怎么算", True),  # 售后 alone does not name our certification
        ("已有的ISO9001证书要交吗", False),  # a certificate held, asked about as our material
    ],
)
def test_a_scheme_named_by_a_qualifier_the_corpus_never_uses_is_another_scheme(text: str, other: bool) -> None:
    lex = Lexicon({**LEX.idf, "经营": 2.0, "许可证": 2.5, "评价": 1.5, "标准": 1.0, "认证": 0.3, "费用": 2.0, "材料": 2.0})
    q = parse_question(text, lex)
    assert names_other_scheme(q) is other
    verdict = check_scope(replace(_evidence(text, {"证书有效期": 0.93}), question=q), CFG)
    assert (verdict.reason == "other_scheme") is other


@pytest.mark.parametrize(
    ("text", "asks_to_make"),
    [("帮我出十道客户满意度调查题", True), ("给我做个培训PPT", True), ("请你设计一份满意度问卷", True),
     ("帮我列一下申请材料", False), ("帮我做个报价", False), ("帮我看看评审要准备什么", False),
     # Text handed over to be rewritten.
     ("帮我把这段售后条款改得正式一点", True), ("把申请材料改成PDF可以吗", False),
     # Words handed over to be made into something; a slogan or logo to be made.
     ("帮我把“售后服务评价体系”这几个字设计成一个logo", True), ("帮我设计个售后服务的标语", True),
     ("帮我把报价做成PDF可以吗", False), ("星级标志能印在包装上吗", False)],
)
def test_a_request_to_make_something_is_not_a_question(text: str, asks_to_make: bool) -> None:
    assert is_request(parse_question(text, LEX)) is asks_to_make


def test_a_lower_unit_holding_the_missed_point_but_not_the_agreed_subject_does_not_answer() -> None:
    # The better unit is about 监督评审 and lacks 经费; the section on conditions holds 经费 (as
    # an application condition) but not 监督评审: it answers a neighbouring question, not this one.
    evidence = _evidence("监督评审的经费要多少", {"证书有效期": 0.95, "申请售后服务认证的基本条件": 0.90})
    conditions = next(h for h in evidence.units if h.unit.section == "申请售后服务认证的基本条件")
    assert unit_fit(evidence.question, conditions, CFG)[0]  # on its own it would fit
    composition = compose(*_one(evidence), CFG)
    assert not composition.covered and "经费" in composition.blocks[0].missing
    # Ranked first, the same section answers: the rule reads the ranking, not the words alone.
    first = _evidence("监督评审的经费要多少", {"证书有效期": 0.85, "申请售后服务认证的基本条件": 0.95})
    assert compose(*_one(first), CFG).covered


def test_each_part_of_a_compound_is_said_in_its_place_answered_or_not() -> None:
    sims = {"证书有效期": 0.97, "申请售后服务认证的基本条件": 0.9}
    # The second part's point (补办) is in no unit: said under its own number, in the user's words.
    q = parse_question("证书能用几年？丢了怎么补办", LEX)
    text = compose(q, [_evidence(p.text, sims) for p in q.parts], CFG).answer.answer
    first, second = text.split("\n\n")
    assert first.startswith("①证书能用几年") and "有效期为3年" in first
    assert second.startswith("②丢了怎么补办\n资料库中没有这一点的说明") and "“补办”" in second
    # A part whose sentences were all quoted for the part before is not dropped without a word.
    q = parse_question("证书能用几年？有效期多久", LEX)
    text = compose(q, [_evidence(p.text, sims) for p in q.parts], CFG).answer.answer
    assert text.split("\n\n")[1] == "②有效期多久\n资料中与这一问相关的说明已在上文列出，此外没有更多内容。"


def test_a_sections_lead_sentence_wins_a_near_tie() -> None:
    # The second sentence holds one more light word (申请); the lead states the answer first.
    body = ("## 监督评审\n<!-- 问法: 有效期内要做什么 -->\n有效期内每年至少接受1次监督评审。\n"
            "申请企业在有效期内的监督评审大约每9至12个月1次。\n")
    unit = split_units(Document(id="s", title="测试", kind="faq", sources=SOURCES, confidence="单源", body=body))[0]
    q = parse_question("申请后有效期内监督评审多久一次", LEX)
    passage = Passage("s#0", "s", "测试", unit.section, unit.sentences[0], "甲", norm=unit.norm_sentences[0])
    evidence = Evidence(q, [passage], bm25_top=1.0, dense_top=0.9, units=[UnitHit(unit, form_sim=0.95, chunk_rank=0)],
                        label_sim={IN_SCOPE: 0.95, "out_of_scope": 0.85, "chat": 0.8})

    def lead(cfg: AnswerConfig) -> str:
        return compose(*_one(evidence), cfg).answer.answer.split("\n")[0]

    assert lead(CFG).startswith("有效期内每年至少接受1次监督评审")
    assert lead(replace(CFG, lead_bonus=0.0)).startswith("申请企业在有效期内")  # without it, the near tie


def test_not_covered_names_words_before_single_characters() -> None:
    from assistant.replies import not_covered_reply

    assert not_covered_reply(("去", "补办"), []).startswith("资料库中没有这一点的说明：与问题相近的内容都没有提到“补办”，")
    assert "“考”" in not_covered_reply(("考",), [])  # a single character when it is all there is


def test_a_sentence_stating_the_figure_a_question_claims_scores_higher() -> None:
    q = parse_question("有的网站说申请费两千，到底多少", LEX)

    def lead(cfg: AnswerConfig) -> float:
        same = _sentence_score(q, "申请费为1000元，也有网页称2000元", cfg)
        return same - _sentence_score(q, "申请费为1000元，也有网页称1500元", cfg)

    assert CFG.figure_bonus > 0
    assert lead(CFG) - lead(replace(CFG, figure_bonus=0.0)) == pytest.approx(CFG.figure_bonus)


def test_a_unit_stating_the_figure_a_question_claims_ranks_higher() -> None:
    fees = split_units(Document(id="f", title="费用", kind="faq", sources=SOURCES, confidence="单源",
                                body="## 申请费\n申请费为1000元。\n也有网页称申请费2000元。\n"))[0]
    hit = UnitHit(fees, form_sim=0.9)
    q = parse_question("有的网站说申请费两千，到底多少", LEX)
    gain = unit_score(q, hit, CFG) - unit_score(q, hit, replace(CFG, unit_figure_weight=0.0))
    assert CFG.unit_figure_weight > 0 and gain == pytest.approx(CFG.unit_figure_weight)
    assert unit_score(parse_question("申请费到底多少", LEX), hit, CFG) == pytest.approx(
        unit_score(parse_question("申请费到底多少", LEX), hit, replace(CFG, unit_figure_weight=0.0)))


def test_a_unit_about_sources_disagreeing_ranks_higher_for_a_conflict_question() -> None:
    unit = split_units(Document(id="s", title="标准", kind="faq", sources=SOURCES, confidence="单源",
                                body="## 27项指标属于哪个标准：来源之间的分歧\n有来源称27项指标出自SB/T 10401。\n"))[0]
    hit = UnitHit(unit, form_sim=0.9)

    def gain(text: str) -> float:
        q = parse_question(text, LEX)
        return unit_score(q, hit, CFG) - unit_score(q, hit, replace(CFG, unit_conflict_weight=0.0))

    assert CFG.unit_conflict_weight > 0
    assert gain("评审到底按多少项指标，网上说法不一") == pytest.approx(CFG.unit_conflict_weight)
    assert gain("评审按多少项指标") == 0.0  # no disagreement asked about


def test_the_subject_is_what_the_best_unit_holds_whatever_the_units_between_lack() -> None:
    # Between the best unit (监督评审, no 经费) and the conditions (经费, no 监督评审) ranks a unit
    # holding neither: the subject the question is about is still 监督评审.
    body = """## 有效期内的安排
<!-- 问法: 有效期内要做什么 -->
有效期内每年至少接受1次监督评审。

## 证书样式
<!-- 问法: 证书长什么样 -->
证书上写有企业名称和星级。

## 申请条件
<!-- 问法: 申请要满足哪些条件 -->
企业要有专门的售后服务经费。
"""
    units = split_units(Document(id="m", title="测试", kind="faq", sources=SOURCES, confidence="单源", body=body))
    q = parse_question("监督评审的经费是什么", LEX)
    sims = {"有效期内的安排": 0.97, "证书样式": 0.97, "申请条件": 0.89}
    hits = [UnitHit(u, form_sim=sims[u.section], chunk_rank=0) for u in units]
    passage = Passage("m#0", "m", "测试", units[0].section, units[0].sentences[0], "甲", norm=units[0].norm_sentences[0])
    evidence = Evidence(q, [passage], bm25_top=1.0, dense_top=0.9, units=hits,
                        label_sim={IN_SCOPE: 0.95, "out_of_scope": 0.85, "chat": 0.8})
    from assistant.compose import rank_units

    order = [h.unit.section for _, h in rank_units(q, evidence, CFG)]
    assert order == ["有效期内的安排", "证书样式", "申请条件"]
    assert unit_fit(q, hits[2], CFG)[0]  # on its own the conditions would fit
    composition = compose(*_one(evidence), CFG)
    assert not composition.covered and "经费" in composition.blocks[0].missing


def test_a_sentence_enumerating_inline_gives_its_items() -> None:
    # Ordinals ("倒数第三个") point into a list a sentence writes after a colon.
    assert inline_items("15个二级指标是：组织架构、人员配置、资源配置、投诉处理。[1]") == [
        "组织架构", "人员配置", "资源配置", "投诉处理"]
    assert inline_items("申请费、年金和评审费每年都要交。") == []  # no colon: a subject, not a list
    assert inline_items("注意：评审费按人日计算。") == []  # a colon, but no enumeration


def test_the_other_side_of_a_claim_neither_opens_the_answer_nor_comes_before_the_claim() -> None:
    passage = UNITS[0].passage()
    texts = ["企业的体系运行一段时间后才能申请。", "多数来源称体系运行满3个月即可申请；", "也有来源称需要运行6个月以上。"]
    scores = [2.0, 2.2, 2.5]  # the minority report matches the question best ("要运行6个月吗")
    picked = _pick([_Candidate(passage, i, t, sc, 0) for i, (t, sc) in enumerate(zip(texts, scores, strict=True))], CFG)
    assert [c.text for c in picked] == [texts[1], texts[2], texts[0]]
    # Without the majority view picked, the sentence that stands alone leads.
    picked = _pick([_Candidate(passage, i, t, sc, 0) for i, (t, sc) in enumerate(zip(texts, scores, strict=True)) if i != 1], CFG)
    assert [c.text for c in picked] == [texts[0], texts[2]]


def test_a_sentence_referring_back_to_a_list_does_not_open_the_answer() -> None:
    # "出现上述任何一种情形…" refers to the cases listed before it: it cannot stand first.
    passage = UNITS[0].passage()
    texts = ["企业不具备独立法人资格的，认证机构不受理申请。", "出现上述任何一种情形，申请流程即告结束。"]
    picked = _pick([_Candidate(passage, i, t, sc, 0) for i, (t, sc) in enumerate(zip(texts, [2.0, 2.4], strict=True))], CFG)
    assert picked[0].text == texts[0]


def test_points_a_second_unit_adds_after_a_whole_list_stand_apart_from_its_items() -> None:
    from assistant.citations import Citations
    from assistant.compose import Block, _list_text

    doc = Document(id="m", title="材料", kind="faq", sources=SOURCES, confidence="单源", body=SIX)
    unit = split_units(doc)[0]
    other = UNITS[1].passage()  # the certificate's validity, another section
    lines = [(t, unit.passage()) for t in unit.sentences] + [(UNITS[1].sentences[0], other)]
    out = _list_text(Block(parse_question("申请材料够不够", LEX), lines, listed=True, unit=unit), lines, Citations())
    assert out[-2:] == ["\n另见：", "- 售后服务认证证书的有效期为3年，从颁发之日起计算。[2]"]
    assert sum(line.startswith("- 申请材料第") for line in out) == 6 and not any(line.startswith("  ") for line in out)


def test_a_part_of_the_scheme_named_as_the_topic_is_ours() -> None:
    from assistant.scope import names_our_part

    lex = Lexicon({**LEX.idf, "配送": 3.0})
    # "配送那项，…": an indicator the corpus names is the topic, whatever is asked of it.
    assert names_our_part(parse_question("配送那项，我们没有自己的车队，全用快递行不行", lex))
    # A word the corpus never uses before 那块 names nothing of ours.
    assert not names_our_part(parse_question("个税那块怎么算", lex))
