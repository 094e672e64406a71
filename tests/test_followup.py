"""Follow-up resolution on hand-built questions (no index, no model)."""

from __future__ import annotations

from assistant.followup import AnswerMemory, resolve
from assistant.question import Lexicon, parse_question

LEX = Lexicon({"申请材料": 3.0, "原件": 2.0, "监督评审": 2.5, "复评": 2.5, "营业执照": 3.0})


def _after(previous: str) -> AnswerMemory:
    return AnswerMemory(question=parse_question(previous, LEX))


def test_these_asks_about_the_things_the_last_answer_listed() -> None:
    # 原件 is a topic word of its own, but 这些 points back at the listed materials.
    r = resolve(parse_question("这些要交原件吗", LEX), _after("申请材料有哪些？"), has_topic=True)
    assert (r.how, r.text) == ("topic_kept", "申请材料 这些要交原件吗")
    # "其中之一" points into the last list as well, even beside a topic of its own.
    r = resolve(parse_question("年金算不算其中之一", LEX), _after("申请材料有哪些？"), has_topic=True)
    assert (r.how, r.text) == ("topic_kept", "申请材料 年金算不算其中之一")
    r = resolve(parse_question("营业执照那条要交原件吗", LEX), _after("申请材料有哪些？"), has_topic=True)
    assert (r.how, r.text) == ("topic_kept", "申请材料 营业执照那条要交原件吗")


def test_a_question_with_its_own_topic_and_no_reference_stands_alone() -> None:
    r = resolve(parse_question("营业执照要交原件吗", LEX), _after("申请材料有哪些？"), has_topic=True)
    assert (r.how, r.text) == ("as_asked", "营业执照要交原件吗")


def test_a_leading_this_that_is_compared_stands_for_the_last_subject() -> None:
    r = resolve(parse_question("这跟复评是一回事吗", LEX), _after("监督评审多久一次"), has_topic=True)
    assert (r.how, r.text) == ("topic_kept", "监督评审跟复评是一回事吗")
    # 这个 pointing at something named in the question itself is no reference back.
    r = resolve(parse_question("这个营业执照要交原件吗", LEX), _after("申请材料有哪些？"), has_topic=True)
    assert r.text == "这个营业执照要交原件吗"


def test_it_stands_for_the_last_subject_without_the_verb_after_it() -> None:
    # "华中国际做的是哪种认证": the subject ends where what it does (做, 提供, 发布) begins.
    r = resolve(parse_question("那它申请要交些什么", LEX), _after("华中国际做的是哪种认证"), has_topic=True)
    assert r.text == "那华中国际申请要交些什么"


def test_a_leading_this_as_the_subject_keeps_the_last_topic() -> None:
    r = resolve(parse_question("这个是必须的吗", LEX), _after("监督评审要准备什么"), has_topic=True)
    assert (r.how, r.text) == ("topic_kept", "监督评审准备 这个是必须的吗")


def test_a_question_that_only_says_how_it_asks_keeps_the_last_topic() -> None:
    from assistant.answering import has_own_topic

    lex = Lexicon({**LEX.idf, "详细": 2.0, "必须": 2.0, "管理师": 3.0})
    # 详细 is known, but only says how it asks ("能详细点吗"); 必须 only asks whether it must be.
    for text in ("能详细点吗", "必须有吗", "具体点"):
        q = parse_question(text, lex)
        assert not has_own_topic(q), text
        r = resolve(q, AnswerMemory(question=parse_question("管理师是什么", lex)), has_topic=has_own_topic(q))
        assert (r.how, r.text) == ("topic_kept", f"管理师 {text}")
    assert has_own_topic(parse_question("营业执照要原件吗", lex))


def test_asking_for_more_is_the_last_question_again() -> None:
    # "还有别的吗" has no topic: its words (别的) must not match a section on other names.
    for text in ("还有别的吗", "就这些吗", "还有其他的吗？", "那还有呢"):
        r = resolve(parse_question(text, LEX), _after("申请材料有哪些？"), has_topic=False)
        assert (r.how, r.text) == ("topic_kept", "申请材料有哪些？"), text
    # A question naming what else it asks about stands on its own.
    r = resolve(parse_question("还有别的营业执照要求吗", LEX), _after("申请材料有哪些？"), has_topic=True)
    assert r.text != "申请材料有哪些？"


def test_the_top_said_plainly_swaps_for_a_star_level() -> None:
    # "要冲到顶呢" after "三星要多少分" asks the same of the top level (到顶 is in the star class).
    from assistant.followup import _swap
    assert _swap("要冲到顶呢", "三星要多少分") == "到顶要多少分"


def test_that_one_asks_the_last_question_of_a_thing_in_no_class_with_its_topic() -> None:
    # 营业执照 is in no contrast class with 申请材料: "那营业执照呢" asks the last question of it.
    r = resolve(parse_question("那营业执照呢", LEX), _after("申请材料要交原件吗"), has_topic=True)
    assert (r.how, r.text) == ("swapped", "营业执照要交原件吗")
    # "那跟营业执照呢" compares one more thing: the last topic stays beside it.
    r = resolve(parse_question("那跟营业执照呢", LEX), _after("监督评审和初评有啥区别"), has_topic=True)
    assert r.how == "topic_kept" and r.text.startswith("监督评审")


def test_the_step_before_or_after_a_named_one_points_into_the_last_list() -> None:
    from assistant.types import Passage

    passage = Passage("p#0", "process", "流程", "6步认证流程", "x", "src")
    steps = ["第1步是提出申请。", "第2步是审查申请资格。", "第3步是现场审查，提出整改要求。", "第4步是提请最终审定。"]
    memory = AnswerMemory(question=parse_question("流程是哪几步", LEX), items=[(f"- {s}", passage) for s in steps])
    r = resolve(parse_question("审定前面那一步是干嘛的", LEX), memory, has_topic=True)
    assert r.items == (2,) and r.text.startswith("第3步是现场审查")
    assert resolve(parse_question("提出申请之后那步呢", LEX), memory, has_topic=True).items == (1,)
    # A name that two steps hold points at neither; past the end there is no neighbour.
    assert resolve(parse_question("审查后面那步呢", LEX), memory, has_topic=True).items == ()
    assert resolve(parse_question("审定后面那步呢", LEX), memory, has_topic=True).items == ()
