"""The files attached to the message being written: a row of chips above the composer.

It is hidden while empty. ``shift+tab`` from the composer selects a chip; ``left``/``right``
move, ``delete`` or ``backspace`` removes one, ``escape`` (or ``enter``, ``down``, ``tab``)
goes back to the composer. The chips are part of the tab's draft: a change posts
``AttachmentRow.Changed``, so that ``tabs.json`` keeps them.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from claude_tui.attachments import Attachment

HINT = "shift+tab selects · delete removes"


class AttachmentRow(Static, can_focus=True):
    DEFAULT_CSS = """
    AttachmentRow {
        height: auto;
        padding: 0 1;
        color: $text-muted;
        display: none;
    }
    AttachmentRow.-shown { display: block; }
    AttachmentRow:focus { color: $text; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("delete,backspace", "remove", "Remove", show=False),
        Binding("escape,enter,down,tab", "back", "Back to the composer", show=False),
    ]

    class Changed(Message):
        """A chip came or went (the draft changed)."""

    def __init__(self, attached: list[Attachment] | None = None, *,
                 id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.attached: list[Attachment] = list(attached or [])  # a draft's, brought back
        self.selected = 0

    def on_mount(self) -> None:
        if self.attached:
            self._changed(posted=False)  # shown as they were: nothing changed

    def add(self, attachment: Attachment) -> None:
        self.attached.append(attachment)
        self._changed()

    def take(self) -> list[Attachment]:
        """The attachments, and the row emptied (the message is on its way)."""
        taken, self.attached = self.attached, []
        self._changed(posted=bool(taken))  # a message of text alone changes no chip
        return taken

    def put_back(self, attachments: list[Attachment]) -> None:
        """A message that was not sent gets its attachments back."""
        self.attached[:0] = attachments
        self._changed(posted=bool(attachments))

    def _changed(self, *, posted: bool = True) -> None:
        self.selected = max(0, min(self.selected, len(self.attached) - 1))
        self.set_class(bool(self.attached), "-shown")
        self.display = bool(self.attached)
        self._show()
        if posted:
            self.post_message(self.Changed())

    def _show(self) -> None:
        line = Text()
        for position, attachment in enumerate(self.attached):
            chosen = self.has_focus and position == self.selected
            line.append(f" 📎 {attachment.described} ✕ ",
                        style="reverse bold" if chosen else "bold")
            line.append(" ")
        line.append(f"  {HINT}", style="dim")
        self.update(line)

    def on_focus(self) -> None:
        self._show()

    def on_blur(self) -> None:
        self._show()

    def action_move(self, step: int) -> None:
        if self.attached:
            self.selected = (self.selected + step) % len(self.attached)
            self._show()

    def action_remove(self) -> None:
        if not self.attached:
            return
        del self.attached[self.selected]
        self._changed()
        if not self.attached:
            self.action_back()

    def action_back(self) -> None:
        composer = self.parent.query("#composer") if self.parent is not None else None
        if composer:
            composer.first().focus()
