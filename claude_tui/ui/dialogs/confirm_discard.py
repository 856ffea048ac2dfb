"""The question asked before closing a new conversation that holds only an unsent draft.

A conversation never used (no message, no title) is deleted when its tab closes, so it does not
stay in the ctrl+o list for good; its draft would go with it, so the user is asked first.
"""

from __future__ import annotations

from typing import ClassVar

from claude_tui.text import one_line
from claude_tui.ui.dialogs.yes_no import YesNoScreen


class ConfirmDiscardScreen(YesNoScreen):
    """Dismisses with True when the user agrees to close the tab and lose ``draft``."""

    CSS_PATH: ClassVar[list[str]] = ["yes_no.tcss"]
    heading = "Close and discard the draft?"
    confirm_label = "Discard"
    confirm_variant = "warning"

    def __init__(self, draft: str) -> None:
        super().__init__(one_line(draft, 200))

    def body(self) -> list[str]:
        return [
            "This new conversation has nothing in it but the text you have not sent, so "
            "closing its tab deletes it, and the text with it. Cancel keeps the tab open.",
        ]
