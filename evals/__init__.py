"""Evaluation of the assistant against the golden question sets in `evals/golden/*.jsonl`.

`python -m evals` runs them; `python -m evals.check_golden` checks that every golden fact appears in
the document the question cites.
"""

__all__: list[str] = []
