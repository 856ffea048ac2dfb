"""Edit a longer text in a dialog: the system prompt (f7) and the last message (f6)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from claude_tui.text import inert
from claude_tui.ui.dialogs.dialog import DialogScreen

SYSTEM_PROMPT_HEADING = "System prompt of this conversation"
SYSTEM_PROMPT_HINT = (
    "Sent with every request of this conversation, beside claude-tui's own instructions for "
    "ending conversations. ctrl+s saves · escape cancels · empty: no system prompt of your own")
EDIT_HEADING = "Edit your last message"
EDIT_HINT = ("ctrl+s sends it in place of the old one, which is kept as an earlier version "
             "with its reply · escape cancels")


class EditTextScreen(DialogScreen[str | None]):
    """A multi-line text to edit. Dismisses with the text on ctrl+s (or Save), None on
    escape (or Cancel), so nothing changes."""

    CSS_PATH = "edit_text.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", show=False, priority=True),
        Binding("escape", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(self, heading: str, text: str, hint: str, *, save_label: str = "Save",
                 placeholder: str = "") -> None:
        super().__init__()
        self.heading = heading
        self.text = inert(text)  # shown as typed: no control characters reach the terminal
        self.hint = hint
        self.save_label = save_label
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-text"):
            yield Static(self.heading, id="edit-text-heading", markup=False)
            yield TextArea(self.text, id="edit-text-area", soft_wrap=True,
                           placeholder=self.placeholder)
            yield Static(self.hint, id="edit-text-keys", markup=False)
            with Horizontal(id="edit-text-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.save_label, id="save", variant="primary")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
