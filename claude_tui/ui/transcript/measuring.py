"""Finished parts rendered at a new width in the background, nearest the end first.

A finished part that was not rendered at the transcript's width (the tab was just opened, the
terminal was resized) holds a guessed height, and is rendered when it is painted: a long
reply costs what is on screen, not the whole reply at once on the event loop (a 400 KB reply
held the app four seconds on each width change). The rest are rendered here, a few at a time
in a thread, so that the scrollbar and the text above settle soon without the keys waiting.
"""

from __future__ import annotations

import asyncio
import time

from rich.console import RenderableType
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from textual.worker import Worker

from claude_tui.ui.transcript.parts import Maker, MessagePart, render_off_loop

# Parts one thread call renders (a few KB each).
BATCH_PARTS = 8
# After each batch the next waits this many times as long as it took: the loop stays free.
PAUSE_FACTOR = 2.0

# A part, what it shows, its style and the width it is rendered at (its own).
Job = tuple[MessagePart, Maker, Style, int]


def _render(jobs: list[Job]) -> list[tuple[RenderableType, list[Strip]]]:
    return [render_off_loop(part, [make], width, style)[0]
            for part, make, style, width in jobs]


class Measuring:
    """Renders ``view``'s parts that hold a guessed height at its width."""

    def __init__(self, view: Widget) -> None:
        self._view = view
        self._worker: Worker[None] | None = None

    def soon(self) -> None:
        """Render the parts not measured at their width (after a resize or a load), once the
        layout under way has given them their widths."""
        self._view.call_after_refresh(self._start)

    def _start(self) -> None:
        view = self._view
        # A pass under way takes what is unmeasured now at its next batch (each batch looks
        # again, at the widths parts have then): it goes on rather than start over.
        if self._worker is not None and not self._worker.is_finished:
            return
        if view.is_attached and self._unmeasured():
            self._worker = view.run_worker(self._run(), group="measuring", exit_on_error=False)

    @property
    def done(self) -> bool:
        """Every part shown holds the height it keeps: the scrollbar is where it stays."""
        return not self._unmeasured()

    def _unmeasured(self) -> list[MessagePart]:
        parts = [part for part in self._view.query(MessagePart)
                 if part.waiting is None and part.size.width
                 and not part.measured(part.size.width)]
        parts.reverse()  # nearest the end first: what the user reads is there, usually
        return parts

    async def _run(self) -> None:
        view = self._view
        while view.is_attached and view.display:
            jobs: list[Job] = []
            for part in self._unmeasured()[:BATCH_PARTS]:
                make = part.content_maker()
                if make is not None:
                    jobs.append((part, make, part.visual_style, part.size.width))
            if not jobs:
                return
            started = time.perf_counter()
            rendered = await asyncio.to_thread(_render, jobs)
            self._show(jobs, rendered)
            await asyncio.sleep((time.perf_counter() - started) * PAUSE_FACTOR)

    def _show(self, jobs: list[Job], rendered: list[tuple[RenderableType, list[Strip]]]) -> None:
        view = self._view
        following = view.scroll_y >= view.max_scroll_y
        top = view.region.y
        above = 0
        for (part, _, style, width), (content, strips) in zip(jobs, rendered, strict=True):
            # Not resized, painted nor changed meanwhile.
            if (part.is_attached and part.waiting is None and part.size.width == width
                    and not part.measured(width)):
                if not following and part.region.bottom <= top:
                    above += len(strips) - part.outer_size.height
                part.show(content, strips, width, style)
        if above:
            # The text in view stays where it is as the parts above it get their heights.
            view.call_after_refresh(
                lambda: view.scroll_to(y=view.scroll_y + above, animate=False))

    def measure_above(self, widget: Widget) -> None:
        """Render now the parts above ``widget`` that hold a guessed height: it is about to
        be scrolled to, and must stay where the scroll puts it."""
        for part in self._view.query(MessagePart):
            if part is widget or widget in part.ancestors:
                return
            width = part.size.width
            if width and part.waiting is None and not part.measured(width):
                part.render_strips(width)
                part.refresh(layout=True)

    def part_measured(self, part: MessagePart, grown: int) -> None:
        """``part``, painted at a guessed height, took ``grown`` lines more: if it starts
        above the view's top, the text under it stays where it is."""
        view = self._view
        if grown and view.scroll_y < view.max_scroll_y and part.region.y < view.region.y:
            view.call_after_refresh(
                lambda: view.scroll_to(y=view.scroll_y + grown, animate=False))
