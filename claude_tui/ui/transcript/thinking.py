"""A reply's thinking: a dim block above its text, collapsed once the text starts.

While thinking streams, its text is kept in pieces of about ``CHUNK`` characters: a piece that
is full is rendered once and left alone, and each flush renders only the open piece, so long
thinking costs the same per flush as short thinking. A collapsed block renders nothing but its
one-line heading; a finished one builds its text only when first expanded.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from claude_tui.models import tokens_text
from claude_tui.text import inert

CHUNK = 2_000  # characters of thinking rendered together
FLUSH_EVERY = 0.1
TOGGLE_HINT = "ctrl+g or click"


class ThinkingPiece(Static):
    DEFAULT_CLASSES = "thinking-piece"


class ThinkingBlock(Vertical):
    """The thinking of one reply (all its thinking blocks' text); a click toggles it."""

    DEFAULT_CLASSES = "thinking"

    def __init__(self, text: str = "", *, streaming: bool = False) -> None:
        self._heading_line = Static("", markup=False, classes="thinking-heading")
        self._text_box = Vertical(classes="thinking-body")
        super().__init__(self._heading_line, self._text_box)
        self.streaming = streaming
        self.expanded = streaming
        self._full_pieces: list[str] = []  # full pieces, rendered once
        self._open_text = inert(text)
        self._chars = len(self._open_text)
        self._unshown: list[str] = []
        self._built = False  # the body's pieces are mounted
        self._open_piece: ThinkingPiece | None = None
        self._flush_timer: Timer | None = None

    @property
    def text(self) -> str:
        return "".join(self._full_pieces) + self._open_text + "".join(self._unshown)

    def on_mount(self) -> None:
        self._text_box.display = self.expanded
        self._show_heading()
        if self.expanded:
            self._build()

    def _show_heading(self) -> None:
        size = f"{tokens_text(self._chars)} characters"
        if self.streaming and self.expanded:
            words = "▾ Thinking…"
        elif self.expanded:
            words = f"▾ Thinking ({size}; {TOGGLE_HINT} hides it)"
        else:
            words = f"▸ Thinking ({size}; {TOGGLE_HINT} shows it)"
        self._heading_line.update(Text(words))

    def write(self, piece: str) -> None:
        """More thinking, shown at the next flush."""
        piece = inert(piece)
        self._unshown.append(piece)
        self._chars += len(piece)
        if self._flush_timer is None and self.is_mounted:
            self._flush_timer = self.set_timer(FLUSH_EVERY, self.flush)

    async def flush(self) -> None:
        self._flush_timer = None
        if not self._unshown:
            return
        self._open_text += "".join(self._unshown)
        self._unshown.clear()
        while len(self._open_text) > CHUNK:
            cut = self._open_text.rfind("\n", 0, CHUNK) + 1 or CHUNK
            full, self._open_text = self._open_text[:cut], self._open_text[cut:]
            self._full_pieces.append(full)
            if self._built and self._open_piece is not None:
                self._open_piece.update(Text(full))  # its last render: it is full now
                self._open_piece = ThinkingPiece(Text(""))
                await self._text_box.mount(self._open_piece)
        if self._built and self._open_piece is not None:
            self._open_piece.update(Text(self._open_text))
        if not self.expanded:
            self._show_heading()

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        pieces = [ThinkingPiece(Text(p)) for p in self._full_pieces]
        self._open_piece = ThinkingPiece(Text(self._open_text))
        self._text_box.mount_all([*pieces, self._open_piece])

    async def finish(self) -> None:
        """The reply's text began (or the reply ended): the thinking is complete; collapse."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        await self.flush()
        self.streaming = False
        self.set_expanded(False)

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        if expanded:
            self._build()
        self._text_box.display = expanded
        self._show_heading()

    def toggle(self) -> None:
        self.set_expanded(not self.expanded)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.toggle()
