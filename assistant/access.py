"""Who may maintain the knowledge base: the 运营 tab, uploads and removals.

Everybody who can open the app may chat, quote, rate and search; each browser session sees only
its own conversation. Maintaining shows other users' questions and changes what everyone is
answered from, so:

- with `ASSISTANT_ADMIN_AUTH=user:pass` set, only that login maintains (on any host); the
  `ASSISTANT_AUTH` login then only uses the assistant;
- without it, on a loopback host (one person's own machine) everybody maintains;
- without it, off loopback, the `ASSISTANT_AUTH` login (required there) maintains.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import AssistantError

__all__ = ["Access", "AccessError", "is_loopback", "maintainer_login"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class AccessError(AssistantError):
    """A maintainer-only action asked for by someone who may not (or a malformed login setting)."""


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _login(raw: str, name: str) -> tuple[str, str] | None:
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not sep or not user.strip() or not password:
        raise AccessError(f"{name} 格式应为“用户名:密码”，例如 {name}=admin:请换成强密码")
    return user.strip(), password


def maintainer_login(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The `ASSISTANT_ADMIN_AUTH` login, if set.

    Raises:
        AccessError: the variable is not `user:pass`, or names the same user as ASSISTANT_AUTH.
    """
    env = os.environ if env is None else env
    admin = _login(env.get("ASSISTANT_ADMIN_AUTH") or "", "ASSISTANT_ADMIN_AUTH")
    user = _login(env.get("ASSISTANT_AUTH") or "", "ASSISTANT_AUTH")
    if admin is not None and user is not None and admin[0] == user[0]:
        raise AccessError("ASSISTANT_ADMIN_AUTH 与 ASSISTANT_AUTH 的用户名相同；请给管理员另起一个用户名")
    return admin


@dataclass(frozen=True)
class Access:
    """The maintainers of one running app."""

    open_to_all: bool  # loopback and no admin login: the one local user maintains
    maintainers: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Access:
        env = os.environ if env is None else env
        admin = maintainer_login(env)
        if admin is not None:
            return cls(False, frozenset({admin[0]}))
        host = (env.get("ASSISTANT_HOST") or "127.0.0.1").strip()
        if is_loopback(host):
            return cls(True)
        user = _login(env.get("ASSISTANT_AUTH") or "", "ASSISTANT_AUTH")
        return cls(False, frozenset({user[0]}) if user else frozenset())

    def may_maintain(self, username: str | None) -> bool:
        return self.open_to_all or (username is not None and username in self.maintainers)

    def check(self, username: str | None) -> None:
        """Raises AccessError unless `username` may maintain."""
        if not self.may_maintain(username):
            raise AccessError("只有管理员可以查看运营数据或增删文档；请用管理员账号（ASSISTANT_ADMIN_AUTH）登录")
