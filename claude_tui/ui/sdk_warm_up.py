"""What the first screen does without, imported after the first paint on a thread of its own:
the SDK, so the first request finds it ready, and Rich's Markdown (with markdown-it and
Pygments), so the first reply does not wait ~50 ms for it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from claude_tui.providers.anthropic import AnthropicProvider


def warm_up_in_background(app: App[None], claude: AnthropicProvider | None,
                          done: Callable[[Exception | None], None]) -> None:
    """Import Rich's Markdown and the SDK (with ``claude``) on a daemon thread, then call
    ``done(error)`` on the app's loop.

    A daemon thread of its own, not a thread worker: those run in asyncio's default executor,
    which asyncio.run joins at exit, so quitting would wait for the SDK import."""

    def run() -> None:
        import rich.markdown  # noqa: F401  (what a message's first render needs)

        try:
            if claude is not None:
                claude.warm_up()
        except Exception as exc:  # the first request reports it again, to the user
            error: Exception | None = exc
        else:
            error = None
        if not app.is_running:
            return  # the app is gone; there is nobody to tell
        # The app may stop between the check and the call: then its loop refuses it.
        with contextlib.suppress(RuntimeError):
            app.call_from_thread(done, error)

    threading.Thread(target=run, name="warm-up", daemon=True).start()
