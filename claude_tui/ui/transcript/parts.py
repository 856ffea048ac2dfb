"""The bounded widgets a message's text is shown in: finished parts and the live block.

Each holds a Rich renderable of a few KB at most and renders it once per width, the lines that
measure it being the lines it paints. What changes while a reply streams is rendered in a
thread (``update_off_loop``), so the event loop stays free for keys.
"""

from __future__ import annotations

import asyncio

from rich.console import Group, RenderableType
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import Visual, VisualType, visualize
from textual.widgets import Static

from claude_tui.ui.textual_private import show_rendered_lines, widget_visual
from claude_tui.ui.transcript.blocks import BlockSplitter, render_segments


class MessagePart(Static):
    """Some consecutive blocks of a message, a few KB at most: one widget of bounded size.

    Rendered once per width: the lines that measure its height are the lines it shows.
    Textual would render a ``Static`` once to measure it and again to paint it, and again
    whenever its size or its container's size is set (a growing reply sets it on every piece).
    """

    DEFAULT_CLASSES = "part"

    def __init__(self, content: RenderableType | None = None) -> None:
        self._strips: dict[int, list[Strip]] = {}
        self._version = 0
        # Set by update_off_loop(): what is shown, when Static's own content is not.
        self._shown: Visual | None = None
        super().__init__(content if content is not None else "", markup=False)

    def render_strips(self, width: int) -> list[Strip]:
        strips = self._strips.get(width)
        if strips is None:
            visual = self._shown if self._shown is not None else widget_visual(self)
            strips = self._fit(Visual.to_strips(self, visual, width, None, self.visual_style),
                               width)
            self._strips[width] = strips
        return strips

    def _fit(self, strips: list[Strip], width: int) -> list[Strip]:
        """The lines as shown (a hook for the live block)."""
        return strips

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.render_strips(width))

    def _render_content(self) -> None:  # Textual's private hook: see ui/textual_private.py
        width, height = self.size
        strips = self.render_strips(width)[:height]
        if len(strips) < height:
            blank = Strip.blank(width, self.visual_style.rich_style)
            strips = strips + [blank] * (height - len(strips))
        show_rendered_lines(self, strips)

    def notify_style_update(self) -> None:
        self._strips = {}  # a theme change restyles the text
        super().notify_style_update()

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._version += 1
        self._strips = {}
        self._shown = None
        super().update(content, layout=layout)

    async def update_off_loop(self, content: RenderableType, width: int) -> None:
        """``update(content)``, rendered for ``width`` in a thread first: the event loop stays
        free for keys meanwhile (the app's switch interval hands it back within 1 ms). Only
        the lines that changed are painted again, and the transcript is laid out again only
        if the height changed."""
        self._version += 1
        version = self._version
        visual = visualize(self, content, markup=False)
        strips = await asyncio.to_thread(Visual.to_strips, self, visual, width, None,
                                         self.visual_style)
        if version != self._version or not self.is_attached:
            return  # updated again meanwhile, or gone
        strips = self._fit(strips, width)
        before = self._strips.get(width)
        self._shown = visual
        self._strips = {width: strips}
        if before is None or len(before) != len(strips) or self.size.width != width:
            self.refresh(layout=True)
            return
        changed = [y for y, (old, new) in enumerate(zip(before, strips, strict=True)) if old != new]
        if changed:
            self.refresh(Region(0, changed[0], width, changed[-1] + 1 - changed[0]))


class LiveReply(MessagePart):
    """The block of the reply still being written: the only part that changes.

    A ``Static`` holding a Rich rendering of that block alone (a few KB at most), rendered
    again whole on each flush: no child widgets mounted or removed per piece of text, as a
    Textual ``Markdown`` does, and the same rendering the block gets once finished, so
    nothing on screen moves when it is. ``source`` is the Markdown shown.
    """

    DEFAULT_CLASSES = "live"
    # Its height grows this many lines at a time (blank lines under the text until filled):
    # each change of height lays the whole transcript out again and repaints the screen.
    HEIGHT_STEP = 4

    def __init__(self) -> None:
        super().__init__()
        self.source = ""

    def _fit(self, strips: list[Strip], width: int) -> list[Strip]:
        extra = -len(strips) % self.HEIGHT_STEP
        if not strips or not extra:
            return strips
        return strips + [Strip.blank(width, self.visual_style.rich_style)] * extra

    async def show(self, splitter: BlockSplitter, *, continues: bool, width: int) -> None:
        """Show the splitter's open block at ``width``; ``continues``: parts of the reply are
        above it."""
        text = splitter.open_text
        if text == self.source:
            return
        self.source = text
        segment = splitter.open_segment
        shown = segment.code is not None or text.strip()
        content = Group(*render_segments([segment], continues=continues) if shown else ())
        if width:
            # Most flushes add words to the last line: the height stays, and only this
            # widget is repainted. A new line lays the transcript out again (and scrolls it).
            await self.update_off_loop(content, width)
        else:
            self.update(content)  # not laid out yet: Textual renders it when it is
