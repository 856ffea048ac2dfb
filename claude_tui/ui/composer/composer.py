"""Where the user types: a text area whose enter sends and whose own editing keys stay."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea

from claude_tui.path_completion import complete, pasted_path
from claude_tui.text import one_line
from claude_tui.ui.key_words import in_your_keys

# A line of its own: "/attach PATH" (enter attaches the file, tab completes the path).
_ATTACH_LINE = re.compile(r"^\s*/attach(?:\s+(.*))?$")
# ctrl+w closes the tab here: deleting a word stays on alt+backspace and ctrl+backspace.
_TAKEN_BY_APP = {"ctrl+w"}


def sent_parts(sent: str, now: str) -> tuple[int, int]:
    """How much of the composer's text ``now`` is the message ``sent``: the lengths of its head
    and its tail that were sent (what lies between was typed after enter, and stays).

    Keys that arrive in the same burst as enter are typed after the message was taken, at the
    cursor (mostly its end). If they changed the sent text itself (a backspace), everything
    past the part left untouched stays: more may stay than was typed, never less."""
    if now.startswith(sent):
        return len(sent), 0
    limit = min(len(sent), len(now))
    head = 0
    while head < limit and sent[head] == now[head]:
        head += 1
    tail = 0
    while tail < limit - head and sent[-1 - tail] == now[-1 - tail]:
        tail += 1
    return (head, tail) if head + tail == len(sent) else (head, 0)


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

    class RecallAsked(Message):
        """``up`` in an empty composer: the messages queued for after the reply, to edit."""

        def __init__(self, composer: Composer) -> None:
            super().__init__()
            self.composer = composer

    class AttachAsked(Message):
        """``/attach PATH`` was entered (``path`` may be empty: the dialog asks)."""

        def __init__(self, composer: Composer, path: str) -> None:
            super().__init__()
            self.composer = composer
            self.path = path

    class PathPasted(Message):
        """What was pasted is the path of a file, alone: attach it, or paste it as text?"""

        def __init__(self, composer: Composer, path: Path, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.path = path
            self.text = text

    def __init__(self, text: str = "", *, assistant: str = "Claude",
                 id: str | None = None) -> None:
        """``assistant``: ``choice.assistant_name()`` of the conversation's model."""
        super().__init__(
            text, id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
            placeholder=in_your_keys(self, self.placeholder_for(assistant)),
        )

    def on_mount(self) -> None:
        if self.text:  # a restored draft, or the message of a branch: go on where it ends
            self.cursor_to_end()

    def on_focus(self) -> None:
        # A tab shown again, or a long draft restored in a hidden tab: the cursor is in view.
        self.call_after_refresh(self.scroll_cursor_visible)

    def load_text(self, text: str) -> None:
        super().load_text(text)
        self.cursor_to_end()

    def cursor_to_end(self) -> None:
        self.move_cursor(self.document.end)
        self.call_after_refresh(self.scroll_cursor_visible)

    def remove_sent(self, sent: str) -> None:
        """The message ``sent`` went: take it out, and keep what was typed after enter."""
        now = self.text
        head, tail = sent_parts(sent, now)
        if head + tail >= len(now):
            self.clear()
            return
        document = self.document
        if tail:  # the tail first: the head's offsets stay as they are
            self.delete(document.get_location_from_index(len(now) - tail), document.end)
        if head:
            self.delete((0, 0), document.get_location_from_index(head))

    def put_back(self, text: str) -> None:
        """A message that was not sent comes back, before whatever was typed since."""
        if not text:
            return
        if not self.text:
            self.load_text(text)
        else:
            self.insert(text + "\n", (0, 0))

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
            attach = self._attach_line()
            if attach is not None:
                row, path = attach
                self._remove_line(row)
                self.post_message(self.AttachAsked(self, path.strip()))
                return
            self.post_message(self.Submitted(self, self.text))
        elif event.key == "up" and not self.text:
            # Not also the text area's up: it would move the cursor to the start again.
            event.stop()
            event.prevent_default()
            self.post_message(self.RecallAsked(self))
        elif event.key == "tab" and self._attach_line() is not None:
            event.stop()
            event.prevent_default()
            self._complete_path()

    def _attach_line(self) -> tuple[int, str] | None:
        """The cursor's line, if it is an ``/attach`` command: its row and the path."""
        row = self.cursor_location[0]
        found = _ATTACH_LINE.match(self.document.get_line(row))
        return (row, found.group(1) or "") if found else None

    def _remove_line(self, row: int) -> None:
        last = self.document.line_count - 1
        if row < last:
            self.replace("", (row, 0), (row + 1, 0))
        elif row > 0:
            self.replace("", (row - 1, len(self.document.get_line(row - 1))),
                         (row, len(self.document.get_line(row))))
        else:
            self.clear()

    def _complete_path(self) -> None:
        row, path = self._attach_line() or (0, "")
        line = self.document.get_line(row)
        completed, found = complete(path)
        start = len(line) - len(path)
        if completed != path:
            self.replace(completed, (row, start), (row, len(line)),
                         maintain_selection_offset=False)
        names = [one_line(f.rstrip("/").rpartition("/")[2] + ("/" if f.endswith("/") else ""),
                          40) for f in found]
        if len(found) == 1 and not found[0].endswith("/"):
            self.border_subtitle = "enter attaches it"
        elif found:
            self.border_subtitle = "  ".join(names[:8]) + ("  …" if len(names) > 8 else "")
        else:
            self.border_subtitle = "no such file"

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.border_subtitle and self._attach_line() is None:
            self.border_subtitle = ""

    def on_paste(self, event: events.Paste) -> None:
        # A file's path pasted alone (a file dropped on the terminal) may be meant as an
        # attachment: asked first, the text area's own paste (in TextArea) is skipped.
        path = pasted_path(event.text) if not self.read_only else None
        if path is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.PathPasted(self, path, event.text))

    def action_newline(self) -> None:
        if self.read_only:
            return
        start, end = self.selection
        # What the text area does for a typed character: the cursor ends after the new line.
        self.replace("\n", start, end, maintain_selection_offset=False)
