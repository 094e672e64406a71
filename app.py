"""Start the 售后服务认证助手 web app (`make run`): the UI (assistant/ui.py) and the
OpenAI-compatible API (assistant/api.py) on one server."""

from __future__ import annotations

import sys

from assistant.api import launch
from assistant.errors import AssistantError
from assistant.ui import create_app

__all__ = ["create_app", "launch"]

if __name__ == "__main__":
    try:
        launch()
    except AssistantError as exc:
        # Misconfiguration (e.g. a public host without ASSISTANT_AUTH) is a one-line message, not a traceback.
        sys.exit(f"错误：{exc}")
