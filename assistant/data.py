"""The data tables under corpus/data: read once, shared by the corpus renderer and the calculators."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from .config import corpus_dir
from .errors import CorpusError

__all__ = ["load_table", "source_label"]


@cache
def load_table(name: str) -> dict[str, Any]:
    """The parsed `corpus/data/<name>.yaml`.

    Raises:
        CorpusError: the file is missing or is not a YAML mapping.
    """
    path = corpus_dir() / "data" / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(f"数据表 {path} 不存在") from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"数据表 {path} 不是合法的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"数据表 {path} 的顶层应为映射（key: value）")
    return data


def source_label(table: dict[str, Any], key: str | None) -> str:
    """'title url' for a row's `source` key, falling back to the key itself."""
    sources = table.get("sources") or {}
    entry = sources.get(key) if key else None
    if isinstance(entry, dict):
        return " ".join(str(entry.get(k) or "") for k in ("title", "url")).strip()
    return str(key or "")
