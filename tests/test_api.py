"""The OpenAI-compatible API and the mounted UI, driven with the official `openai` client and
gradio_client against live servers on 127.0.0.1 (real index, real Assistant, no mocks).

How "off loopback" is tested: the app decides whether /v1 needs a key from its configured host
(`ServerSettings.host`, i.e. ASSISTANT_HOST), never from the caller's address. So the public-server
tests configure host 0.0.0.0 while the socket binds only 127.0.0.1; the requests, which come from
127.0.0.1, must still be refused without the key. That is the behaviour a deployment relies on
behind a reverse proxy on the same machine, where every request arrives from loopback.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from gradio_client import Client
from llm_replay import ReplayServer
from openai import OpenAI

from assistant import api, ui
from assistant.calculators import fees
from assistant.core import Assistant
from assistant.llm import LLMAnswerer, LLMConfig, OpenAIChat
from assistant.render.numbers import format_amount
from assistant.ui import ServerSettings

pytestmark = pytest.mark.slow
KEY = "sk-test-售后".encode().hex()  # any string without white space works as a key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _home_with_index(shipped_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(shipped_home))


def _serve(assistant: Assistant, settings: ServerSettings, key: str | None) -> Iterator[str]:
    port = _free_port()
    app = api.create_server(assistant, settings=ServerSettings(settings.host, port, settings.auth), key=key)
    running = api.serve_app(app, host="127.0.0.1", port=port, background=True)
    assert running is not None
    try:
        yield running.url
    finally:
        running.close()


@pytest.fixture(scope="module")
def url(_shipped_assistant: Assistant) -> Iterator[str]:
    """Loopback, no key: how `make run` starts by default."""
    yield from _serve(_shipped_assistant, ServerSettings("127.0.0.1", 0, None), None)


@pytest.fixture(scope="module")
def public_url(_shipped_assistant: Assistant) -> Iterator[str]:
    """Configured as a public server (host 0.0.0.0, login and key set), bound to 127.0.0.1."""
    yield from _serve(_shipped_assistant, ServerSettings("0.0.0.0", 0, ("sales", "s3cret")), KEY)


def _client(url: str, key: str = "unused") -> OpenAI:
    return OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


# ---------------------------------------------------------------------------------------------
# The openai client


def test_models_lists_the_assistant(url: str) -> None:
    assert [m.id for m in _client(url).models.list()] == [api.MODEL_ID]


def test_completion_has_cited_answer_and_structured_citations(url: str) -> None:
    reply = _client(url).chat.completions.create(
        model=api.MODEL_ID, messages=[{"role": "user", "content": "办售后服务认证要准备哪些资料？"}]
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content or ""
    assert "营业执照" in content and "[1]" in content
    extra = reply.model_extra or {}
    assert extra["intent"] == "qa" and extra["abstained"] is False
    citations = extra["citations"]
    assert citations and set(citations[0]) == {"n", "doc_id", "title", "section", "text", "source"}
    assert any(c["doc_id"] in {"materials", "faq"} for c in citations)
    # The 来源 block lists every citation under the answer, numbered as the markers are.
    sources = content.split("\n\n来源：\n", 1)[1].splitlines()
    assert [line.split("]")[0] + "]" for line in sources] == [f"[{c['n']}]" for c in citations]


def test_stream_sends_the_same_reply_in_pieces_then_the_citations(url: str) -> None:
    client = _client(url)
    messages: list[Any] = [{"role": "user", "content": "证书有效期是几年？"}]
    whole = client.chat.completions.create(model=api.MODEL_ID, messages=messages)
    chunks = list(client.chat.completions.create(model=api.MODEL_ID, messages=messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(pieces) > 3  # sentence by sentence, not one block
    assert "".join(pieces) == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert (chunks[-1].model_extra or {})["citations"] == (whole.model_extra or {})["citations"]


def test_two_turn_conversation_uses_the_earlier_user_turn(url: str) -> None:
    client = _client(url)
    first = client.chat.completions.create(
        model=api.MODEL_ID, messages=[{"role": "user", "content": "1200人的企业认证费用是多少？"}]
    )
    follow_up: list[Any] = [
        {"role": "system", "content": "你是售后服务认证助手。"},
        {"role": "user", "content": "1200人的企业认证费用是多少？"},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": [{"type": "text", "text": "那2000人呢？"}]},
    ]
    second = client.chat.completions.create(model=api.MODEL_ID, messages=follow_up)
    assert (second.model_extra or {})["intent"] == "fee"
    assert format_amount(fees.quote_fee(2000).first_year_total) in (second.choices[0].message.content or "")
    # "再多3分呢？" means 95 only after "92分": the earlier user turn is the history.
    turns: list[Any] = [{"role": "user", "content": "92分能评几星？"}, {"role": "assistant", "content": "四星级"},
                        {"role": "user", "content": "再多3分呢？"}]
    score = client.chat.completions.create(model=api.MODEL_ID, messages=turns)
    assert (score.model_extra or {})["intent"] == "score" and "五星级" in (score.choices[0].message.content or "")
    alone = client.chat.completions.create(model=api.MODEL_ID, messages=turns[-1:])
    assert (alone.model_extra or {})["intent"] != "score"


@pytest.mark.parametrize(
    ("body", "fragment", "param"),
    [
        ({"model": "x"}, "messages 应为非空数组", "messages"),
        ({"messages": []}, "messages 应为非空数组", "messages"),
        ({"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}]},
         "最后一条消息应为用户的提问", "messages[1]"),
        ({"messages": [{"role": "robot", "content": "你好"}]}, "messages[0] 应为含 role", "messages[0]"),
        ({"messages": [{"role": "user", "content": 42}]}, "content 应为字符串或内容块列表", "messages[0]"),
        ({"messages": [{"role": "user", "content": "证书几年"}], "stream": "yes"}, "stream 应为 true 或 false", "stream"),
        ({"messages": [{"role": "user", "content": "证书几年"}], "n": 2}, "n 应为 1", "n"),
        ([1, 2], "请求体应为 JSON 对象", None),
    ],
)
def test_bad_requests_get_openai_errors_in_chinese(url: str, body: Any, fragment: str, param: str | None) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        _client(url).post("/chat/completions", cast_to=httpx.Response, body=body)
    error = info.value.body
    assert isinstance(error, dict)
    assert fragment in error["message"] and error["type"] == "invalid_request_error" and error["param"] == param


def test_malformed_json_and_unknown_routes_keep_the_error_shape(url: str) -> None:
    bad = httpx.post(f"{url}/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "请求体不是合法的 JSON"
    missing = httpx.get(f"{url}/v1/embeddings")
    assert missing.status_code == 404 and "POST /v1/chat/completions" in missing.json()["error"]["message"]


def test_empty_question_and_out_of_scope_are_answers_not_errors(url: str) -> None:
    client = _client(url)
    empty = client.chat.completions.create(model=api.MODEL_ID, messages=[{"role": "user", "content": "  "}])
    assert (empty.model_extra or {})["intent"] == "invalid" and "请输入" in (empty.choices[0].message.content or "")
    other = client.chat.completions.create(model=api.MODEL_ID, messages=[{"role": "user", "content": "CCC认证检测费多少"}])
    assert (other.model_extra or {})["abstained"] is True and "来源" not in (other.choices[0].message.content or "")


# ---------------------------------------------------------------------------------------------
# Keys and logins


def test_public_server_refuses_requests_without_the_right_key(public_url: str) -> None:
    for key in ("wrong-key", KEY[:-1]):
        with pytest.raises(openai.AuthenticationError) as info:
            _client(public_url, key).chat.completions.create(
                model=api.MODEL_ID, messages=[{"role": "user", "content": "证书有效期是几年？"}]
            )
        assert "ASSISTANT_API_KEY" in str(info.value)
    with pytest.raises(openai.AuthenticationError):
        _client(public_url, "wrong-key").models.list()
    no_header = httpx.get(f"{public_url}/v1/models")
    assert no_header.status_code == 401 and no_header.json()["error"]["code"] == "invalid_api_key"
    reply = _client(public_url, KEY).chat.completions.create(
        model=api.MODEL_ID, messages=[{"role": "user", "content": "证书有效期是几年？"}]
    )
    assert "3年" in (reply.choices[0].message.content or "")


def test_public_server_without_a_key_keeps_v1_closed(_shipped_assistant: Assistant) -> None:
    for served in _serve(_shipped_assistant, ServerSettings("0.0.0.0", 0, ("sales", "s3cret")), None):
        with pytest.raises(openai.PermissionDeniedError) as info:
            _client(served, "anything").chat.completions.create(
                model=api.MODEL_ID, messages=[{"role": "user", "content": "证书有效期是几年？"}]
            )
        assert "必须设置 ASSISTANT_API_KEY" in str(info.value)


def test_loopback_server_with_a_key_requires_it_too(_shipped_assistant: Assistant) -> None:
    for served in _serve(_shipped_assistant, ServerSettings("127.0.0.1", 0, None), KEY):
        with pytest.raises(openai.AuthenticationError):
            _client(served, "wrong").models.list()
        assert [m.id for m in _client(served, KEY).models.list()] == [api.MODEL_ID]


def test_mounted_ui_keeps_its_login_and_gradio_client_endpoints(public_url: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises different types by version
        Client(public_url, verbose=False).predict(92, api_name="/score")
    logged_in = Client(public_url, auth=("sales", "s3cret"), verbose=False)
    assert logged_in.predict(92, api_name="/score")["level"]["key"] == "four"
    # The API key is not a UI login, and the UI login is not an API key.
    with pytest.raises(openai.AuthenticationError):
        _client(public_url, "s3cret").models.list()


def test_mounted_ui_serves_the_page_and_the_named_endpoints(url: str) -> None:
    with urllib.request.urlopen(f"{url}/") as page:
        assert page.status == 200 and "售后服务认证助手" in page.read().decode()
    client = Client(url, verbose=False)
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(named) == {"/chat", "/quote", "/score", "/feedback"}
    chat = client.predict("办售后服务认证要准备哪些资料？", [], api_name="/chat")
    assert chat["intent"] == "qa" and chat["citations"]
    assert client.predict(1200, api_name="/quote")["first_year_total"] == fees.quote_fee(1200).first_year_total


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ASSISTANT_HOST": "0.0.0.0"}, "拒绝启动"),
        ({"ASSISTANT_API_KEY": "two words"}, "不能包含空格"),
    ],
)
def test_launch_refuses_unsafe_settings_before_loading(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                       fragment: str) -> None:
    for name in ("ASSISTANT_HOST", "ASSISTANT_AUTH", "ASSISTANT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ui.LaunchError, match=fragment):
        api.launch(background=True)


def test_taken_port_is_a_chinese_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ui.LaunchError, match=f"无法在 127.0.0.1:{port} 上启动"):
            api.serve_app(api.FastAPI(), host="127.0.0.1", port=port, background=True)


# ---------------------------------------------------------------------------------------------
# With an LLM configured: the API and the UI show the verified answer


@pytest.fixture(scope="module")
def llm_assistant(_shipped_assistant: Assistant) -> Iterator[Assistant]:
    with ReplayServer() as replay:
        config = LLMConfig(replay.url, "replay", None, 5.0)
        answerer = LLMAnswerer(OpenAIChat(config), _shipped_assistant.retriever.embedder, timeout=config.timeout)
        yield Assistant(_shipped_assistant.retriever, llm=answerer)


def test_api_and_ui_show_the_verified_llm_answer(llm_assistant: Assistant) -> None:
    question = "售后服务认证的年金是多少？"  # the recording adds an invented 2500元 audit fee
    for served in _serve(llm_assistant, ServerSettings("127.0.0.1", 0, None), None):
        reply = _client(served).chat.completions.create(model=api.MODEL_ID, messages=[{"role": "user", "content": question}])
        content = reply.choices[0].message.content or ""
        assert "2500" not in content and "2000元" in content
        assert content.startswith("（提示：已删去 1 句无法在所引资料中核实的内容。）")
        streamed = list(_client(served).chat.completions.create(
            model=api.MODEL_ID, messages=[{"role": "user", "content": question}], stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in streamed) == content
    demo = ui.create_app(llm_assistant)
    respond = next(fn.fn for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == "respond")
    steps = list(respond(question, [], None))
    assert len(steps) > 2  # the pending placeholder, then the verified answer grows
    final = steps[-1][0][-1]["content"]
    assert "年金为每年2000元" in final and "2500" not in final
    assert json.dumps(final, ensure_ascii=False).count("已删去 1 句") == 1
