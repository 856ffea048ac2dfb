"""The question asked before closing a new conversation that holds only an unsent draft.

A conversation never used (no message, no title) is deleted when its tab closes, so it does not
stay in the ctrl+o list for good; its draft (the text, and the files attached to it) would go
with it, so the user is asked first.
"""

from __future__ import annotations

from typing import ClassVar

from claude_tui.text import one_line
from claude_tui.ui.dialogs.yes_no import YesNoScreen


class ConfirmDiscardScreen(YesNoScreen):
    """Dismisses with True when the user agrees to close the tab and lose ``draft`` and the
    files attached (named by ``files``, one line each)."""

    CSS_PATH: ClassVar[list[str]] = ["yes_no.tcss"]
    heading = "Close and discard the draft?"
    confirm_label = "Discard"
    confirm_variant = "warning"

    def __init__(self, draft: str, files: list[str] | None = None) -> None:
        files = list(files or [])
        lines = [one_line(draft, 200)] if draft.strip() else []
        super().__init__("\n".join([*lines, *(f"📎 {one_line(f, 80)}" for f in files)]))
        self._what = ("the text and files" if lines and files else
                      "the files" if files else "the text")

    def body(self) -> list[str]:
        what = self._what
        return [
            f"This new conversation has nothing in it but {what} you have not sent, so "
            f"closing its tab deletes it, and {what} with it. Cancel keeps the tab open.",
        ]
