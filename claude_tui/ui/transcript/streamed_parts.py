"""The parts of a reply being streamed: made from finished blocks, rendered, and placed.

What a flush changes is rendered in one thread call and then shown at once, so the screen is
laid out once per flush. When text comes faster than it can be rendered (a fast connection, a
tab shown again after streaming hidden), only the parts that fill the screen from the bottom
are rendered at once; the ones above them, made larger (fewer widgets for every layout to
walk), wait (``MessagePart.render_later``), holding a guessed height, and are rendered in the
background: the ones scrolled into view first, the others once the reply is complete,
nearest the end first. The last words are on screen without rendering all the text above
them first, and the typing stays quick meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

from textual.widget import AwaitMount, Widget
from textual.widgets import TabPane

from claude_tui.ui.textual_private import layouts_asked, layouts_held
from claude_tui.ui.transcript.blocks import (
    PART_CHARS,
    BlockSplitter,
    Segment,
    guess_lines,
    render_part,
)
from claude_tui.ui.transcript.parts import (
    GROUP_PARTS,
    LiveReply,
    Maker,
    MessagePart,
    PartGroup,
    render_off_loop,
)

log = logging.getLogger(__name__)

# Lines of text under a part, beyond the screen's height, before it may wait to be rendered.
SPARE_LINES = 10
# The size of the parts a flush makes of the text above the screen (a fast reply, a tab shown
# again): they wait to be rendered, and are never rendered again as text comes, so they can be
# larger than the others (``PART_CHARS``, the last part being rendered again with each flush
# until full): fewer widgets, which every layout of the screen walks.
ABOVE_PART_CHARS = 6_000
# How much waiting text one background render takes on (a few tenths of a second's work).
BATCH_CHARS = 8_000
# After a background render the next waits this many times as long as it took: text nobody
# is looking at leaves most of the time to keys (what is scrolled into view does not wait).
BATCH_PAUSE_FACTOR = 2.0


def _above_screen(segments: list[Segment], width: int, room: int) -> int:
    """How many of ``segments`` (the first ones) are above the ``room`` lines that the last
    ones fill at ``width``, going by their guessed heights."""
    lines = 0
    for number in range(len(segments) - 1, -1, -1):
        lines += guess_lines([segments[number]], width)
        if lines > room:
            return number
    return 0


def _maker(segments: list[Segment], continues: bool) -> Maker:
    return lambda: render_part(segments, continues=continues)


class StreamedParts:
    """The parts of ``reply`` (a ``StreamedReply``), rendered like ``template`` (its heading)."""

    def __init__(self, reply: Widget, template: Widget, busy: asyncio.Lock) -> None:
        self._reply = reply
        self._template = template
        self._busy = busy  # held by the reply's flushes too: one render at a time
        self._group: PartGroup | None = None  # where new parts go, until it is full
        self._part: MessagePart | None = None
        self._part_segments: list[Segment] = []
        self._part_size = 0
        self.count = 0
        self._waiting: list[tuple[MessagePart, int]] = []  # in reply order, with their sizes
        self._seen: set[MessagePart] = set()
        self._rendering = False
        self.complete = False  # the reply has ended: every waiting part may be rendered now

    @property
    def waiting(self) -> int:
        """Parts still waiting to be rendered."""
        return len(self._waiting)

    async def show(self, segments: list[Segment], live: LiveReply | None,
                   splitter: BlockSplitter | None) -> None:
        """Put ``segments`` into parts and show them, and ``splitter``'s open block in
        ``live`` (if given); the caller holds the busy lock."""
        changed: list[tuple[MessagePart, Maker, list[Segment]]] = []
        new: list[MessagePart] = []
        width = self._reply.size.width
        # Not laid out yet (a hidden tab): about as wide as the screen, for the guesses.
        guess_width = width or self._reply.app.size.width - 6
        lines = 0 if live is None else live.size.height
        screen = self._reply.app.size.height + SPARE_LINES
        above = _above_screen(segments, guess_width, screen - lines)
        big = False  # the part is one of those above the screen, made larger
        for number, segment in enumerate(segments):
            limit = ABOVE_PART_CHARS if big else PART_CHARS
            if (self._part is None or self._part_size >= limit
                    or (big and number >= above)):
                self._part_segments, self._part_size = [], 0
                self._part = MessagePart(guess=partial(guess_lines, self._part_segments))
                self.count += 1
                new.append(self._part)
                big = number < above
            if not changed or changed[-1][0] is not self._part:
                changed.append((self._part, _maker(self._part_segments, self.count > 1),
                                self._part_segments))
            self._part_segments.append(segment)
            self._part_size += segment.size
        jobs: list[tuple[MessagePart, Maker]] = []
        later: list[tuple[MessagePart, int]] = []
        for part, make, part_segments in reversed(changed):  # from the end up
            guess = guess_lines(part_segments, guess_width)
            if lines > screen and part in new:
                part.render_later(make, guess)
                later.append((part, sum(s.size for s in part_segments)))
            else:
                jobs.append((part, make))
                lines += guess
        self._waiting.extend(reversed(later))
        jobs.reverse()
        if live is not None and splitter is not None:
            live_maker = live.maker_for(splitter, continues=self.count > 0)
            if live_maker is not None:
                jobs.append((live, live_maker))
        rendered = []
        if width and jobs:
            style = self._template.visual_style
            rendered = await asyncio.to_thread(render_off_loop, self._template,
                                               [make for _, make in jobs], width, style)
            if not self._reply.is_attached:
                return  # its tab was closed meanwhile
        # The new parts are mounted hidden, and the screen keeps showing what it showed (and
        # echoing keys) while they mount: mounting takes a few turns of the loop, a tenth of
        # a second or more for many parts on a busy loop, and no repaint may happen inside a
        # batch. Layouts are held meanwhile (a mount asks for one, hidden or not). Then one
        # layout for all of it: the parts shown, the live block updated.
        with layouts_held(self._reply):
            hidden, mounting = self._mount(new, live)
            for waiting in mounting:
                await waiting
            if not self._reply.is_attached:
                return
            with self._reply.app.batch_update():
                if rendered:
                    for (part, _), (content, strips) in zip(jobs, rendered, strict=True):
                        part.show(content, strips, width, style)
                else:
                    for part, make in jobs:  # not laid out yet: rendered when it is (these
                        part.update(make(), exact=True)  # fill the screen: no guesses)
                for widget in hidden:
                    widget.display = True
            # Each widget asks for its layout from its own next idle: those asks come in the
            # hold, and the one layout after it does all.
            await layouts_asked([part for part, _ in jobs] + hidden)
        if self._waiting:
            self.start()

    def _mount(self, parts: list[MessagePart], live: LiveReply | None
               ) -> tuple[list[Widget], list[AwaitMount]]:
        """Start mounting new parts, hidden, under the others, filling the last group first:
        the widgets to show once mounted, and the mounts to await."""
        waits = []
        hidden: list[Widget] = []
        group = self._group
        if group is not None and parts:
            room = max(0, GROUP_PARTS - len(group.children))
            if room:
                hidden.extend(parts[:room])
                for part in parts[:room]:
                    part.display = False
                waits.append(group.mount_all(parts[:room]))
                parts = parts[room:]
        groups = [PartGroup(*parts[i:i + GROUP_PARTS]) for i in range(0, len(parts), GROUP_PARTS)]
        if groups:
            self._group = groups[-1]
            for new_group in groups:
                new_group.display = False
            hidden.extend(groups)
            waits.append(self._reply.mount_all(groups, before=live))
        return hidden, waits

    # rendering what waits ----------------------------------------------------------------------
    def saw(self, part: MessagePart) -> None:
        """``part`` came into view while waiting: it goes first."""
        if any(p is part for p, _ in self._waiting):
            self._seen.add(part)
            self.start()

    def start(self) -> None:
        """Render the waiting parts that may be rendered now, in the background."""
        if self._rendering or not self._waiting or not self._reply.is_attached:
            return
        self._rendering = True
        self._reply.run_worker(self._render_waiting(), group="waiting-parts",
                               exit_on_error=False)

    def _next_batch(self) -> list[MessagePart]:
        seen = [p for p, _ in self._waiting if p in self._seen]
        if seen:
            return seen
        if not self.complete:
            return []  # while it streams, only what is seen: the rest when it is complete
        batch: list[MessagePart] = []
        size = 0
        for part, chars in reversed(self._waiting):  # nearest the end first
            if batch and size + chars > BATCH_CHARS:
                break
            batch.append(part)
            size += chars
        return batch

    def _shown(self) -> bool:
        try:
            return bool(self._reply.query_ancestor(TabPane).display)
        except Exception:
            return True

    async def _render_waiting(self) -> None:
        try:
            while self._waiting and self._reply.is_attached and self._shown():
                batch = self._next_batch()
                if not batch:
                    return
                started = time.perf_counter()
                async with self._busy:
                    if not await self._render(batch):
                        return
                if not self._seen:
                    await asyncio.sleep((time.perf_counter() - started) * BATCH_PAUSE_FACTOR)
        except Exception:
            log.exception("rendering a long reply's parts failed")
        finally:
            self._rendering = False

    async def _render(self, batch: list[MessagePart]) -> bool:
        """Render ``batch`` and show it; False if it cannot be now (not laid out, gone)."""
        width = self._reply.size.width
        if not width:
            return False
        self._drop(batch)
        batch = [part for part in batch if part.waiting is not None]  # not shown meanwhile
        makers = [make for part in batch if (make := part.waiting) is not None]
        style = self._template.visual_style
        rendered = await asyncio.to_thread(render_off_loop, self._template, makers, width, style)
        if not self._reply.is_attached:
            return False
        view = self._reply.parent
        above = 0
        if isinstance(view, Widget) and view.scroll_y < view.max_scroll_y:
            # Not following the end: keep the text in view where it is as parts above it get
            # their real heights.
            top = view.region.y
            for part, (_, strips) in zip(batch, rendered, strict=True):
                if part.region.bottom <= top:
                    above += len(strips) - part.outer_size.height
        for part, (content, strips) in zip(batch, rendered, strict=True):
            if part.waiting is not None:
                part.show(content, strips, width, style)
        if above and isinstance(view, Widget):
            view.call_after_refresh(lambda: view.scroll_to(y=view.scroll_y + above,
                                                            animate=False))
        return True

    def _drop(self, batch: list[MessagePart]) -> None:
        done = set(map(id, batch))
        self._waiting = [(p, n) for p, n in self._waiting if id(p) not in done]
        self._seen.difference_update(batch)
