"""Benchmarks of the assistant: retrieval variants, latency, throughput, cold starts and scale.

`python -m bench` measures the shipped corpus (golden-set variants side by side, warm latency,
concurrency, cold starts, index build); `python -m bench --scale` builds generated corpora of
1,000 and 10,000 chunks. Both write `bench/results/` (git-ignored): JSON, REPORT.md and PNG plots.

Every measurement that loads models or builds an index runs in a child process (`bench.worker`),
so each one has its own `ASSISTANT_HOME`, its own peak memory and no models left over from the
previous one.
"""

__all__: list[str] = []
