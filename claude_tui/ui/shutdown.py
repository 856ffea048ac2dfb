"""Closing the app on a signal: SIGTERM, or SIGHUP when the terminal window is closed.

The replies still streaming are cut off and saved (marked as cut off by the app closing), the
open tabs are saved, every write is finished, then the app exits as ``ctrl+q`` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from typing import TYPE_CHECKING

from claude_tui.ui.transcript.remembered import keep_shown_lines

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# How long the last writes may take before the app exits anyway.
FLUSH_SECONDS = 10.0
# How long the app's own shutdown may take once everything is saved.
EXIT_GRACE = 3.0


class Shutdown:
    def __init__(self, app: ClaudeTUI) -> None:
        self.app = app
        self.started = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        for sig in SIGNALS:
            # Not on the main thread (some test runners), or not on this platform: the
            # default action stays, and the partial saves while streaming still hold.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._received)

    def uninstall(self) -> None:
        if self._loop is None:
            return
        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                self._loop.remove_signal_handler(sig)
        self._loop = None

    def _received(self) -> None:
        if not self.app.is_running:
            # The app has gone without taking its handlers (it crashed): the signal does
            # what it would have done without us.
            self.uninstall()
            os.kill(os.getpid(), signal.SIGTERM)
            return
        if self.started:
            return
        self.started = True
        self._task = asyncio.ensure_future(self.close())

    async def close(self) -> None:
        await self.save_everything()
        # Everything is on disk now. With the terminal gone, Textual's own shutdown can block
        # for ever writing to it (its output queue full, its writer thread gone): the process
        # ends anyway a moment later rather than stay behind, unseen, holding the data folder.
        watchdog = threading.Timer(EXIT_GRACE, os._exit, args=(0,))
        watchdog.daemon = True
        watchdog.start()
        self.app.exit()

    async def save_everything(self) -> None:
        """The replies cut off and saved, the shown transcript's lines kept, the tabs saved,
        and every write finished (within ``FLUSH_SECONDS``)."""
        app = self.app
        app.engine.closing = True
        keep_shown_lines(app)  # before the replies are stopped: not while one streams
        for pane in app.tabs.panes():
            with contextlib.suppress(Exception):
                await pane.stop_reply()
        with contextlib.suppress(Exception):
            app.save_tabs()
        await asyncio.to_thread(app.store.writer.flush, FLUSH_SECONDS)
