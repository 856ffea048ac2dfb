"""Rename a conversation (f2)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from claude_tui.text import one_line
from claude_tui.ui.dialogs.dialog import DialogScreen


class RenameScreen(DialogScreen[str | None]):
    """Asks for a new title.

    Dismisses with the stripped text on enter. An empty string means "no title of my own":
    the conversation goes back to its automatic title (the first line of its first message).
    None means the user cancelled with escape and nothing changes.
    """

    CSS_PATH = "rename.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = one_line(current)

    def compose(self) -> ComposeResult:
        with Vertical(id="rename"):
            yield Static("Rename conversation", id="rename-heading", markup=False)
            yield Input(value=self.current, placeholder="Title", id="rename-input")
            yield Static(
                "enter saves · escape cancels · leave it empty to use the first line of the "
                "first message",
                id="rename-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
