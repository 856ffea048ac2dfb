"""The warning banner at the top of a tab once the model has issued a warning."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from claude_tui.conversation import IssuedWarning
from claude_tui.text import inert


class WarningBanner(Static):
    """Names the behaviour exactly as the model gave it; stays while the tab is open."""

    def __init__(self, warnings: list[IssuedWarning], *, assistant: str = "Claude",
                 id: str | None = None) -> None:
        """``assistant``: ``choice.assistant_name()`` of the conversation's model."""
        super().__init__(markup=False, id=id)
        self.assistant = assistant
        self.show_warnings(warnings)

    def show_warnings(self, warnings: list[IssuedWarning]) -> None:
        self.display = bool(warnings)
        if not warnings:
            return
        latest = warnings[-1]
        text = Text()
        text.append(f"⚠ Warning from {self.assistant}: ", style="bold")
        text.append(inert(latest.behavior))
        text.append(
            f"\nContinuing this behaviour may lead {self.assistant} to end the conversation"
            " permanently."
        )
        if len(warnings) > 1:
            text.append(f" ({len(warnings)} warnings so far)")
        self.update(text)
