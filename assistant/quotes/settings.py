"""The seller block and the validity period printed on every issued quote.

Read from `$ASSISTANT_HOME/settings.yaml`:

```yaml
seller:
  company: 某某认证服务有限公司
  person: 张经理
  phone: 010-12345678
  email: sales@example.com
quote:
  valid_days: 30
```

and from the environment, which wins field by field (`ASSISTANT_SELLER_COMPANY`,
`ASSISTANT_SELLER_PERSON`, `ASSISTANT_SELLER_PHONE`, `ASSISTANT_SELLER_EMAIL`,
`ASSISTANT_QUOTE_VALID_DAYS`), so a shared machine can keep one file and a salesperson's own
session can set their name. Every value is checked; a bad one is a `SettingsError` naming the file
or variable and the field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import inputs
from ..config import home
from ..errors import AssistantError, InputError
from .issue import Seller

__all__ = [
    "DEFAULT_VALID_DAYS",
    "MAX_VALID_DAYS",
    "SETTINGS_FILE",
    "QuoteSettings",
    "SettingsError",
    "quote_settings",
    "valid_days",
]

SETTINGS_FILE = "settings.yaml"
DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 365
_ENV = {
    "company": "ASSISTANT_SELLER_COMPANY",
    "person": "ASSISTANT_SELLER_PERSON",
    "phone": "ASSISTANT_SELLER_PHONE",
    "email": "ASSISTANT_SELLER_EMAIL",
}
_ENV_DAYS = "ASSISTANT_QUOTE_VALID_DAYS"
_LABELS = {"company": "报价方公司", "person": "报价联系人", "phone": "电话", "email": "邮箱"}
_PHONE = re.compile(r"^[0-9+()（）\- 转#,，/]{3,40}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class SettingsError(AssistantError):
    """settings.yaml or a settings variable holds a value that cannot be used."""


@dataclass(frozen=True)
class QuoteSettings:
    """What every issued quote carries: the seller (None when none is set) and days of validity."""

    seller: Seller | None
    valid_days: int


def valid_days(value: object, what: str = "报价有效期") -> int:
    """Days a quote stays valid: a whole number from 1 to `MAX_VALID_DAYS`.

    Raises:
        InputError: anything else.
    """
    text = str(value).strip().removesuffix("天") if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit() or not 1 <= int(text) <= MAX_VALID_DAYS:
        raise InputError(f"{what}应为 1–{MAX_VALID_DAYS} 之间的天数（收到 {inputs.shown(value)}），例如 30")
    return int(text)


def _seller_field(field: str, value: object, where: str) -> str | None:
    label = _LABELS[field]
    try:
        text = inputs.name(value if value is None or isinstance(value, str) else str(value), label)
    except InputError as exc:
        raise SettingsError(f"{where} 的 {field}（{label}）：{exc}") from exc
    if text is None:
        return None
    if field == "phone" and not _PHONE.match(text):
        raise SettingsError(f"{where} 的 phone（电话）“{inputs.shown(text)}”不像电话号码，请只写数字、空格、+、- 和括号")
    if field == "email" and not _EMAIL.match(text):
        raise SettingsError(f"{where} 的 email（邮箱）“{inputs.shown(text)}”不是有效的邮箱地址，例如 sales@example.com")
    return text


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SettingsError(f"设置文件 {path} 不是 UTF-8 编码，请另存为 UTF-8") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"设置文件 {path} 不是合法的 YAML：{exc}") from exc
    except OSError as exc:
        raise SettingsError(f"无法读取设置文件 {path}：{exc.strerror or exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"设置文件 {path} 的顶层应为映射（seller: …, quote: …）")
    for section in ("seller", "quote"):
        if data.get(section) is not None and not isinstance(data[section], dict):
            raise SettingsError(f"设置文件 {path} 的 {section} 应为映射（字段: 值）")
    return data


def quote_settings(env: Mapping[str, str] | None = None) -> QuoteSettings:
    """The seller and validity period, from settings.yaml under `$ASSISTANT_HOME` and the environment.

    Args:
        env: the environment to read; default `os.environ`.

    Raises:
        SettingsError: the file is not YAML, or a field is too long, not a phone number or e-mail
            address, or the validity is not 1–365 days.
    """
    env = os.environ if env is None else env
    path = home() / SETTINGS_FILE
    data = _read_file(path)
    section: dict[str, Any] = data.get("seller") or {}
    unknown = sorted(set(section) - set(_LABELS))
    if unknown:
        raise SettingsError(f"设置文件 {path} 的 seller 有未知字段 {'、'.join(map(str, unknown))}（可用：{'、'.join(_LABELS)}）")
    values = {}
    for field, variable in _ENV.items():
        if env.get(variable, "").strip():
            values[field] = _seller_field(field, env[variable], f"环境变量 {variable}")
        else:
            values[field] = _seller_field(field, section.get(field), f"设置文件 {path}")
    seller = Seller(**values)
    raw_days: object = (data.get("quote") or {}).get("valid_days", DEFAULT_VALID_DAYS)
    where = f"设置文件 {path} 的 quote.valid_days"
    if env.get(_ENV_DAYS, "").strip():
        raw_days, where = env[_ENV_DAYS], f"环境变量 {_ENV_DAYS}"
    try:
        days = valid_days(raw_days)
    except InputError as exc:
        raise SettingsError(f"{where}：{exc}") from exc
    return QuoteSettings(seller if seller else None, days)
