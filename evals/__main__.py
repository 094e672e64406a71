"""`python -m evals`: see evals/runner.py."""

from .runner import main

__all__: list[str] = []

raise SystemExit(main())
