"""The key bar at the bottom, rebuilt once however many times the keys changed meanwhile.

Textual's ``Footer`` queues a full rebuild (every key's widget made and styled again) each time
the screen's keys change; at start-up that is eight times before the first paint (focus moves,
tabs mount, the composer takes its keys), a quarter of the work before the first screen. Each
rebuild reads the keys as they are when it runs, so one queued rebuild does for all.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._rebuild_queued = False

    def bindings_changed(self, screen: Screen) -> None:
        if self._rebuild_queued:
            return  # the rebuild already queued reads the keys as they are then
        super().bindings_changed(screen)
        # Footer queues a rebuild only for its own screen, shown, with the app focused.
        self._rebuild_queued = (screen.app.app_focus and self.is_attached
                                and screen is self.screen)

    async def recompose(self) -> None:
        self._rebuild_queued = False
        await super().recompose()
