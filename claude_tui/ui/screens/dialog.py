"""The base of every dialog: a modal screen that can be dismissed only once.

Textual's ``dismiss`` pops the top screen each time it is called. A key repeat or a double tap
of enter or escape reaches the dialog twice before it is gone, and the second pop took the
main screen with it (``ScreenStackError``, the app exits). Here a second dismiss, or one for a
dialog that is no longer on top, is ignored.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class DialogScreen(ModalScreen[ResultType]):
    """A modal screen whose ``dismiss`` takes effect once."""

    _dismissed = False

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if self._dismissed or not self.is_attached or self.app.screen is not self:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)
