"""Hostile input to `assistant quote`, `assistant score` and the app's /quote and /score endpoints:
never a traceback or an internal error, always valid JSON, and the README's exit codes (0 ok,
2 bad input)."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main

# What people paste, what scripts send, what breaks parsers.
HOSTILE_TEXT = [
    "", " ", "0", "-1", "-0", "+1200", "--1", "1e3", "1e18", "1e307", "1e309", "-1e309", "1e-400",
    "inf", "-inf", "Infinity", "nan", "NaN", "sNaN", "-sNaN", "0x10", "1_200", "1,2,0,0", "１２００",
    "١٢٠٠", "²", "½", "Ⅻ", "一千二", "1200人", "12.5", ".5", "5.", "1/2", "9" * 5000, "9" * 4301, "1" * 33,
    "\x00", "\ud800", "\udcff", "<script>alert(1)</script>", "' OR 1=1 --", "1200\n- 首年合计：1 元",
    "😀", "\u202e1200", " 1200 ", "1200元", "92分", "100.0000000000000000001", "-0.0001", "99.999",
]
HOSTILE_NUMBERS: list[Any] = [0, -1, 1e18, 1e307, 10**30, 2**63, -(2**63), 0.5, 1200.0000001, True, False]


def _random_text(rng: random.Random) -> str:
    alphabet = "0123456789.,+-eE _人分元名 \t\n١２\u00a0"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _check(args: list[str], code: int, out: str, err: str) -> None:
    assert code in (0, 2), (args, code, err)
    assert "Traceback" not in err and "内部错误" not in err, (args, err)
    if code == 2:
        assert out == "" and err.startswith("错误：") and err.count("\n") == 1, (args, err)
    elif "--json" in args:
        _strict_json(out)


def _cases(rng: random.Random) -> Iterator[str]:
    yield from HOSTILE_TEXT
    for _ in range(60):
        yield _random_text(rng)


def test_quote_cli_over_hostile_input(capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(27922)
    for value in _cases(rng):
        for args in (
            ["quote", f"--employees={value}", "--json"],
            ["quote", "--employees=1200", f"--rate={value}", "--json"],
            ["quote", "--employees=1200", f"--company={value}", "--json"],
            ["quote", "--employees=1200", f"--company={value}"],
        ):
            _check(args, *_run(args, capsys))


def test_quote_cli_writes_files_for_hostile_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for i, value in enumerate(HOSTILE_TEXT):
        for suffix in ("pdf", "md"):
            out = tmp_path / f"{i}.{suffix}"
            args = ["quote", "--employees=1200", f"--company={value}", f"--out={out}", "--json"]
            code, stdout, err = _run(args, capsys)
            _check(args, code, stdout, err)
            assert out.exists() == (code == 0)


def test_score_cli_over_hostile_input(capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(10401)
    for value in _cases(rng):
        for args in (["score", f"--total={value}", "--json"], ["score", f"--total={value}"]):
            _check(args, *_run(args, capsys))


SHEETS: list[Any] = [
    None, [], "text", 42, {"items": None}, {"items": {}}, {"items": [None]}, {"items": [[1, 2]]},
    {"items": [{"name": "a", "max": "NaN", "score": 1}]},
    {"items": [{"name": "a", "max": 1e308, "score": 1e308}, {"name": "b", "max": 1e308, "score": 1e308}]},
    {"items": [{"name": "a", "max": 5, "score": 5}], "special_deductions": "9" * 5000},
    {"items": [{"name": "a", "max": 5, "score": 5}], "special_deductions": 1e300},
    {"items": [{"name": "a", "max": 5, "score": 5}], "special_bonus": float("inf")},
    {"items": [{"name": "x" * 10_000, "max": 5, "score": 5}]},
    {"items": [{"name": {"nested": 1}, "max": 5, "score": 5}]},
    {"items": [{"name": "a", "max": 5, "score": 5}] * 2000},
    {"kind": "生产型", "answers": None},
    {"kind": "生产型", "answers": {"服务理念": ["符合"]}},
    {"kind": "\ud800", "answers": {"服务理念": "符合"}},
    {"kind": "生产型", "answers": {"服务理念": "符合", "<script>": "符合"}},
]


def test_score_cli_over_hostile_sheets(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for i, sheet in enumerate(SHEETS):
        path = tmp_path / f"sheet{i}.json"
        # json.dumps writes NaN/Infinity as bare words, which Python's reader accepts: exactly the
        # hostile case of a hand-edited file.
        path.write_text(json.dumps(sheet, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
        for args in (["score", "--sheet", str(path), "--json"], ["score", "--sheet", str(path)]):
            _check(args, *_run(args, capsys))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    not_utf8 = tmp_path / "gbk.yaml"
    not_utf8.write_bytes("items: [{name: 服务, max: 5, score: 5}]".encode("gbk"))
    for path in (deep, not_utf8):
        args = ["score", "--sheet", str(path)]
        code, out, err = _run(args, capsys)
        _check(args, code, out, err)
        assert code == 2


def test_cli_subprocess_with_undecodable_argv_bytes(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; they must not crash the output."""
    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path), "PYTHONIOENCODING": ""}
    for extra in ([b"--company=\xff\xfe"], [b"--rate=\xff"]):
        argv = [sys.executable.encode(), b"-m", b"assistant", b"quote", b"--employees=1200", *extra]
        done = subprocess.run(argv, capture_output=True, timeout=60, env=env)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 2, err
        assert "Traceback" not in err and "内部错误" not in err and err.startswith("错误：")


# ---------------------------------------------------------------------------------------------
# The app's endpoints, against a real server on a loopback port.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def client(_shipped_assistant: Any) -> Iterator[Any]:
    from gradio_client import Client

    from assistant import ui

    app = ui.create_app(_shipped_assistant)
    _, url, _ = ui.serve(app, host="127.0.0.1", port=_free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield Client(url, verbose=False)
    finally:
        app.close()


def _call(client: Any, *args: Any, api_name: str) -> tuple[dict[str, Any] | None, str]:
    """The endpoint's result, or the message of the error the client received."""
    try:
        result = client.predict(*args, api_name=api_name)
    except Exception as exc:  # gradio_client raises its own error types for gr.Error
        return None, str(exc)
    return result, ""


def _check_endpoint(args: tuple[Any, ...], result: dict[str, Any] | None, message: str) -> None:
    from assistant.ui import UNEXPECTED

    if result is not None:
        json.dumps(result, allow_nan=False)
        return
    # Refused with our own Chinese message: not a cancelled request, a traceback or the apology
    # for an unexpected error.
    assert message and UNEXPECTED not in message, (args, message)
    assert "Traceback" not in message and "CancelledError" not in message, (args, message)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), (args, message)


@pytest.mark.slow
def test_quote_endpoint_over_hostile_input(client: Any) -> None:
    texts = [t for t in HOSTILE_TEXT if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    for value in [*texts, *HOSTILE_NUMBERS]:
        for args in ((value,), ("1200", "", value), ("1200", value if isinstance(value, str) else "x", None)):
            _check_endpoint(args, *_call(client, *args, api_name="/quote"))
    # The report: a rate of 1e18 used to crash the server's JSON encoder (CancelledError).
    result, message = _call(client, 1200, "", 1e18, api_name="/quote")
    assert result is None and "超出合理范围" in message


@pytest.mark.slow
def test_score_endpoint_over_hostile_input(client: Any) -> None:
    texts = [t for t in HOSTILE_TEXT if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    for value in [*texts, *HOSTILE_NUMBERS]:
        for args in ((value,), ("92", value)):
            _check_endpoint(args, *_call(client, *args, api_name="/score"))
    result, message = _call(client, "sNaN", api_name="/score")
    assert result is None and "不是有效数字" in message
