"""The bounded widgets a message's text is shown in: finished parts and the live block.

Each holds a Rich renderable of a few KB at most and renders it once per width, the lines that
measure it being the lines it paints. What changes while a reply streams is rendered in a
thread (``render_off_loop``, ``update_off_loop``), so the event loop stays free for keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from rich.console import Group, RenderableType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual, VisualType, visualize
from textual.widget import Widget
from textual.widgets import Static

from claude_tui.ui.textual_private import lay_out_again, show_rendered_lines, widget_visual
from claude_tui.ui.transcript.blocks import BlockSplitter, render_segments

# Parts a PartGroup holds: a layout walks the groups and the parts of the one that changed.
GROUP_PARTS = 16


class PartGroup(Widget):
    """Consecutive parts of one message in one container.

    Textual keeps a container's arrangement until one of its children changes, so a reply's
    finished groups cost a layout almost nothing; without them every layout (each piece of a
    streaming reply that adds a line) measured every part of the reply, hundreds for a long one.
    """

    DEFAULT_CSS = """
    PartGroup {
        layout: vertical;
        height: auto;
    }
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # As MessagePart's: its parts were arranged for this size by the layout that sets it.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return stacked_height(self, width)


def stacked_height(container: Widget, width: int) -> int:
    """The height of ``container``'s children stacked at ``width`` (all of height auto).

    Textual measures a container whose children all have dynamic heights by arranging them in
    its own container's height, in case one is ``fr`` or ``%``: a reply growing by a line was
    then a new arrangement of every group of parts above it, the whole reply laid out again on
    every flush (100-200 ms a layout at 400 KB). Arranged for the width alone, a group keeps
    its arrangement until one of its own parts changes."""
    if not width or not container.children:
        return 0
    return container.arrange(Size(width, 0)).total_region.height


def grouped(parts: Sequence[Widget]) -> list[Widget]:
    """``parts`` as they are, or in ``PartGroup``s when there are more than one group's worth."""
    if len(parts) <= GROUP_PARTS:
        return list(parts)
    return [PartGroup(*parts[i:i + GROUP_PARTS]) for i in range(0, len(parts), GROUP_PARTS)]


# Makes a part's renderable: called in the rendering thread, as Rich's Markdown parses its
# text when it is made.
Maker = Callable[[], RenderableType]


def render_off_loop(template: Widget, makers: Sequence[Maker], width: int,
                    style: Style) -> list[tuple[RenderableType, list[Strip]]]:
    """What each of ``makers`` makes and its lines at ``width``, as a part styled like
    ``template`` shows them; run in a thread (``asyncio.to_thread``): the app's switch interval
    hands the event loop back within a millisecond meanwhile."""
    rendered = []
    for make in makers:
        content = make()
        visual = visualize(template, content, markup=False)
        rendered.append((content, Visual.to_strips(template, visual, width, None, style)))
    return rendered


class MessagePart(Static):
    """Some consecutive blocks of a message, a few KB at most: one widget of bounded size.

    Rendered once per width: the lines that measure its height are the lines it shows.
    Textual would render a ``Static`` once to measure it and again to paint it, and again
    whenever its size or its container's size is set (a growing reply sets it on every piece).
    """

    DEFAULT_CLASSES = "part"

    class Seen(Message):
        """A part waiting to be rendered (``render_later``) is on screen: render it now."""

        def __init__(self, part: MessagePart) -> None:
            super().__init__()
            self.part = part

    class Measured(Message):
        """A part painted at a guessed height took ``grown`` lines more (or fewer)."""

        def __init__(self, part: MessagePart, grown: int) -> None:
            super().__init__()
            self.part = part
            self.grown = grown

    def __init__(self, content: RenderableType | None = None, *,
                 guess: Callable[[int], int] | None = None) -> None:
        # Set by render_later(): what to render, and the lines it is guessed to take meanwhile.
        self.waiting: Maker | None = None
        # How many lines the part takes at a width, without rendering it: given, a finished
        # part holds that height at a width it was not rendered at until it is painted (or
        # rendered in the background: ui/transcript/measuring.py), so that showing a long
        # reply, or a width change, renders what is on screen and not the whole reply at once.
        self._guess = guess
        self._guesses: dict[int, int] = {}
        # Set by update(exact=True): its next layout measures it rather than guess.
        self._exact = False
        self._part_content: RenderableType | None = content
        self._guessed = 0
        self._asked = False
        self._strips: dict[int, list[Strip]] = {}
        # Its height at each width its content was rendered at: a change of style (a theme, a
        # tab locked) renders the strips again when painted, but never changes their number,
        # so the layout needs no rendering, and nothing on screen moves when they are painted.
        self._heights: dict[int, int] = {}
        # The style the strips were rendered with: a theme change renders them again. (Strips
        # rendered before the part was mounted, with the style of its siblings, stay valid.)
        self._strips_style: Style | None = None
        self._version = 0
        # Set by update_off_loop(): what is shown, when Static's own content is not.
        self._shown: Visual | None = None
        super().__init__(content if content is not None else "", markup=False)

    def render_strips(self, width: int) -> list[Strip]:
        if self.waiting is not None:  # asked for its lines: rendered now, on the loop
            content, self.waiting = self.waiting(), None
            self._shown = visualize(self, content, markup=False)
            self._strips, self._heights = {}, {}
            self.refresh(layout=True)
        style = self.visual_style
        if style != self._strips_style:
            self._strips = {}
            self._strips_style = style
        strips = self._strips.get(width)
        if strips is None:
            visual = self._shown if self._shown is not None else widget_visual(self)
            strips = self._fit(Visual.to_strips(self, visual, width, None, style), width)
            self._strips[width] = strips
            self._heights[width] = len(strips)
        return strips

    def _fit(self, strips: list[Strip], width: int) -> list[Strip]:
        """The lines as shown (a hook for the live block)."""
        return strips

    def render_later(self, make: Maker, lines: int) -> None:
        """Hold the content ``make`` makes unrendered, as ``lines`` blank lines, until
        ``show()`` gives its rendering: a part above the screen need not be rendered to show
        the text under it. Painting it (it came into view) asks for it (``Seen``)."""
        self.waiting, self._guessed, self._asked = make, lines, False
        self._heights = {}

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Textual lays the screen out again when a widget's size is set (its content might
        # depend on it); a part's height was measured for its width by the layout that sets
        # it. Each new part would otherwise cost the screen a second layout.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.waiting is not None:
            return self._guessed
        height = self._heights.get(width)
        if height is not None:
            return height
        if self._guess is not None and not self._exact:
            guessed = self._guesses.get(width)
            if guessed is None:  # read from its whole text: once a width
                guessed = self._guesses[width] = max(1, self._guess(width))
            return guessed
        self._exact = False
        return len(self.render_strips(width))

    def measured(self, width: int) -> bool:
        """Its height at ``width`` is known from a rendering, not guessed (a part with no
        guess is always measured)."""
        if self._guess is None:
            return True
        if self.waiting is not None:
            return False
        return width in self._heights

    def content_maker(self) -> Maker | None:
        """What makes what the part shows, to render it elsewhere (``render_off_loop``)."""
        content = self._part_content
        return None if content is None else (lambda: content)

    def _render_content(self) -> None:  # Textual's private hook: see ui/textual_private.py
        width, height = self.size
        if self.waiting is not None:
            if not self._asked:
                self._asked = True
                self.post_message(self.Seen(self))
            strips: list[Strip] = []
        else:
            guessed = self._heights.get(width) != height
            strips = self.render_strips(width)
            if guessed and len(strips) != height:
                # It held a guessed height until painted: laid out again at its own, the view
                # keeping what is in view where it was (``Measured``).
                self.post_message(self.Measured(self, len(strips) - height))
                lay_out_again(self)
            strips = strips[:height]
        if len(strips) < height:
            blank = Strip.blank(width, self.visual_style.rich_style)
            strips = strips + [blank] * (height - len(strips))
        show_rendered_lines(self, strips)

    def update(self, content: VisualType = "", *, layout: bool = True,
               exact: bool = False) -> None:
        """Show ``content``; ``exact``: its next layout renders it for its height (it is on
        screen) instead of guessing it."""
        self._version += 1
        self._exact = exact
        self._part_content = content if not isinstance(content, str) else None
        self.waiting = None
        self._strips, self._heights = {}, {}
        self._shown = None
        super().update(content, layout=layout)

    async def update_off_loop(self, content: RenderableType, width: int) -> None:
        """``update(content)``, rendered for ``width`` in a thread first: the event loop stays
        free for keys meanwhile."""
        self._version += 1
        version = self._version
        style = self.visual_style
        [(_, strips)] = await asyncio.to_thread(render_off_loop, self, [lambda: content], width,
                                                style)
        if version == self._version and self.is_attached:  # not updated again, nor gone
            self.show(content, strips, width, style)

    def show(self, content: RenderableType, strips: list[Strip], width: int,
             style: Style) -> None:
        """Show ``content``, already rendered as ``strips`` at ``width`` with ``style``
        (``render_off_loop``), mounted or not yet. Only the lines that changed are painted
        again, and the transcript is laid out again only if the height changed."""
        self._version += 1
        self._part_content = content
        self.waiting = None
        strips = self._fit(strips, width)
        before = self._strips.get(width) if style == self._strips_style else None
        self._shown = visualize(self, content, markup=False)
        self._strips = {width: strips}
        self._heights = {width: len(strips)}
        self._strips_style = style
        if not self.is_attached:
            return  # its first layout measures it with these strips
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

    def maker_for(self, splitter: BlockSplitter, *, continues: bool) -> Maker | None:
        """What makes the content for the splitter's open block, or None if it is shown
        already; ``continues``: parts of the reply are above it. Most flushes add words to the
        last line: the height stays, and only this widget is repainted (``show``)."""
        text = splitter.open_text
        if text == self.source:
            return None
        self.source = text
        segment = splitter.open_segment
        shown = segment.code is not None or text.strip()
        return lambda: Group(*render_segments([segment], continues=continues) if shown else ())
