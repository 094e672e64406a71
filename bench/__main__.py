"""`python -m bench` (shipped corpus) and `python -m bench --scale` (generated corpora)."""

from .cli import main

__all__: list[str] = []

raise SystemExit(main())
