"""Intent and slot detection, follow-up resolution, per-session state, calculator answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dialogue import Route, Session, Slots, answer_calculation, parse_slots, replay, route
from assistant.textproc import normalize
from evals.golden import load_golden
from evals.metrics import score_case

GOLDEN = Path(__file__).resolve().parents[1] / "evals" / "golden" / "calculators.jsonl"

SLOTS = [
    ("1200人", Slots(employees=1200)),
    ("一千二百名员工", Slots(employees=1200)),
    ("1.2千人", Slots(employees=1200)),
    ("员工有1200个", Slots(employees=1200)),
    ("2000人呢", Slots(employees=2000)),
    ("1,200人的企业", Slots(employees=1200)),
    ("１２００人", Slots(employees=1200)),
    ("两千五百人", Slots(employees=2500)),
    ("一千二的公司", Slots(employees=1200)),  # colloquial 一千二 = 1200, not 1002
    ("规模3000人", Slots(employees=3000)),
    # A figure and a word for the whole staff's size (三百五上下的规模, 四千出头的体量).
    ("三百五上下的规模", Slots(employees=350, employees_approx=True)),
    ("四千出头的体量", Slots(employees=4000, employees_approx=True)),
    ("一万五的员工", Slots(employees=15000)),  # 的 between the figure and the staff
    # A score short of a mark: the mark less the points missing; 几 asking for the grade is no estimate.
    ("差一分到九十，几星", Slots(score=89, target_level=None)),
    ("还差两分就90分", Slots(score=88)),
    ("得分88.5几星", Slots(score=88.5)),
    ("-100人", Slots(employees=-100)),  # kept negative so that it is refused, not read as 100
    ("12.5人", Slots(employees=12.5)),
    ("需要3人日吗", Slots()),  # 人日 is not a headcount
    ("92分", Slots(score=92)),
    ("九十二分", Slots(score=92)),
    ("八十九点五分", Slots(score=89.5)),
    ("89.5能评几星", Slots(score=89.5)),
    ("89.5", Slots(number=89.5)),
    # A band asked of a figure a score can be is its grade; past 100 it may be a headcount band.
    ("八十九点五算哪档", Slots(score=89.5)),
    ("150算哪档", Slots(number=150)),
    ("评分90是几星", Slots(score=90)),
    ("五星要多少分", Slots(target_level="five")),  # 五星 is a level, not a score
    ("80分离五颗星还差多少", Slots(score=80, target_level="five")),
    ("得分不到70分会怎么样", Slots()),  # a range in a rule question, not a score
    ("70分以上是什么等级", Slots()),
    ("是一回事吗", Slots()),
    ("再多2分", Slots(score_delta=2)),
    ("那少了6分呢", Slots(score_delta=-6)),
    ("生产型企业", Slots(enterprise_type="生产型")),
    ("那销售服务型的呢", Slots(enterprise_type="销售服务型")),
    ("申请费", Slots(fee_item="application")),
    ("评审费", Slots(fee_item="audit")),
    ("年金", Slots(fee_item="annual")),
    ("审定与注册费", Slots(fee_item="registration")),
    ("证书费多少", Slots(fee_item="registration")),
    ("年费多少", Slots(fee_item="annual")),
    ("评审费加年金多少", Slots()),  # a sum of items: the whole quote states it year by year
    ("首年费用", Slots()),  # a stage's costs, not the 年费 item
    ("每年费用多少", Slots()),
    ("GB/T 27922-2011", Slots()),
    # Everyday words (issue 8): an estimate says so, so the answer can name the band it assumed.
    ("五百来号人", Slots(employees=500, employees_approx=True)),
    ("一千二百多人", Slots(employees=1200, employees_approx=True)),
    ("约六百名员工", Slots(employees=600, employees_approx=True)),
    ("1万1千人", Slots(employees=11000)),
    ("公司大概一千二，认证费多少", Slots(employees=1200, employees_approx=True)),
    ("我们88还差几分", Slots(score=88)),  # a bare figure after 我们 asking for a grade is a score
    ("十几个人能办吗？多少钱", Slots(employees=15, employees_approx=True)),
    ("两百五十人上下", Slots(employees=250, employees_approx=True)),
    ("六千人出头的公司", Slots(employees=6000, employees_approx=True)),
    ("一万出头点的员工", Slots(employees=10000, employees_approx=True)),
    ("三百出头一点的员工", Slots(employees=300, employees_approx=True)),
    ("二十出头的小团队，头一年多少钱", Slots(employees=20, employees_approx=True)),  # the staff as 团队
    ("五十左右的厂子", Slots(employees=50, employees_approx=True)),
    ("五十出头的小厂，监督那年交多少", Slots(employees=50, employees_approx=True)),  # 厂 after 的/小/大
    ("两个厂多少钱", Slots()),  # two plants, not two people
    ("打分出来九十三点五，落哪档", Slots(score=93.5)),  # the result as it came out
    ("九五分是几星", Slots(score=95)),  # a score said digit by digit ...
    ("八九分几星", Slots()),  # ... but neighbouring digits are a range
    ("我们大概有八百人", Slots(employees=800, employees_approx=True)),
    ("公司2023年成立", Slots()),  # a year, not a headcount
    ("考了个七十五，算啥级别", Slots(score=75)),
    ("八十七分半能评几星", Slots(score=87.5)),
    ("九十五分整是不是五星", Slots(score=95, target_level="five")),
    ("九十来分", Slots(score=90, score_approx=True)),
    ("95分，但是有一项特别扣分", Slots(score=95, special_deductions=1)),
    ("92分，特别扣分2项", Slots(score=92, special_deductions=2)),
    ("92分，没有特别扣分", Slots(score=92)),
    ("七十一分，但被特别扣了两项，还能拿证吗", Slots(score=71, special_deductions=2)),  # the count after the act
    ("90分，特别加了1项", Slots(score=90, special_bonuses=1)),
    ("多考三分能升一档不", Slots(score_delta=3, number=1)),  # the verb of scoring between 多 and the points
    ("少得了2分会怎样", Slots(score_delta=-2)),
    ("有特别加分的话90分能评几星", Slots(score=90, special_bonuses=1)),
    ("拿了五星以后能打广告吗", Slots(target_level="five")),  # a grade won, not a score of 5
    ("七十整算过了没", Slots(score=70)),  # whether it passes asks for a grade
    ("得了3颗星", Slots(target_level="three")),
]


@pytest.mark.parametrize(("text", "expected"), SLOTS)
def test_parse_slots(text: str, expected: Slots) -> None:
    assert parse_slots(text) == expected


# Each sequence is one conversation: (question, intent, key slot value or resolved-question fragment).
SEQUENCES: dict[str, list[tuple[str, str, object]]] = {
    "fee then headcount follow-up": [
        ("500人的公司认证费用多少？", "fee", 500),
        ("那1200人的公司呢？", "fee", 1200),
        ("如果是2000人呢？", "fee", 2000),
    ],
    "fee then item follow-up": [
        ("1200人的企业认证要多少钱？", "fee", 1200),
        ("其中评审费是多少？", "fee", "audit"),
        ("那2000人呢？", "fee", "audit"),  # still asking about 评审费
        ("那2000呢？", "fee", 2000),
    ],
    "score then deltas": [
        ("92分能评几星？", "score", 92),
        ("那再多2分呢？", "score", 94),
        ("再多1分呢？", "score", 95),
        ("那少了30分呢", "score", 65),
        ("那89.5呢？", "score", 89.5),
    ],
    "indicator question then type": [
        ("生产型企业的评价指标有哪些？", "qa", "生产型企业的评价指标有哪些？"),
        ("那销售服务型的呢？", "qa", "销售服务型企业的评价指标有哪些？"),
    ],
    "indicator question without type": [
        ("SB/T 10401有哪些评价指标？", "qa", "SB/T 10401有哪些评价指标？"),
        ("那销售服务型的呢？", "qa", "销售服务型企业：SB/T 10401有哪些评价指标？"),
    ],
    "eligibility then cost": [
        ("1200人的公司能申请吗", "qa", "1200人的公司能申请吗"),
        ("那费用呢？", "fee", 1200),
    ],
    "no context": [
        ("如果是2000人呢？", "fee", 2000),
    ],
}


def _key_value(r: Route, expected: object) -> object:
    if r.intent == "qa":
        return r.resolved_question
    if isinstance(expected, str):
        return r.slots.fee_item
    return r.slots.employees if r.intent == "fee" else r.slots.score


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_follow_up_sequences(name: str) -> None:
    session = Session()
    for question, intent, expected in SEQUENCES[name]:
        r = route(question, session)
        assert (r.intent, _key_value(r, expected)) == (intent, expected), question
    assert session.questions == [q for q, _, _ in SEQUENCES[name]]


@pytest.mark.parametrize(
    "question",
    [
        "1200人的公司能申请吗",
        "办这个认证大概要花多少钱？",  # no headcount: the fees document answers it
        "评审费怎么算？",
        "五星要多少分？",
        "92分的企业需要准备哪些材料？",
        "证书有效期是几年？",
    ],
)
def test_questions_that_are_not_calculations_go_to_qa(question: str) -> None:
    assert route(question, Session()).intent == "qa"


def test_sessions_are_independent() -> None:
    a, b = Session(), Session()
    route("1200人的企业认证要多少钱？", a)
    route("92分能评几星？", b)
    ra = route("那2000人呢？", a)
    rb = route("那再多2分呢？", b)
    assert (ra.intent, ra.slots.employees) == ("fee", 2000)
    assert (rb.intent, rb.slots.score) == ("score", 94)
    assert a.score is None and b.employees is None
    # A delta with no earlier score in this session is not a score question.
    assert route("那再多2分呢？", Session()).intent == "qa"


def test_replay_rebuilds_the_same_state() -> None:
    history = ["1200人的企业认证要多少钱？", "其中评审费是多少？"]
    live = Session()
    for q in history:
        route(q, live)
    assert replay(history) == live
    assert (live.employees, live.fee_item, live.last_intent) == (1200, "audit", "fee")


def test_fee_answer_text_citations_and_data() -> None:
    answer = answer_calculation(route("一千二百名员工的公司认证费用是多少？", Session()))
    assert answer.intent == "fee" and not answer.abstained
    text = normalize(answer.answer)
    for fact in ("1176–1550人档", "16人日", "48000元", "53000元", "18500元", "90000元", "30000元", "差旅"):
        assert fact in text, fact
    assert [(c.n, c.doc_id, c.section) for c in answer.citations] == [
        (1, "data:fees", "人日数对照表 1176–1550人"),
        (2, "data:fees", "收费项目"),
        (3, "data:fees", "报价计算 1200人"),
    ]
    assert "初审16人日" in answer.citations[0].text
    assert "评审费3,000元/人日" in answer.citations[1].text
    assert "facezit" in answer.citations[0].source
    assert "[1]" in answer.answer and "[3]" in answer.answer
    assert answer.data is not None and answer.data["first_year_total"] == 53000


def test_fee_item_answer() -> None:
    session = replay(["1200人的企业认证要多少钱？"])
    answer = answer_calculation(route("其中评审费是多少？", session))
    assert "初审评审费16人日×3,000元/人日=48,000元" in answer.answer
    assert "评审费16,500元" in answer.answer


def test_missing_recert_is_said_plainly() -> None:
    answer = answer_calculation(route("10000人的企业认证要多少钱？", Session()))
    assert "复评人日数原文缺失，无法计算复评费用" in answer.answer


@pytest.mark.parametrize("question", ["12000人的企业认证要多少钱？", "两万人的集团认证费用多少", "10701人的公司费用"])
def test_out_of_table_headcount_gives_no_figure(question: str) -> None:
    answer = answer_calculation(route(question, Session()))
    assert answer.intent == "fee" and not answer.abstained
    assert "超出收费表范围（最高 10700 人）" in answer.answer
    assert "元" not in answer.answer  # no invented price
    assert answer.citations[0].section == "人日数对照表 适用范围"


@pytest.mark.parametrize("question", ["0人的公司认证要多少钱", "-100人的公司认证费用多少", "12.5人的企业认证多少钱"])
def test_unusable_headcount_is_invalid(question: str) -> None:
    answer = answer_calculation(route(question, Session()))
    assert (answer.intent, answer.abstained, answer.citations) == ("invalid", True, [])
    assert "员工人数" in answer.answer


def test_score_answer_with_delta() -> None:
    session = replay(["92分能评几星？"])
    answer = answer_calculation(route("那再多2分呢？", session))
    assert answer.intent == "score"
    assert "在上次的92分基础上再多2分，是94分" in answer.answer
    assert "94分对应四星级" in answer.answer and "还差1分" in answer.answer
    sections = [c.section for c in answer.citations]
    assert "星级对照表 四星级 ≥90分" in sections and "说明 达标满一年再评星" in sections
    assert all(c.doc_id == "data:star_levels" for c in answer.citations)
    assert answer.data is not None and answer.data["level"]["key"] == "four"


def test_score_answer_with_a_change_to_the_score_stated_with_it() -> None:
    answer = answer_calculation(route("得了九十六，再被扣两分，最后几星", Session()))
    assert answer.answer.startswith("96分少2分，是94分") and "上次" not in answer.answer
    assert "94分对应四星级" in answer.answer


def test_score_answer_names_the_gap_to_the_level_asked_about() -> None:
    answer = answer_calculation(route("80分离五星还差多少？", Session()))
    assert "80分对应三星级" in answer.answer
    assert "距四星级（90分）还差10分" in answer.answer and "距五星级（95分）还差15分" in answer.answer
    assert "星级对照表 五星级 ≥95分" in [c.section for c in answer.citations]
    reached = answer_calculation(route("92分能达标吗", Session()))
    assert "92分已达到达标的分数线（70分）" in reached.answer


@pytest.mark.parametrize(
    "question", ["五星级只要85分就够了吧？", "得分不到70分会怎么样？", "70分以上是什么等级", "五颗星要多少分？"]
)
def test_rule_questions_about_thresholds_go_to_qa(question: str) -> None:
    assert route(question, Session()).intent == "qa"


def test_score_out_of_range_is_invalid() -> None:
    answer = answer_calculation(route("得了一百二十分能评几星", Session()))
    assert (answer.intent, answer.abstained) == ("invalid", True)
    assert "0–100" in answer.answer


def test_answer_calculation_rejects_qa_routes() -> None:
    with pytest.raises(ValueError, match="只处理 fee/score"):
        answer_calculation(route("证书有效期是几年？", Session()))


def test_golden_calculator_cases_pass_offline() -> None:
    """Every case of evals/golden/calculators.jsonl, scored by the evaluation's own rules."""
    cases = load_golden([GOLDEN])
    assert len(cases) >= 45
    failures = []
    for case in cases:
        session = replay(list(case.history))
        r = route(case.question, session)
        if r.intent not in ("fee", "score"):
            failures.append(f"{case.id}: routed to {r.intent}")
            continue
        outcome = score_case(case, answer_calculation(r))
        if not outcome.correct:
            failures.append(f"{case.id}: {outcome.reasons}")
    assert failures == []


def test_an_estimated_headcount_says_which_band_it_assumed() -> None:
    answer = answer_calculation(route("公司五百来号人，认证费要多少", Session()))
    assert answer.answer.startswith("按约500人估算，属于收费表426–625人档")
    assert "人数是估计的：426–625人都属于这一档" in answer.answer
    exact = answer_calculation(route("公司500人，认证费要多少", Session()))
    assert exact.answer.startswith("500人的企业属于收费表426–625人档") and "估计" not in exact.answer
    item = answer_calculation(route("十几个人，年金多少", Session()))
    assert "按约15人（11–25人档）估算" in item.answer


def test_special_items_change_the_stated_score_with_the_rule_cited() -> None:
    answer = answer_calculation(route("95分，但是有一项特别扣分，最后算几星", Session()))
    first, second = answer.answer.splitlines()[:2]
    assert first == "95分再计特别扣分1项，共扣1分，按94分评定[1][2]。"
    assert second.startswith("94分对应四星级")
    assert [c.section for c in answer.citations[:2]] == ["评分规则 特别扣分项", "评分计算 94分"]
    assert "95 − 1 = 94分" in answer.citations[1].text
    bonus = answer_calculation(route("89分，有特别加分，能评几星", Session()))
    assert bonus.answer.startswith("89分再计特别加分1项，共加1分，按90分评定")
    blocked = answer_calculation(route("有六项特别扣分，96分能评几星", Session()))
    assert "有6项特别扣分，达到5项" in blocked.answer and "不评定星级" in blocked.answer


def test_an_estimated_score_says_so() -> None:
    answer = answer_calculation(route("九十来分能评几星", Session()))
    assert answer.answer.startswith("按约90分估算，90分对应四星级")
