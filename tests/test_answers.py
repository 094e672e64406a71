"""End-to-end answers over the shipped corpus: real index, real models, no mocks."""

import re

import pytest

from assistant.textproc import normalize


def _cited_docs(answer) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.doc_id for c in answer.citations}


@pytest.mark.parametrize(
    ("question", "fact", "docs"),
    [
        ("证书有效期是几年？", "3年", {"timeline", "faq", "overview", "process"}),
        ("办售后服务认证要准备哪些资料？", "营业执照", {"materials", "faq"}),
        ("五星级要多少分？", "95分", {"scoring", "faq", "overview"}),
        ("售后服务认证和ISO9001有什么区别？", "9001", {"related-schemes", "faq", "overview"}),
    ],
)
def test_answer_states_fact_with_supporting_citation(shipped_assistant, question: str, fact: str,
                                                     docs: set[str]) -> None:
    answer = shipped_assistant.ask(question)
    assert not answer.abstained and answer.intent == "qa"
    assert normalize(fact) in normalize(answer.answer)
    assert _cited_docs(answer) & docs
    # Every [n] in the text points to a citation, and the citation quotes what the line says.
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}
    for line in answer.answer.splitlines():
        for n in re.findall(r"\[(\d+)\]", line):
            claim = re.sub(r"^\s*(- |\d+\. )|\[\d+\]", "", line).strip()
            quoted = normalize(answer.citations[int(n) - 1].text)
            assert normalize(claim) in quoted


@pytest.mark.parametrize(
    "question",
    ["今天天气怎么样", "CCC认证检测费多少", "ISO 9001 审核要多少钱", "汽车多久保养一次", "asdf qwer zxcv",
     "What is the capital of France?", "苹果手机售后服务电话是多少"],
)
def test_out_of_scope_questions_abstain(shipped_assistant, question: str) -> None:
    answer = shipped_assistant.ask(question)
    assert answer.abstained and answer.intent == "out_of_scope"
    assert not answer.citations
    assert "您可以问" in answer.answer  # says what it can answer instead


def test_conflicting_sources_are_both_reported(shipped_assistant) -> None:
    answer = shipped_assistant.ask("售后服务体系要运行多久才能申请认证？")
    text = normalize(answer.answer)
    assert "3个月" in text and "6个月" in text


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_gets_a_clear_message(shipped_assistant, question: str) -> None:
    answer = shipped_assistant.ask(question)
    assert answer.intent == "invalid" and "请输入" in answer.answer


def test_overlong_question_is_truncated_with_notice(shipped_assistant) -> None:
    answer = shipped_assistant.ask("证书有效期是几年？" + "啊" * 3000)
    assert answer.notice and "2000" in answer.notice
    assert answer.latency_ms > 0


def test_history_resolves_follow_up(shipped_assistant) -> None:
    answer = shipped_assistant.ask("那2000人呢？", history=["1200人的企业认证费用是多少？"])
    assert answer.intent == "fee"
    assert "1551" in answer.answer and "2025" in answer.answer  # the 1551–2025 band


def test_only_the_latest_history_turns_are_replayed(shipped_assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each earlier question is answered again to rebuild the context, so a long history must not
    # cost one answer per turn: a spy counts the answers, the follow-up still reads the last turn.
    from assistant.core import MAX_HISTORY_TURNS, Assistant

    asked: list[str] = []
    answer_once = Assistant._answer

    def counted(self: Assistant, question: str, **kwargs: object) -> object:
        asked.append(question)
        return answer_once(self, question, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Assistant, "_answer", counted)
    answer = shipped_assistant.ask("那2000人呢？", history=["你好"] * 1000 + ["1200人的企业认证费用是多少？"])
    assert answer.intent == "fee" and "1551" in answer.answer
    assert len(asked) == 1 + MAX_HISTORY_TURNS


@pytest.mark.parametrize("question", ["申请售后服务认证要满足哪些条件？", "申请材料都有哪些？全部列出来", "8步认证流程是哪8步"])
def test_a_list_question_gets_every_item_and_no_figure_of_its_own(shipped_assistant, question: str) -> None:
    from assistant.verify import unsupported_figures

    answer = shipped_assistant.ask(question)
    assert answer.intent == "qa"
    steps = [int(n) for n in dict.fromkeys(re.findall(r"第(\d+)(?:项|步)", answer.answer))]
    assert steps and steps == list(range(1, len(steps) + 1))  # every item, in order
    assert not unsupported_figures(answer.answer, [f"{c.section}\n{c.text}" for c in answer.citations])


@pytest.mark.parametrize(
    ("question", "intent"),
    [("你好", "chat"), ("谢谢！", "chat"), ("证书丢了怎么补办？", "not_covered"), ("认证费可以分期付吗", "not_covered"),
     ("个人所得税怎么算？", "out_of_scope")],
)
def test_four_outcomes(shipped_assistant, question: str, intent: str) -> None:
    answer = shipped_assistant.ask(question)
    assert answer.intent == intent and answer.abstained and not answer.citations


def test_follow_up_ordinal_points_into_the_last_list(shipped_assistant) -> None:
    answer = shipped_assistant.ask("第二条是啥意思", history=["申请售后服务认证需要满足什么条件？"])
    assert answer.intent == "qa" and "负责人" in answer.answer and answer.citations
    swapped = shipped_assistant.ask("那四星呢？", history=["五星级要多少分？"])
    assert "90" in swapped.answer
    top = shipped_assistant.ask("那最高一档呢", history=["三星要多少分"])  # the top grade, said as such
    assert top.intent == "qa" and "95" in top.answer.split("\n")[0]


def test_an_ordinal_counted_from_the_end_points_into_the_last_list(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    history = ["申请售后服务认证需要满足什么条件？"]
    listed = shipped_assistant.ask(history[0])
    count = len(re.findall(r"^- ", listed.answer, re.M))
    assert count >= 3
    # 倒数第二条 is the item before the last, shown with its own number; asked what it is, it is the
    # item again (指啥 names nothing of its own) ...
    second_last = shipped_assistant.ask("倒数第二条指啥", history=history)
    assert second_last.intent == "qa" and second_last.answer.startswith(f"第{count - 1}项：")
    # ... and asked for detail (具体), the item is the reading and the sources say more about it.
    detail = shipped_assistant.ask("倒数第二条具体指啥", history=history)
    assert detail.intent == "qa" and detail.answer.startswith(f"（按上一个回答的第{count - 1}项理解：")
    assert len(detail.answer) > len(second_last.answer)
    beyond = shipped_assistant.ask(f"倒数第{count + 1}条呢", history=history)
    assert beyond.intent == "not_covered" and f"没有倒数第{count + 1}项" in beyond.answer


def test_several_ordinals_at_once_point_into_the_last_list(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    history = ["申请售后服务认证需要满足什么条件？"]
    count = len(re.findall(r"^- ", shipped_assistant.ask(history[0]).answer, re.M))
    first = shipped_assistant.ask("前三条呢", history=history)
    assert first.intent == "qa" and re.findall(r"^第(\d+)项：", first.answer, re.M) == ["1", "2", "3"]
    assert {int(n) for n in re.findall(r"\[(\d+)\]", first.answer)} == {c.n for c in first.citations} != set()
    last = shipped_assistant.ask("最后两项呢", history=history)
    assert re.findall(r"^第(\d+)项：", last.answer, re.M) == [str(count - 1), str(count)]
    # More than the list holds: the answer says which item is not there, not the first alone.
    beyond = shipped_assistant.ask(f"前{count + 1}条呢", history=history)
    assert beyond.intent == "not_covered" and f"没有第{count + 1}项" in beyond.answer
    # Asked something of their own, the items are the reading and the question is answered, not quoted back.
    asked = shipped_assistant.ask("第一条和第二条哪个更难做到", history=history)
    assert not re.match(r"^第1项：", asked.answer)


def test_an_ordinal_points_into_a_list_a_sentence_gave_inline(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    # "国标15个二级指标" is answered in sentences, one of which lists the fifteen after a colon.
    answer = shipped_assistant.ask("倒数第三个是啥", history=["国标15个二级指标"])
    assert answer.intent == "qa" and answer.answer.startswith("第13项：废弃商品回收") and answer.citations


def test_it_stands_for_what_the_last_question_was_about(shipped_assistant) -> None:
    answer = shipped_assistant.ask("那它是谁提出的", history=["GB/T 27922是哪个部门发布的"])
    assert answer.intent == "qa" and "中国商业联合会" in answer.answer and "GB/T 27922" in answer.answer


def test_paying_again_with_nothing_named_is_about_the_last_thing_named(shipped_assistant) -> None:
    answer = shipped_assistant.ask("复评的时候还要再交吗", history=["申请费多少"])
    assert answer.intent == "qa" and "申请费" in answer.answer.split("\n")[0]


def test_an_ordinal_with_a_question_of_its_own_asks_it_of_the_item(shipped_assistant) -> None:
    history = ["申请售后服务认证需要满足什么条件？"]
    item = shipped_assistant.ask("第二条是啥意思", history=history)
    asked = shipped_assistant.ask("第二条具体要准备什么材料", history=history)
    # Not the item alone again: the item is named as the reading, then the question is answered.
    assert asked.intent == "qa" and asked.answer.startswith("（按上一个回答的第2项理解：")
    assert "负责人" in asked.answer.split("\n")[0] and "材料" in asked.answer and asked.citations
    assert asked.answer != item.answer
    # The reading quotes the item, so it cites the item's passage like any other claim; every marker
    # in the text is a citation and every citation is marked.
    first = asked.answer.split("\n")[0]
    cited = {c.n: c for c in asked.citations}
    marker = int(re.search(r"\[(\d+)\]", first).group(1))
    assert cited[marker].doc_id == item.citations[0].doc_id and cited[marker].section == item.citations[0].section
    assert {int(n) for n in re.findall(r"\[(\d+)\]", asked.answer)} == set(cited) == set(range(1, len(cited) + 1))


@pytest.mark.parametrize(
    ("history", "question", "intent", "doc"),
    [
        # Names a topic, none of ours: read in the conversation's topic, the corpus answers it.
        (["现场评审企业要准备什么？"], "要管饭吗", "qa", "process"),
        # Out of scope whatever came before, not a point the materials happen not to cover.
        (["现场评审企业要准备什么？"], "今天天气怎么样", "out_of_scope", None),
        (["申请费多少钱？"], "帮我写一首诗", "out_of_scope", None),
        # Leans on the turn before: our topic, a point not covered.
        (["申请费多少钱？"], "能退吗", "not_covered", None),
    ],
)
def test_a_turn_is_read_in_its_conversation_only_where_that_reading_holds(
        shipped_assistant, history: list[str], question: str, intent: str, doc: str | None) -> None:
    answer = shipped_assistant.ask(question, history=history)
    assert answer.intent == intent
    assert doc is None or doc in {c.doc_id for c in answer.citations}



def test_a_calculation_asked_with_a_question_for_the_corpus_answers_both(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = shipped_assistant.ask("我们300人，申请需要满足什么条件？费用多少？")
    assert answer.intent == "fee" and answer.data is not None and answer.data["employees"] == 300
    assert "独立法人" in answer.answer and "39,500" in answer.answer
    assert {"eligibility", "data:fees"} <= _cited_docs(answer)


def test_after_a_mixed_question_an_ordinal_points_into_its_list_and_a_headcount_into_its_quote(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    history = ["我们300人，申请需要满足什么条件？费用多少？"]
    third = shipped_assistant.ask("第三条呢", history=history)
    assert third.intent == "qa" and "经费" in third.answer
    quote = shipped_assistant.ask("那500人呢", history=history)
    assert quote.intent == "fee" and quote.data is not None and quote.data["employees"] == 500


def test_a_follow_up_naming_our_words_is_not_covered_rather_than_refused(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    # "现场那天要注意啥" after a question on preparing for the audit is out of scope alone; read in the
    # conversation's topic it names 现场, a word of ours, so the point is said not to be covered.
    answer = shipped_assistant.ask("现场那天要注意啥", history=["评审要准备什么"])
    assert answer.intent == "not_covered"
    # A question naming nothing of ours stays out of scope in any conversation.
    assert shipped_assistant.ask("今天天气怎么样", history=["评审要准备什么"]).intent == "out_of_scope"


def test_not_covered_names_the_words_the_corpus_never_uses(shipped_assistant) -> None:  # type: ignore[no-untyped-def]
    # The nearby units lack 评审 by chance (the corpus is full of it); 在场 is the point no passage holds.
    answer = shipped_assistant.ask("评审的时候老板必须在场吗")
    assert answer.intent == "not_covered"
    named = answer.answer.split("我不能凭空回答")[0]
    assert "“在场”" in named and "“评审”" not in named
