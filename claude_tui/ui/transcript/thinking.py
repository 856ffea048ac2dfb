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
        self._heading = Static("", markup=False, classes="thinking-heading")
        self._body = Vertical(classes="thinking-body")
        super().__init__(self._heading, self._body)
        self.streaming = streaming
        self.expanded = streaming
        self._closed: list[str] = []  # full pieces, rendered once
        self._open = inert(text)
        self._length = len(self._open)
        self._pending: list[str] = []
        self._built = False  # the body's pieces are mounted
        self._open_piece: ThinkingPiece | None = None
        self._timer: Timer | None = None

    @property
    def text(self) -> str:
        return "".join(self._closed) + self._open + "".join(self._pending)

    def on_mount(self) -> None:
        self._body.display = self.expanded
        self._show_heading()
        if self.expanded:
            self._build()

    def _show_heading(self) -> None:
        size = f"{tokens_text(self._length)} characters"
        if self.streaming and self.expanded:
            words = "▾ Thinking…"
        elif self.expanded:
            words = f"▾ Thinking ({size}; {TOGGLE_HINT} hides it)"
        else:
            words = f"▸ Thinking ({size}; {TOGGLE_HINT} shows it)"
        self._heading.update(Text(words))

    def write(self, piece: str) -> None:
        """More thinking, shown at the next flush."""
        piece = inert(piece)
        self._pending.append(piece)
        self._length += len(piece)
        if self._timer is None and self.is_mounted:
            self._timer = self.set_timer(FLUSH_EVERY, self.flush)

    async def flush(self) -> None:
        self._timer = None
        if not self._pending:
            return
        self._open += "".join(self._pending)
        self._pending.clear()
        while len(self._open) > CHUNK:
            cut = self._open.rfind("\n", 0, CHUNK) + 1 or CHUNK
            full, self._open = self._open[:cut], self._open[cut:]
            self._closed.append(full)
            if self._built and self._open_piece is not None:
                self._open_piece.update(Text(full))  # its last render: it is full now
                self._open_piece = ThinkingPiece(Text(""))
                await self._body.mount(self._open_piece)
        if self._built and self._open_piece is not None:
            self._open_piece.update(Text(self._open))
        if not self.expanded:
            self._show_heading()

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        pieces = [ThinkingPiece(Text(p)) for p in self._closed]
        self._open_piece = ThinkingPiece(Text(self._open))
        self._body.mount_all([*pieces, self._open_piece])

    async def finish(self) -> None:
        """The reply's text began (or the reply ended): the thinking is complete; collapse."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        await self.flush()
        self.streaming = False
        self.set_expanded(False)

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        if expanded:
            self._build()
        self._body.display = expanded
        self._show_heading()

    def toggle(self) -> None:
        self.set_expanded(not self.expanded)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.toggle()
