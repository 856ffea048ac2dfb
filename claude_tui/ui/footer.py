"""The key bar at the bottom, rebuilt once however many times the keys changed meanwhile, and
not at all when they did not.

Textual's ``Footer`` queues a full rebuild (every key's widget made and styled again) each time
the screen's keys change; at start-up that is eight times before the first paint (focus moves,
tabs mount, the composer takes its keys), a quarter of the work before the first screen. Each
rebuild reads the keys as they are when it runs, so one queued rebuild does for all. The app
asks again on each turn's start and end (an ended conversation dims keys), when the keys are
most often the same as before: a rebuild then only laid the screen out twice, a long reply's
every widget walked each time, while the user types.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from claude_tui.ui.textual_private import keys_made_as_shown


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._rebuild_queued = False
        self._shown: tuple[Any, ...] | None = None  # what the last rebuild showed

    def bindings_changed(self, screen: Screen) -> None:
        if self._rebuild_queued:
            return  # the rebuild already queued reads the keys as they are then
        super().bindings_changed(screen)
        # Footer queues a rebuild only for its own screen, shown, with the app focused.
        self._rebuild_queued = (screen.app.app_focus and self.is_attached
                                and screen is self.screen)

    def _keys_shown(self) -> tuple[Any, ...]:
        """All that ``Footer.compose`` reads to make the keys' widgets."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        keys = tuple(
            (key, binding.action, binding.description, binding.group, enabled, tooltip,
             app.get_key_display(binding))
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette)
        return (self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, keys)

    def compose(self) -> ComposeResult:
        # Each key made as the footer shows it, not restyled as it mounts (textual_private).
        yield from keys_made_as_shown(self, super().compose())

    async def recompose(self) -> None:
        self._rebuild_queued = False
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown == self._shown and self.children:
            return  # the same keys, the same way: the widgets shown already show them
        self._shown = shown
        await super().recompose()
