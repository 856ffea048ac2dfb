"""The confirmation asked before a conversation ends for good (E2, E3)."""

from __future__ import annotations

from typing import ClassVar

from claude_tui.text import one_line
from claude_tui.ui.dialogs.yes_no import YesNoScreen


class ConfirmEndScreen(YesNoScreen):
    """Dismisses with True when the user confirms ending ``conversation_title``.

    ``asked_by`` is "assistant" when the model called end_conversation because the user asked
    for it, and "user" for the user's own f4 or /end. ``assistant`` names the model as
    ``choice.assistant_name()`` does.
    """

    CSS_PATH: ClassVar[list[str]] = ["yes_no.tcss", "confirm_end.tcss"]
    heading = "End this conversation?"
    confirm_label = "End conversation"
    confirm_variant = "error"

    def __init__(self, conversation_title: str, asked_by: str,
                 assistant: str = "Claude", *, grace: float = 0.0) -> None:
        super().__init__(one_line(conversation_title, 200) or "Untitled conversation",
                         grace=grace)
        self.asked_by = asked_by
        self.assistant = assistant

    def body(self) -> list[str]:
        why = (
            f"You asked {self.assistant} to end this conversation."
            if self.asked_by == "assistant"
            else "You chose to end this conversation."
        )
        return [
            why,
            "Ending is permanent: no further messages can be sent in it. You can still read, "
            "copy, export it and branch from an earlier message into a new conversation.",
            "Other conversations are unaffected, and ctrl+n starts a new one.",
        ]
