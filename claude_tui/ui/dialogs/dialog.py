"""The base of every dialog: a modal screen that can be dismissed only once.

Textual's ``dismiss`` pops the top screen each time it is called. A key repeat or a double tap
of enter or escape reaches the dialog twice before it is gone, and the second pop took the
main screen with it (``ScreenStackError``, the app exits). Here a second dismiss, or one for a
dialog that is no longer on top, is ignored. Textual's own command palette gets the same guard.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual.await_complete import AwaitComplete
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


class DismissOnce:
    """Mixed in before a ``Screen`` class: its ``dismiss`` takes effect once."""

    _dismissed = False

    def dismiss(self, result: Any = None) -> AwaitComplete:
        screen: Screen[Any] = self  # type: ignore[assignment]
        if self._dismissed or not screen.is_attached or screen.app.screen is not screen:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)  # type: ignore[misc]


class DialogScreen(DismissOnce, ModalScreen[ResultType]):
    """A modal screen whose ``dismiss`` takes effect once.

    On a small terminal it has the class ``-short`` (under 24 rows) or ``-narrow`` (under 60
    columns): each dialog's .tcss fits itself into the screen then, with less room around its
    parts, buttons a line high and a scrolling body, so that nothing is cut off."""

    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"),
                                                                    (24, "-tall")]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"),
                                                                      (60, "-wide")]


class CommandPaletteScreen(DismissOnce, CommandPalette):
    """The command palette (ctrl+p), closed once however fast enter is pressed: a second
    enter ran the command again and then popped the main screen."""
