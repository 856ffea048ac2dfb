"""Saving the open tabs and their drafts (``tabs.json``), and telling the user when a write
in the background failed.

The tabs are written on every tab change, when typing pauses (not per keystroke) and at quit;
the one writer thread does the writing. A failure is said in a notice, and at quit the drafts
that could not be kept are printed once the terminal is restored (``DraftsAtQuit``).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import TYPE_CHECKING

from textual.timer import Timer

from claude_tui.storage.store import StoreError
from claude_tui.ui.drafts_at_quit import DraftsAtQuit

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

TABS_NOT_SAVED = "The open tabs could not be saved"


class TabSaving:
    def __init__(self, app: ClaudeTUI) -> None:
        self.app = app
        self._timer: Timer | None = None
        self.drafts_at_quit = DraftsAtQuit(app.store.session.path)

    def typed(self) -> None:
        """A draft changed: written once typing pauses for ``app.draft_save_delay``."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(self.app.draft_save_delay, self.save)

    def save(self) -> None:
        """Write the open tabs and their unsent drafts now."""
        if self._timer is not None:
            self._timer.stop()  # written now: the pending write has nothing to add
            self._timer = None
        app = self.app
        state = app.tabs.state()
        try:
            future = app.store.session.save_soon(state)
        except StoreError as exc:
            self.drafts_at_quit.saving(state, app.tabs, None, exc)
            self.report_store_error(TABS_NOT_SAVED, exc)
            return
        self.drafts_at_quit.saving(state, app.tabs, future)
        self.when_saved(future, TABS_NOT_SAVED)

    def when_saved(self, future: Future[None], what: str) -> None:
        """Tell the user (once the writer is done) if a background save failed."""
        loop = asyncio.get_running_loop()

        def done(finished: Future[None]) -> None:
            exc = finished.exception()
            if exc is not None:
                loop.call_soon_threadsafe(self.report_store_error, what, exc)

        future.add_done_callback(done)

    def report_store_error(self, what: str, exc: BaseException) -> None:
        """The one way a file error reaches the user: a notice naming it and what to do."""
        if not self.app.is_running:
            return
        self.app.notify(f"{what}: {exc}", title="File not saved", severity="error", timeout=15,
                        markup=False)
