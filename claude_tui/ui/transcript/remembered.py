"""The transcript's remembered lines (``storage/remembered.py``): taken at close, shown first.

At close (``ctrl+q``, or the terminal closed) the lines the shown transcript shows are kept if
they are what the next start would show: the transcript at its bottom and settled (every part
measured, so the scrollbar is where it stays), no reply streaming, no earlier versions shown,
nothing over it or marking it (the focus, a notice, a selection, the mouse). At the next
start, if the conversation's file, the screen's size, the theme and the versions are the same,
its first screen shows those lines in one cheap widget; the messages are mounted once that is
painted and take its place in one frame.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

import claude_tui
from claude_tui.storage.reading import FileSignature
from claude_tui.storage.remembered import Line, RememberedView
from claude_tui.ui.textual_private import screen_lines

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI
    from claude_tui.ui.transcript.view import ConversationView

log = logging.getLogger(__name__)


def keep_shown_lines(app: ClaudeTUI) -> None:
    """At close: keep the lines the shown tab's transcript shows, if a start would show them.
    Derived data: nothing here stands in the way of closing."""
    try:
        pane = app.active_pane
        if pane is None or pane.streaming or not app.screen_stack:
            return
        lines = shown_lines(pane.view)
        if lines is not None:
            app.store.remember_view_soon(pane.conversation.id, lines)
    except Exception:  # a Textual that renders otherwise, a store closing: a slower start
        log.exception("the transcript's lines were not kept")


def looks(view: ConversationView, size: Size) -> str:
    """What the transcript's lines depend on besides its messages: the screen's ``size``, the
    theme and the code that renders them (an upgrade changes the files' times)."""
    app = view.app
    installed = [claude_tui.__version__]
    for name in ("textual", "rich"):
        module = sys.modules.get(name)
        try:
            installed.append(str(os.stat(module.__file__ or "").st_mtime_ns) if module else "")
        except OSError:
            installed.append("")
    # Not the transcript's style, which follows from these (and from the file: an ended
    # conversation's has its own): at start-up the theme's styles are applied after this.
    return "|".join([*installed, app.theme, f"{size.width}x{size.height}"])


def as_at_start(view: ConversationView) -> bool:
    """Whether the transcript shows what a start would show (see the module's docstring)."""
    app = view.app
    if not (view.loaded and view.all_mounted and not view.versions_shown
            and view.is_attached and view.display and app.screen is view.screen):
        return False
    if view.scroll_y < view.max_scroll_y or view.has_focus_within or not view.measuring.done:
        return False
    over = app.mouse_over
    if over is not None and (over is view or view in over.ancestors):
        return False
    screen = view.screen
    return not screen.selections and not screen.query("Toast")


def shown_lines(view: ConversationView) -> Callable[[FileSignature], RememberedView] | None:
    """The lines the transcript shows now, to keep for a file signature; None if they are not
    what a start would show."""
    if not as_at_start(view):
        return None
    strips = screen_lines(view.screen)
    region = view.region
    if strips is None or not region or region.bottom > len(strips):
        return None
    styles: dict[str, int] = {}
    lines: list[Line] = []
    for y in range(region.y, region.bottom):
        line: Line = []
        for segment in strips[y].crop(region.x, region.right):
            if segment.control:
                return None
            style = str(segment.style) if segment.style else ""
            line.append((segment.text, styles.setdefault(style, len(styles))))
        lines.append(line)
    # The size the lines were laid out at: once the terminal has gone (SIGHUP) the app's and
    # the screen's own say 80x24 before anything is laid out again.
    size = Size(strips[0].cell_length if strips else 0, len(strips))
    conversation_id, seen = view.conversation.id, looks(view, size)
    where = (region.x, region.y, region.width, region.height)
    return lambda signature: RememberedView(conversation_id, signature, seen, where,
                                            list(styles), lines)


class RememberedLines(Widget):
    """The transcript's lines as they were shown at the last close, until its messages come.

    It paints them only where they were shown (the layout gives it the same region): anywhere
    else it paints nothing, and the messages come at once."""

    DEFAULT_CSS = """
    RememberedLines {
        height: auto;
    }
    """

    def __init__(self, strips: list[Strip], where: Region, shown: Callable[[], None]) -> None:
        super().__init__()
        self._strips = strips
        self._where = where
        self._shown = shown  # called once it is painted (or cannot be)
        self._told = False

    @classmethod
    def of(cls, remembered: RememberedView, view: ConversationView,
           shown: Callable[[], None]) -> RememberedLines | None:
        """The widget for ``remembered`` in ``view``; None unless it looks as it did."""
        if remembered.looks != looks(view, view.screen.size):
            return None
        try:
            styles = [Style.parse(definition) for definition in remembered.styles]
        except StyleSyntaxError:
            return None
        x, y, width, height = remembered.where
        strips = [Strip([Segment(text, styles[style]) for text, style in line])
                  for line in remembered.lines]
        if len(strips) != height or any(strip.cell_length != width for strip in strips):
            return None
        return cls(strips, Region(x, y, width, height), shown)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._strips)

    def render_line(self, y: int) -> Strip:
        if not self._told:
            self._told = True
            self.call_after_refresh(self._shown)
        if self.region != self._where or y >= len(self._strips):
            return Strip.blank(self.size.width)
        return self._strips[y]


class FirstLines:
    """A transcript's remembered lines while they are shown, and the messages that replace
    them: mounted once the lines are painted, or at once when something needs them."""

    def __init__(self, view: ConversationView, mount: Callable[[], Awaitable[None]]) -> None:
        self._view = view
        self._mount = mount  # mounts the recent messages, as a first load does
        # Given before the first load: shown then if they still look as they did.
        self.remembered: RememberedView | None = None
        self._lines: RememberedLines | None = None
        self._replacing: asyncio.Future[None] | None = None

    @property
    def showing(self) -> bool:
        return self._lines is not None

    async def show(self) -> bool:
        """Show the remembered lines in the transcript; False if there are none, or they do
        not look as they did (only once: a later load mounts the messages)."""
        remembered, self.remembered = self.remembered, None
        if remembered is None:
            return False
        lines = RememberedLines.of(remembered, self._view, self._replace)
        if lines is None:
            return False
        self._lines = lines
        self._view.add_class("-remembered")
        await self._view.mount(lines)
        return True

    async def replaced(self) -> None:
        """Wait until the messages, not remembered lines, are what the transcript holds."""
        if self._lines is not None:
            self._replace()  # now, if not painted yet: something needs the messages
        if self._replacing is not None:
            await asyncio.shield(self._replacing)

    def _replace(self) -> None:
        if self._replacing is None and self._lines is not None:
            self._replacing = asyncio.ensure_future(self._mount_instead(self._lines))

    async def _mount_instead(self, lines: RememberedLines) -> None:
        view = self._view
        try:
            if not view.is_attached:  # replaced meanwhile (its file changed on disk)
                return
            with view.app.batch_update():  # one frame: the lines go, the messages come
                await lines.remove()
                view.remove_class("-remembered")
                await self._mount()
            view.measuring.soon()
        finally:
            self._lines = None
