"""Cutting a reply's Markdown into blocks as it streams, and grouping blocks into bounded parts.

A reply is shown as a few widgets of bounded size ("parts") instead of one Markdown document,
so that neither a new piece of text nor a width change renders the whole reply again. The
splitter reads each line once, as it completes: the cost of a piece of text does not depend on
how long the reply already is.

Block boundaries: a blank line followed by a line that is not indented (an indented one
continues a list item), the opening and closing lines of a code fence (``` or ~~~, closed by
the same character at least as long, as CommonMark says). A long code fence (a whole file) is
cut every ``CODE_CHUNK_LINES`` lines into chunks highlighted on their own, and a block without
any blank line is cut at a line end past ``BLOCK_CHARS`` characters.

Keeping the text of every Markdown block exactly as written, and joining consecutive blocks of a
part back into one document, makes a short reply render exactly as one Rich Markdown would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.text import Text

CODE_CHUNK_LINES = 40
BLOCK_CHARS = 4_000
PART_CHARS = 1_500
CODE_THEME = "monokai"  # rich.markdown's default, so chunks look like the fences it renders

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


@dataclass
class CodeChunk:
    """Some lines of a long code fence; ``first``/``last`` say where the fence's edges are."""

    lexer: str
    code: str
    first: bool
    last: bool


@dataclass
class Segment:
    """A finished block: Markdown source as written (``code`` None), or a code chunk."""

    text: str = ""
    code: CodeChunk | None = None

    @property
    def size(self) -> int:
        return len(self.code.code) if self.code is not None else len(self.text)


@dataclass
class _Fence:
    marker: str  # the opening run of ` or ~
    opening: str  # the whole opening line, given again to the live part of a cut fence
    lexer: str
    cut: bool = False  # some of its lines were already finished as chunks


class BlockSplitter:
    """Turns streamed text into finished ``Segment``s plus the text of the block still open."""

    def __init__(self) -> None:
        self._line: list[str] = []  # pieces of the line being written
        self._block: list[str] = []  # complete lines of the open block, newline included
        self._block_chars = 0
        self._blank_seen = False  # a blank line ended the block, unless an indented line follows
        self._fence: _Fence | None = None
        self._finished: list[Segment] = []
        self.length = 0  # characters fed so far

    def feed(self, text: str) -> None:
        self.length += len(text)
        start = 0
        while True:
            end = text.find("\n", start)
            if end < 0:
                if start < len(text):
                    self._line.append(text[start:])
                return
            piece = text[start:end + 1]
            if self._line:
                self._line.append(piece)
                piece = "".join(self._line)
                self._line.clear()
            self._take_line(piece)
            start = end + 1

    @property
    def has_finished(self) -> bool:
        """Blocks were finished that ``take()`` has not returned yet."""
        return bool(self._finished)

    def take(self) -> list[Segment]:
        """The blocks finished since the last call."""
        finished, self._finished = self._finished, []
        return finished

    @property
    def open_text(self) -> str:
        """The Markdown of the block still being written (bounded in size)."""
        if len(self._line) > 1:
            self._line[:] = ["".join(self._line)]
        head = self._fence.opening if self._fence is not None and self._fence.cut else ""
        line = "".join(self._line)
        if line.lstrip(" ")[:1] in ("`", "~"):
            # Half a fence's opening line: Textual would guess its language, loading every
            # Pygments lexer to do so (a second or more, once).
            line = ""
        return head + "".join(self._block) + line

    @property
    def open_segment(self) -> Segment:
        """The open block as it would be finished now: the tail of a fence already cut into
        chunks is code (shown as the chunks before it), anything else Markdown."""
        fence = self._fence
        if fence is not None and fence.cut:
            code = "".join(self._block).rstrip("\n")
            return Segment(code=CodeChunk(fence.lexer, code, first=False, last=True))
        return Segment(self.open_text)

    def finish(self) -> list[Segment]:
        """The reply is complete: everything not yet taken, the open block included."""
        if self._line:
            line = "".join(self._line)
            self._line.clear()
            self._take_line(line)
        if self._fence is not None:
            if self._fence.cut:
                self._emit_code(last=True)
                self._fence = None
            else:
                self._fence = None
                self._end_block()
        self._end_block()
        return self.take()

    # --- lines ---------------------------------------------------------------------------------
    def _take_line(self, line: str) -> None:
        fence = self._fence
        if fence is not None:
            if _closes(line, fence.marker):
                if fence.cut:
                    self._emit_code(last=True)
                else:
                    self._add(line)
                    self._end_block()
                self._fence = None
                return
            self._add(line)
            if len(self._block) - (0 if fence.cut else 1) >= CODE_CHUNK_LINES:
                self._emit_code(last=False)
            return
        if not line.strip():
            if self._block:
                self._blank_seen = True
            self._add(line)
            return
        if self._blank_seen and line[0] not in " \t":
            self._end_block()
        self._blank_seen = False
        opening = _FENCE.match(line.rstrip("\n"))
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            self._end_block()
            info = opening.group(2).strip()
            self._fence = _Fence(opening.group(1), line, info.split(" ")[0] if info else "text")
            self._add(line)
            return
        if self._block_chars > BLOCK_CHARS:
            self._end_block()
        self._add(line)

    def _add(self, line: str) -> None:
        self._block.append(line)
        self._block_chars += len(line)

    def _end_block(self) -> None:
        if self._block:
            self._finished.append(Segment("".join(self._block)))
        self._block.clear()
        self._block_chars = 0
        self._blank_seen = False

    def _emit_code(self, *, last: bool) -> None:
        fence = self._fence
        assert fence is not None
        lines = self._block if fence.cut else self._block[1:]
        code = "".join(lines).rstrip("\n") if last else "".join(lines)[:-1]
        self._finished.append(Segment(code=CodeChunk(fence.lexer, code, not fence.cut, last)))
        fence.cut = True
        self._block.clear()
        self._block_chars = 0


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    return (indent <= 3 and stripped.startswith(marker) and not stripped.strip(marker[0]))


def split_text(text: str) -> list[Segment]:
    """All the blocks of a finished text."""
    splitter = BlockSplitter()
    splitter.feed(text)
    return splitter.finish()


@dataclass
class Part:
    """Consecutive segments shown by one widget."""

    segments: list[Segment] = field(default_factory=list)
    size: int = 0

    def add(self, segment: Segment) -> None:
        self.segments.append(segment)
        self.size += segment.size

    @property
    def full(self) -> bool:
        return self.size >= PART_CHARS


def group_parts(segments: list[Segment]) -> list[Part]:
    parts: list[Part] = [Part()]
    for segment in segments:
        if parts[-1].full:
            parts.append(Part())
        parts[-1].add(segment)
    return [part for part in parts if part.segments]


def render_segments(segments: list[Segment], *, continues: bool) -> list[RenderableType]:
    """Renderables of a part; ``continues``: another part of the same message is above it."""
    # Here, not at the top: Rich's Markdown brings markdown-it and Pygments (a tenth of
    # start-up), which a first screen with no message never needs.
    from rich.markdown import Markdown as RichMarkdown
    from rich.syntax import Syntax

    out: list[RenderableType] = []
    source: list[str] = []
    # Whether a blank line is due before the next block: Rich puts one between blocks.
    gap = continues

    def flush_source() -> None:
        nonlocal gap
        markdown = "".join(source)
        source.clear()
        if markdown.strip():
            if gap:
                out.append(Text(""))
            out.append(RichMarkdown(markdown, code_theme=CODE_THEME, hyperlinks=False))
            gap = True

    for segment in segments:
        chunk = segment.code
        if chunk is None:
            source.append(segment.text)
            continue
        flush_source()
        if gap and chunk.first:
            out.append(Text(""))
        out.append(Syntax(chunk.code, chunk.lexer, theme=CODE_THEME, word_wrap=True,
                          padding=(1 if chunk.first else 0, 1, 1 if chunk.last else 0, 1)))
        gap = chunk.last
    flush_source()
    return out


def render_part(segments: list[Segment], *, continues: bool,
                heading: RenderableType | None = None) -> RenderableType:
    items = render_segments(segments, continues=continues)
    if heading is not None:
        items.insert(0, heading)
    return Group(*items)


def guess_lines(segments: list[Segment], width: int) -> int:
    """About how many lines ``render_part(segments)`` takes at ``width``, without rendering:
    the height a part waiting to be rendered holds meanwhile."""
    room = max(10, width - 4)  # list and quote indents, table borders
    lines = 1  # the blank line between blocks
    for segment in segments:
        source = segment.code.code if segment.code is not None else segment.text
        if segment.code is not None:
            lines += segment.code.first + segment.code.last  # the padding
        for line in source.split("\n"):
            lines += max(1, -(-len(line) // room))
    return lines
