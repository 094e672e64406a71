"""`python -m evals.check_golden`: report golden facts that the cited document does not contain.

A golden fact must be something the cited document states; otherwise a correct, well-cited answer
could never pass. The document is checked as the index sees it: front matter removed and the
`{{data:...}}` tables rendered (assistant.corpus.load_document), compared after `normalize`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import corpus_dir
from assistant.corpus import load_document
from assistant.errors import CorpusError

from .golden import GoldenCase, GoldenError, golden_files, load_golden
from .metrics import fact_holds

__all__ = ["Problem", "check_cases", "main"]


@dataclass(frozen=True)
class Problem:
    """One golden case whose cited document is missing, or lacks some of the case's facts."""

    case_id: str
    cite_doc: str
    question: str
    missing: tuple[tuple[str, ...], ...] = ()
    no_document: bool = False

    def __str__(self) -> str:
        if self.no_document:
            return f"{self.case_id}: cite_doc {self.cite_doc!r} has no corpus/{self.cite_doc}.md"
        facts = "; ".join(" / ".join(fact) for fact in self.missing)
        return f"{self.case_id} [{self.cite_doc}] {self.question} -> not in document: {facts}"


def check_cases(cases: Sequence[GoldenCase], corpus: Path | None = None) -> list[Problem]:
    """Problems of `cases` against the documents of `corpus` (default: the shipped corpus).

    Every document a case lists in `cite_doc` must state every fact: an alternative document is
    accepted in an answer's citations, so it has to be as good a source as the first one. Data
    table ids (`data:fees`) are skipped: the calculator tests check those figures.
    """
    folder = corpus or corpus_dir()
    texts: dict[str, str | None] = {}
    problems = []
    for case in cases:
        if case.abstain:
            continue
        for doc_id in case.corpus_docs:
            if doc_id not in texts:
                path = folder / f"{doc_id}.md"
                texts[doc_id] = load_document(path).body if path.exists() else None
            text = texts[doc_id]
            if text is None:
                problems.append(Problem(case.id, doc_id, case.question, no_document=True))
                continue
            missing = tuple(fact for fact in case.must_include if not fact_holds(fact, text))
            if missing:
                problems.append(Problem(case.id, doc_id, case.question, missing=missing))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """0 when every fact is found, 1 when some are not, 2 on an unreadable golden file or corpus."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.check_golden",
        description="List golden facts missing from the text of the document the case cites.",
    )
    parser.add_argument(
        "--golden",
        action="append",
        type=Path,
        metavar="FILE",
        help="golden .jsonl file (repeatable); default: every evals/golden/*.jsonl",
    )
    args = parser.parse_args(argv)
    files = args.golden or golden_files()
    try:
        cases = load_golden(files)
        problems = check_cases(cases)
    except (GoldenError, CorpusError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    checked = sum(1 for c in cases if not c.abstain and c.corpus_docs)
    print(f"{checked} cases citing corpus documents checked, {len(problems)} with problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
