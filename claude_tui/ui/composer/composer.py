"""Where the user types: a text area whose enter sends and whose own editing keys stay."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea

from claude_tui.ui.key_words import in_your_keys

# ctrl+w closes the tab here: deleting a word stays on alt+backspace and ctrl+backspace.
_TAKEN_BY_APP = {"ctrl+w"}


def _own_bindings() -> list[Binding]:
    kept: list[Binding] = []
    for binding in TextArea.BINDINGS:
        assert isinstance(binding, Binding)
        keys = [k.strip() for k in binding.key.split(",") if k.strip() not in _TAKEN_BY_APP]
        if keys:
            kept.append(
                Binding(",".join(keys), binding.action, binding.description, show=False)
            )
    return kept


class Composer(TextArea):
    """``enter`` sends; ``ctrl+j`` (and ``shift+enter`` where the terminal sends it) adds a line."""

    inherit_bindings = False
    BINDINGS: ClassVar[list[BindingType]] = [
        *_own_bindings(),
        Binding("ctrl+j,shift+enter", "newline", "New line", show=False, id="newline"),
        Binding("alt+backspace,ctrl+backspace", "delete_word_left", "Delete word", show=False,
                id="delete_word"),
    ]

    class Submitted(Message):
        def __init__(self, composer: Composer, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

    def __init__(self, text: str = "", *, assistant: str = "Claude",
                 id: str | None = None) -> None:
        """``assistant``: ``choice.assistant_name()`` of the conversation's model."""
        super().__init__(
            text, id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
            placeholder=in_your_keys(self, self.placeholder_for(assistant)),
        )

    @staticmethod
    def placeholder_for(assistant: str) -> str:
        return f"Message {assistant} — enter sends, ctrl+j adds a line, /end ends"

    def render_lines(self, crop: Region) -> list[Strip]:
        try:
            return super().render_lines(crop)
        except KeyError:
            # Textual 8.2 (textual#6528): a text area drawn before its component styles are
            # resolved raises KeyError 'text-area--gutter'; seen when a tab shown under a dialog
            # (a delete from ctrl+o) is first drawn. It is drawn on the next refresh instead.
            self.call_after_refresh(self.refresh)
            return [Strip.blank(crop.width)] * crop.height

    def on_key(self, event: events.Key) -> None:
        # Runs before the text area's own key handler, which prevent_default() skips: that
        # one would type enter as a new line. Every other key goes on to it.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        if self.read_only:
            return
        start, end = self.selection
        # What the text area does for a typed character: the cursor ends after the new line.
        self.replace("\n", start, end, maintain_selection_offset=False)
