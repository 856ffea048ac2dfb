"""What the first screen does without, imported after the first paint on a thread of its own:
the SDK, so the first request finds it ready, and Rich's Markdown (with markdown-it and
Pygments), so the first reply does not wait ~50 ms for it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App

from claude_tui.ui import heap

if TYPE_CHECKING:
    from claude_tui.providers.anthropic import AnthropicProvider
    from claude_tui.ui.app import ClaudeTUI


class WarmUp:
    """The app's warm-up after its first paint, and the heap settled once it is done."""

    def __init__(self, app: ClaudeTUI) -> None:
        self._app = app
        self._closed = False

    def after_first_paint(self) -> None:
        self._app.call_after_refresh(self._painted)

    def _painted(self) -> None:
        app = self._app
        warm_up_in_background(app, app.claude, self._done)

    def _done(self, error: Exception | None) -> None:
        # A failure is reported by the first request, to the user; the heap settles either
        # way, unless the app is closing: released already, it would stay frozen.
        if self._closed:
            return
        app = self._app
        if error is None and app.claude is not None:
            app.run_worker(app.actions.list_models(), group="models", exit_on_error=False)
        # Collection paused since launch (heap.py) resumes now, with nothing to collect
        # first; an app not started by the command settles as before.
        if not heap.resume_after_start_up():
            heap.settle()

    def close(self) -> None:
        """The app is closing: what it holds may be collected again (tests run many apps)."""
        self._closed = True
        heap.release()


def warm_up_in_background(app: App[None], claude: AnthropicProvider | None,
                          done: Callable[[Exception | None], None]) -> None:
    """Import Rich's Markdown and the SDK (with ``claude``) on a daemon thread, then call
    ``done(error)`` on the app's loop.

    A daemon thread of its own, not a thread worker: those run in asyncio's default executor,
    which asyncio.run joins at exit, so quitting would wait for the SDK import."""

    def run() -> None:
        # Whatever happens, ``done`` is called: collection resumes there (heap.py).
        try:
            import rich.markdown  # noqa: F401  (what a message's first render needs)

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
