"""Routing predicates and follow-up state, on hand-built questions (no index, no model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.routing import (
    Session,
    is_fee_question,
    is_followup,
    is_rule_question,
    is_score_question,
    names_other_topic,
    replay,
    route,
    topic_of,
)

ASSISTANT = Path(__file__).resolve().parents[1] / "assistant"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("1200人的企业认证要多少钱？", True),
        ("评审费怎么算", True),
        ("年金每年交多少", True),  # a fee item
        ("500人的公司首年多少，复评多少", True),  # a fee stage with 多少
        ("头一年多少", True),
        ("三千人左右，第二年得交多少", True),  # 得交多少 after a stage
        ("两千三四百人，三年下来一共多少", True),  # the whole cycle as a stage
        ("一千出头的员工，三年总共多少", True),  # the years summed, with no word for the period
        ("证书3年总共要审几次", False),  # summed, but a count of audits
        ("次年要交多少", True),
        ("每年多少分能保住四星", False),
        ("贵不贵", True),
        ("证书有效期是几年？", False),
        ("复评多少分能升星", False),  # 多少分 asks for a score
        ("监督评审多少次", False),
    ],
)
def test_is_fee_question(question: str, expected: bool) -> None:
    assert is_fee_question(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("92分能评几星？", True),
        ("考了个七十五，算啥级别", True),
        ("能达标吗", True),
        ("离五星还差多少", True),
        ("申请要什么材料", False),
    ],
)
def test_is_score_question(question: str, expected: bool) -> None:
    assert is_score_question(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("那2000人呢？", True),
        ("如果是生产型的话", True),
        ("那销售服务型的呢", True),
        ("其中评审费是多少？", True),
        ("证书有效期是几年？", False),
        ("1200人的企业认证要多少钱？", False),
    ],
)
def test_is_followup(question: str, expected: bool) -> None:
    assert is_followup(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [("五星级只要85分就够了吧？", True), ("85分就行吗", True), ("85分能评几星", False)],
)
def test_is_rule_question(question: str, expected: bool) -> None:
    assert is_rule_question(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [("300人的公司能申请吗", True), ("要准备哪些材料", True), ("办下来要多久", True), ("300人多少钱", False)],
)
def test_names_other_topic(question: str, expected: bool) -> None:
    assert names_other_topic(question) is expected


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("生产型企业的评价指标有哪些", "评价指标"),
        ("要交哪些資料", "申请材料"),  # traditional characters read as simplified
        ("办理流程是什么", "认证流程"),
        ("你好", None),
    ],
)
def test_topic_of(question: str, topic: str | None) -> None:
    assert topic_of(question) == topic


@pytest.mark.parametrize(
    ("question", "intent", "employees", "approx"),
    [
        ("公司五百来号人，认证费要多少", "fee", 500, True),
        ("一千二百多人，首年认证费多少", "fee", 1200, True),
        ("1.2千人的公司首年认证费", "fee", 1200, False),
        ("约六百名员工，认证要花多少钱", "fee", 600, True),
        ("1万1千人的企业认证费多少", "fee", 11000, False),
        ("公司大概一千二，认证费多少", "fee", 1200, True),
        ("十几个人能办吗？多少钱", "fee", 15, True),
        ("500人的公司首年多少，复评多少", "fee", 500, False),
        ("公司大概一千二", "qa", 1200, True),  # no cost asked: retrieval, the slot still parsed
    ],
)
def test_everyday_headcounts_reach_the_fee_calculator(question: str, intent: str, employees: int, approx: bool) -> None:
    r = route(question, Session())
    assert (r.intent, r.slots.employees, r.slots.employees_approx) == (intent, employees, approx)


def test_an_estimated_headcount_stays_an_estimate_in_follow_ups() -> None:
    session = replay(["我们公司五百来号人，能申请吗"])
    r = route("那费用呢？", session)
    assert (r.intent, r.slots.employees, r.slots.employees_approx) == ("fee", 500, True)
    exact = route("那800人呢？", session)
    assert (exact.slots.employees, exact.slots.employees_approx) == (800, False)


@pytest.mark.parametrize("question", ["第二年呢", "那复评呢？", "以后每年呢", "那监督那年呢", "监督年度要交多少", "拿证后的下一年呢", "隔年呢"])
def test_a_stage_of_the_cycle_after_a_quote_asks_what_it_costs(question: str) -> None:
    r = route(question, replay(["300人的企业认证要多少钱"]))
    assert (r.intent, r.slots.employees) == ("fee", 300)


@pytest.mark.parametrize("question", ["换证那次要几个", "现场占几个", "文件评审多少个"])
def test_a_bare_count_of_a_stage_after_a_quote_asks_for_its_person_days(question: str) -> None:
    # No 呢, no noun counted: it counts what the quote just counted (人日), for that stage or part.
    r = route(question, replay(["八百人初审要几个人日"]))
    assert (r.intent, r.slots.employees) == ("fee", 800)
    assert route(question, replay(["监督评审多久一次"])).intent == "qa"


@pytest.mark.parametrize("question", ["评审费一个人一天多少", "一人一天收多少钱", "每人每天多少钱"])
def test_a_rate_per_person_and_day_is_no_headcount(question: str) -> None:
    r = route(question, Session())
    assert r.slots.employees is None and r.intent == "qa"


@pytest.mark.parametrize(("question", "employees"), [("一万出头的员工规模，多少钱", 10000), ("两千左右的员工，多少钱", 2000)])
def test_a_hedge_between_the_figure_and_the_staff_keeps_the_headcount(question: str, employees: int) -> None:
    r = route(question, Session())
    assert (r.intent, r.slots.employees, r.slots.employees_approx) == ("fee", employees, True)


def test_a_change_applies_to_the_score_stated_with_it() -> None:
    r = route("得了九十六，再被特别扣两分，最后几星", Session())
    assert (r.intent, r.slots.score, r.base_score, r.base_is_earlier) == ("score", 94.0, 96.0, False)
    later = route("再多2分呢", replay(["92分能评几星"]))
    assert (later.slots.score, later.base_score, later.base_is_earlier) == (94.0, 92.0, True)


def test_a_special_item_after_a_grade_is_counted_on_the_same_score() -> None:
    r = route("要是还拿到一个特别加分项，够不够升一级", replay(["88分能评几星"]))
    assert (r.intent, r.slots.score, r.slots.special_bonuses) == ("score", 88.0, 1)
    assert route("要是还拿到一个特别加分项，够不够升一级", replay(["申请要什么材料"])).intent == "qa"


def test_the_total_asked_right_after_a_quote_is_the_quotes() -> None:
    r = route("连着后面两年监督一起算，总共多少", replay(["两千人的企业首年要多少钱"]))
    assert (r.intent, r.slots.employees) == ("fee", 2000)
    assert route("总共多少项指标", replay(["两千人的企业首年要多少钱"])).intent == "qa"


def test_a_range_of_people_is_estimated_by_its_upper_end() -> None:
    r = route("四十七八个人，首年多少钱", Session())
    assert (r.intent, r.slots.employees, r.slots.employees_approx) == ("fee", 48, True)


def test_a_stage_of_the_cycle_after_a_rule_question_is_not_a_quote() -> None:
    # Without a quote just before, 复评 asks about the rule: retrieval answers it.
    assert route("那复评呢", replay(["300人的企业能申请吗", "监督评审多久一次"])).intent == "qa"


@pytest.mark.parametrize(
    ("question", "score"),
    [("九十二分能评几星", 92), ("考了个七十五，算啥级别", 75), ("八十七分半能评几星", 87.5), ("九十五分整是不是五星", 95)],
)
def test_everyday_scores_reach_the_score_calculator(question: str, score: float) -> None:
    r = route(question, Session())
    assert (r.intent, r.slots.score) == ("score", score)


def test_traditional_questions_route_like_simplified_ones() -> None:
    r = route("一千二百名員工的公司認證費用是多少？", Session())
    assert (r.intent, r.slots.employees) == ("fee", 1200)


def test_numerals_are_read_only_in_textproc() -> None:
    # Issue 8: one numeral reader. Another module holding a Chinese-numeral character class is a
    # second parser in the making.
    numeral_class = re.compile(r"\[[^\]]*零〇一二")
    offenders = [
        p.name for p in ASSISTANT.rglob("*.py") if p.name != "textproc.py" and numeral_class.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_batch_history_is_read_like_a_live_question() -> None:
    # The calculator path never retrieves, so no index is needed: a typo and traditional
    # characters in the history must reach the session as they would in a live chat.
    from assistant.core import Assistant

    answer = Assistant(retriever=None).ask("那2000人呢？", history=["一千二百人的企業年今多少"])
    assert answer.intent == "fee"
    assert answer.data is not None and answer.data["employees"] == 2000
    assert "年金" in answer.answer.split("\n")[0]  # still the annual fee asked about before


@pytest.mark.parametrize("question", ["几星", "能评几星？", "那算什么级别"])
def test_a_bare_grade_question_grades_the_score_already_given(question: str) -> None:
    r = route(question, replay(["我们这次评审得了92分"]))
    assert (r.intent, r.slots.score) == ("score", 92)


def test_a_bare_grade_question_without_a_score_is_a_rule_question() -> None:
    assert route("几星", replay(["五星要多少分"])).intent == "qa"


@pytest.mark.parametrize("question", ["要上四星还缺几分", "那还差几分到五星", "离四星还差多少分"])
def test_a_gap_question_after_a_score_measures_from_that_score(question: str) -> None:
    r = route(question, replay(["88分是几星"]))
    assert (r.intent, r.slots.score) == ("score", 88)


def test_a_grade_line_question_after_a_score_is_still_a_rule_question() -> None:
    # "五星要几分" asks for the line, not for the distance from the score given before.
    assert route("五星要几分", replay(["88分是几星"])).intent == "qa"


@pytest.mark.parametrize("question", ["员工二百三四十，头一年得掏多少", "五百人，第二年要出多少"])
def test_paying_for_a_stage_in_everyday_verbs_is_a_fee_question(question: str) -> None:
    assert route(question, Session()).intent == "fee"


@pytest.mark.parametrize("question", ["驾照扣了12分怎么办", "高考650分能上什么学校"])
def test_a_score_of_another_field_is_not_graded(question: str) -> None:
    assert route(question, Session()).intent == "qa"


@pytest.mark.parametrize("question", ["88分", "九十二分", "考了个六十五，咋样", "84分落在哪档", "没拿到70分是不是就白干了"])
def test_a_score_said_alone_or_as_the_companys_result_is_graded(question: str) -> None:
    assert route(question, Session()).intent == "score"


def test_a_kind_of_company_right_after_a_quote_is_the_same_quote() -> None:
    r = route("生产型的呢", replay(["500人的公司认证要多少钱"]))
    assert (r.intent, r.slots.employees, r.slots.enterprise_type) == ("fee", 500, "生产型")
    # After a question on indicators it is a follow-up on the indicators.
    assert route("那销售型企业呢", replay(["生产型企业有哪些指标"])).intent == "qa"


@pytest.mark.parametrize("question", ["1200人要16个人日这个数靠谱不", "176到275人那档的监督现场人日数准不准",
                                      "按表算的1到10人那个价，是机构给的报价吗"])
def test_whether_a_figure_of_the_table_holds_is_asked_of_the_sources(question: str) -> None:
    assert route(question, Session()).intent == "qa"


@pytest.mark.parametrize("question", ["1200人报价多少", "一万五千人的大厂，收费表里查得到人日吗"])
def test_a_headcount_asking_for_the_figures_still_gets_the_quote(question: str) -> None:
    assert route(question, Session()).intent == "fee"


def test_audit_days_with_a_headcount_read_the_person_day_table() -> None:
    # With a headcount, "评审得来几天" is answered from the person-day table, as "要几个人日" is;
    # without one the sources explain how days follow from person-days.
    r = route("俺们厂八十多号人，评审得来几天", Session())
    assert r.intent == "fee" and r.slots.employees == 80
    assert route("我们300人，现场审核几天能完", Session()).intent == "fee"
    assert route("现场评审要几天", Session()).intent == "qa"
    assert route("我们300人，申请要几天能批", Session()).intent == "qa"


def test_a_headcount_after_a_fee_question_the_sources_answered_asks_for_a_quote() -> None:
    # "申请要多少钱" has no headcount and is answered from the sources; "那要是500人呢" then asks
    # what a 500-person company pays.
    session = Session()
    assert route("申请要多少钱", session).intent == "qa"
    r = route("那要是500人呢", session)
    assert r.intent == "fee" and r.slots.employees == 500
    other = Session()
    route("证书有效期多久", other)
    assert route("那500人呢", other).intent == "qa"
