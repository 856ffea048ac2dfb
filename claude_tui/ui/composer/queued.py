"""The messages written while a reply streams: sent one by one, each when a reply ends well.

Shown as a dim note over the composer, so the user sees their message has not vanished and
that it is not glued to what they type next. ``escape`` takes them back into the composer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from claude_tui.attachments import Attachment
from claude_tui.text import one_line
from claude_tui.ui.key_words import in_your_keys


@dataclass
class QueuedMessage:
    text: str
    attached: list[Attachment] = field(default_factory=list)


class QueuedNote(Static):
    DEFAULT_CSS = """
    QueuedNote {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.queued: list[QueuedMessage] = []

    def add(self, text: str, attached: list[Attachment]) -> None:
        self.queued.append(QueuedMessage(text, attached))
        self._show()

    def take_first(self) -> QueuedMessage | None:
        first = self.queued.pop(0) if self.queued else None
        self._show()
        return first

    def take_all(self) -> list[QueuedMessage]:
        taken, self.queued = self.queued, []
        self._show()
        return taken

    def show_unsent(self, text: str) -> None:
        """The conversation ended before the queued text could go: say so, and show it."""
        self.update(Text(f"Not sent (the conversation has ended): {one_line(text, 200)}",
                         style="italic"))
        self.display = True

    def _show(self) -> None:
        self.display = bool(self.queued)
        if not self.queued:
            self.update("")
            return
        count = len(self.queued)
        what, it = ("1 message", "it") if count == 1 else (f"{count} messages", "them")
        words = in_your_keys(self, f"⏳ {what} queued, sent when the reply ends "
                                   f"(escape takes {it} back): ")
        line = Text(words, style="italic")
        line.append(one_line(self.queued[-1].text, 120) or "(files only)")
        self.update(line)
