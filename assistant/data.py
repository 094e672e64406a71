"""The data tables under corpus/data: read once, shared by the corpus renderer and the calculators."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from .config import corpus_dir
from .errors import CorpusError

__all__ = ["load_table", "source_keys", "source_label"]


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


def source_keys(source: str | list[str] | None) -> list[str]:
    """A row's `source` as a list of keys: a row that several sources support lists them all."""
    if source is None:
        return []
    return [str(k) for k in source] if isinstance(source, list) else [str(source)]


def source_label(table: dict[str, Any], source: str | list[str] | None) -> str:
    """'title url' for each key of a row's `source` (joined with '；'), falling back to the key itself."""
    sources = table.get("sources") or {}
    labels = []
    for key in source_keys(source):
        entry = sources.get(key)
        labels.append(" ".join(str(entry.get(k) or "") for k in ("title", "url")).strip() if isinstance(entry, dict) else key)
    return "；".join(labels)
