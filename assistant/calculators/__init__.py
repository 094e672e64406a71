"""Deterministic calculators: fee quotes and score ratings from the corpus data tables."""
