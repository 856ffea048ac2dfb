"""Edit a longer text in a dialog: the system prompt (f7) and the last message (f6)."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from claude_tui.text import inert
from claude_tui.ui.dialogs.dialog import DialogScreen

SYSTEM_PROMPT_HEADING = "System prompt of this conversation"
SYSTEM_PROMPT_HINT = (
    "Sent with every request of this conversation, beside claude-tui's own instructions for "
    "ending conversations. Empty: no system prompt of your own.")
EDIT_HEADING = "Edit your last message"
EDIT_HINT = ("It goes in place of the old one, which is kept as an earlier version with its "
             "reply.")
EDIT_KEYS = "enter or ctrl+s sends · ctrl+j adds a line · escape cancels"
SAVE_KEYS = "ctrl+s saves · escape cancels"


class MessageArea(TextArea):
    """A message being edited types as the composer does: ``enter`` sends, ``ctrl+j`` (and
    ``shift+enter`` where the terminal sends it) adds a line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,shift+enter", "newline", "New line", show=False),
    ]

    def on_key(self, event: events.Key) -> None:
        # Before the text area's own handler, which would type enter as a new line.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.screen.action_save()  # type: ignore[attr-defined]

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)


class EditTextScreen(DialogScreen[str | None]):
    """A multi-line text to edit. Dismisses with the text on ctrl+s (or Save; also enter with
    ``enter_saves``, for a message), None on escape (or Cancel), so nothing changes."""

    CSS_PATH = "edit_text.tcss"
    # Its text area is 12 lines high: on fewer than 30 rows it takes what is left instead.
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"),
                                                                    (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", show=False, priority=True),
        Binding("escape", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(self, heading: str, text: str, hint: str, *, save_label: str = "Save",
                 placeholder: str = "", enter_saves: bool = False,
                 keys: str = SAVE_KEYS) -> None:
        """``hint``: what saving does; ``keys``: the keys, shown apart (always in view)."""
        super().__init__()
        self.enter_saves = enter_saves
        self.heading = heading
        self.text = inert(text)  # shown as typed: no control characters reach the terminal
        self.hint = hint
        self.keys = keys
        self.save_label = save_label
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-text"):
            yield Static(self.heading, id="edit-text-heading", markup=False)
            area = MessageArea if self.enter_saves else TextArea
            yield area(self.text, id="edit-text-area", soft_wrap=True,
                       placeholder=self.placeholder)
            yield Static(self.hint, id="edit-text-hint", markup=False)
            yield Static(self.keys, id="edit-text-keys", markup=False)
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
