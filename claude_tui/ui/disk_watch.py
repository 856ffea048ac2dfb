"""Open conversations whose file changed on disk: another machine (through a sync tool), or a
hand edit. Every couple of seconds the files of the open tabs are checked (a ``stat`` each, on
the writer thread); the store reconciles what changed and the tab shows the result."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from claude_tui.storage.sync import DiskChange

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

CHECK_EVERY = 2.0


class DiskWatch:
    def __init__(self, app: ClaudeTUI) -> None:
        self.app = app

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        def from_writer(change: DiskChange) -> None:
            # The writer thread must never wait for the loop (the loop may be waiting for it).
            loop.call_soon_threadsafe(self._changed, change)

        self.app.store.on_disk_change = from_writer
        self.app.set_interval(CHECK_EVERY, self.check)

    def check(self) -> None:
        store = self.app.store
        if not store.writer.idle:
            return  # a save is on its way: it checks the file itself
        for pane in self.app.tabs.panes():
            conversation = pane.conversation
            if pane.streaming or conversation.read_only_reason:
                continue
            store.check_on_disk(conversation)

    def _changed(self, change: DiskChange) -> None:
        if self.app.is_running:
            self.app.run_worker(self._show(change), group="disk-change")

    async def _show(self, change: DiskChange) -> None:
        app = self.app
        pane = app.tabs.pane_for(change.conversation_id)
        title = pane.conversation.display_title if pane else change.conversation_id
        if pane is not None and change.on_disk is not None:
            await pane.stop_reply()
            app.store.adopt(change)
            await pane.replace_conversation(change.on_disk)
            if pane is app.tabs.active_pane:
                await app.tabs.show_again()
        app.notify(change.describe(title), title="Changed on disk", timeout=15, markup=False)
