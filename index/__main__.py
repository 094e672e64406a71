"""`python -m index`: build the index if it is missing or stale (what `make run` calls)."""

import sys

from assistant.errors import AssistantError

from .build import ensure_index, stale_reason

try:
    if stale_reason() is None:
        print("[索引] 已是最新，无需重建")
    else:
        ensure_index()
except AssistantError as exc:
    print(f"错误：{exc}", file=sys.stderr)
    sys.exit(1)
