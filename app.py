"""Start the 售后服务认证助手 web app (`make run`). The UI lives in assistant/ui.py."""

from __future__ import annotations

import sys

from assistant.errors import AssistantError
from assistant.ui import create_app, launch

__all__ = ["create_app", "launch"]

if __name__ == "__main__":
    try:
        launch()
    except AssistantError as exc:
        # Misconfiguration (e.g. a public host without ASSISTANT_AUTH) is a one-line message, not a traceback.
        sys.exit(f"错误：{exc}")
