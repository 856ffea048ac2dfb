"""The confirmation asked before a conversation's file is deleted."""

from __future__ import annotations

from typing import ClassVar

from claude_tui.text import one_line
from claude_tui.ui.dialogs.yes_no import YesNoScreen


class ConfirmDeleteScreen(YesNoScreen):
    """Dismisses with True when the user confirms deleting the conversation ``title``."""

    CSS_PATH: ClassVar[list[str]] = ["yes_no.tcss", "confirm_delete.tcss"]
    heading = "Delete this conversation?"
    confirm_label = "Delete"
    confirm_variant = "error"

    def __init__(self, title: str) -> None:
        super().__init__(one_line(title, 200) or "Untitled conversation")

    def body(self) -> list[str]:
        return [
            "Its file will be deleted for good; it cannot be undone. Nothing else is touched: "
            "other conversations and your settings stay as they are.",
        ]
