"""`python -m evals.check_golden`: report golden facts that the cited document does not contain.

A golden fact (and a list item) must be something the cited document states; otherwise a correct,
well-cited answer could never pass. The document is checked as the index sees it: front matter
removed and the `{{data:...}}` tables rendered (assistant.corpus.load_document), compared after
`normalize`. Loading the files first validates every line's format (`evals.golden.parse_case`).

A case marked `"awaits": "issue-9"` states facts the corpus is still to receive: its problems are
listed as awaiting and do not fail the check; once its facts are all there, the check says the mark
can go.
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
    awaits: str = ""  # the case's `awaits` mark: a known gap, reported apart

    def __str__(self) -> str:
        if self.no_document:
            return f"{self.case_id}: cite_doc {self.cite_doc!r} has no corpus/{self.cite_doc}.md"
        facts = "; ".join(" / ".join(fact) for fact in self.missing)
        return f"{self.case_id} [{self.cite_doc}] {self.question} -> not in document: {facts}"


def check_cases(cases: Sequence[GoldenCase], corpus: Path | None = None) -> list[Problem]:
    """Problems of `cases` against the documents of `corpus` (default: the shipped corpus).

    Every document a case lists in `cite_doc` must state every fact and list item: an alternative
    document is accepted in an answer's citations, so it has to be as good a source as the first
    one. A compound question's parts come from different documents, so there (and in a case that
    `awaits` corpus changes) each fact needs one document of `cite_doc` that states it. Data table ids (`data:fees`) are skipped: the
    calculator tests check those figures.
    """
    folder = corpus or corpus_dir()
    texts: dict[str, str | None] = {}

    def text_of(doc_id: str) -> str | None:
        if doc_id not in texts:
            path = folder / f"{doc_id}.md"
            texts[doc_id] = load_document(path).body if path.exists() else None
        return texts[doc_id]

    problems = []
    for case in cases:
        if case.abstain:
            continue
        facts = tuple(dict.fromkeys((*case.must_include, *case.list_items)))
        docs = {doc_id: text_of(doc_id) for doc_id in case.corpus_docs}
        for doc_id, text in docs.items():
            if text is None:
                problems.append(Problem(case.id, doc_id, case.question, no_document=True, awaits=case.awaits))
        found = {d: t for d, t in docs.items() if t is not None}
        # A part of a compound question, or a fact still to be written (`awaits`, the document
        # not known yet), needs one document of `cite_doc` that states it.
        if (case.kind == "compound" or case.awaits) and found:
            missing = tuple(f for f in facts if not any(fact_holds(f, t) for t in found.values()))
            if missing:
                problems.append(Problem(case.id, "/".join(found), case.question, missing, awaits=case.awaits))
            continue
        for doc_id, text in found.items():
            missing = tuple(fact for fact in facts if not fact_holds(fact, text))
            if missing:
                problems.append(Problem(case.id, doc_id, case.question, missing=missing, awaits=case.awaits))
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
    real = [p for p in problems if not p.awaits]
    for problem in real:
        print(problem)
    for problem in problems:
        if problem.awaits:
            print(f"awaiting {problem.awaits}: {problem}")
    gaps = {p.case_id for p in problems if p.awaits}
    for case in cases:
        if case.awaits and case.corpus_docs and case.id not in gaps:
            print(f'{case.id}: every fact is in the corpus now; its "awaits": {case.awaits!r} can go')
    checked = sum(1 for c in cases if not c.abstain and c.corpus_docs)
    print(
        f"{checked} cases citing corpus documents checked, {len(real)} problems, "
        f"{len(gaps)} cases awaiting corpus changes",
        file=sys.stderr,
    )
    return 1 if real else 0


if __name__ == "__main__":
    raise SystemExit(main())
