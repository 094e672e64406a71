"""`python -m evals --llm`: the golden set answered through the configured LLM, with the
verifier's figures: how many LLM sentences it dropped, how often the extractive answer was shown
instead (and why), and how many figures in the shown answers no cited passage holds (must be 0)."""

from __future__ import annotations

from typing import Any

from assistant.types import Answer
from assistant.verify import unsupported_figures

__all__ = ["Recorder", "render_llm", "summarize_llm"]


class Recorder:
    """Wraps an assistant and keeps every answer it gives, for the figure check."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.answers: list[tuple[str, Answer]] = []

    def ask(self, question: str, *, history: list[str] | None = None) -> Answer:
        answer = self.assistant.ask(question, history=history)
        self.answers.append((question, answer))
        return answer

    def search(self, question: str, *, k: int = 5) -> list[Any]:
        return list(self.assistant.search(question, k=k))


def summarize_llm(stats: dict[str, int], answers: list[tuple[str, Answer]], *, model: str) -> dict[str, Any]:
    """The LLM section of the report from the answerer's counters and the recorded answers."""
    sentences, dropped = stats.get("sentences", 0), stats.get("dropped", 0)
    unsupported = [
        {"question": q, "figures": ["".join(f) for f in found]}
        for q, a in answers
        if a.intent == "qa" and not a.abstained
        and (found := unsupported_figures(a.answer, [f"{c.section}\n{c.text}" for c in a.citations]))
    ]
    return {
        "model": model,
        "asked": stats.get("asked", 0),
        "shown": stats.get("verified", 0),
        "fallback_unverified": stats.get("fallback_unverified", 0),
        "fallback_timeout": stats.get("fallback_timeout", 0),
        "fallback_error": stats.get("fallback_error", 0),
        "sentences": sentences,
        "dropped": dropped,
        "drop_rate": dropped / sentences if sentences else None,
        "unsupported_figures": sum(len(u["figures"]) for u in unsupported),
        "unsupported_cases": unsupported,
    }


def render_llm(summary: dict[str, Any]) -> list[str]:
    """Markdown lines for the report."""
    rate = summary["drop_rate"]
    return [
        "",
        f"## LLM answers (`{summary['model']}`)",
        "",
        f"- asked {summary['asked']}, shown after verification {summary['shown']}; extractive instead: "
        f"{summary['fallback_unverified']} unverified, {summary['fallback_timeout']} timeout, "
        f"{summary['fallback_error']} error",
        f"- verifier drop rate: {summary['dropped']}/{summary['sentences']} sentences"
        + (f" ({rate:.1%})" if rate is not None else ""),
        f"- figures in shown answers that no cited passage holds: {summary['unsupported_figures']}",
    ]
