"""The transcript of one conversation: finished messages, the live reply, notices.

Nothing is mounted until the tab is first shown, and then only the recent part; older
messages come on demand from the "show earlier messages" control at the top.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Button

from claude_tui.conversation import Conversation, Message
from claude_tui.text import inert
from claude_tui.ui.transcript.measuring import Measuring
from claude_tui.ui.transcript.message import (
    MessageBlock,
    Notice,
    StreamedReply,
    message_widgets,
    widgets_for,
)
from claude_tui.ui.transcript.parts import MessagePart
from claude_tui.ui.transcript.remembered import FirstLines
from claude_tui.ui.transcript.thinking import ThinkingBlock
from claude_tui.ui.transcript.versions import as_shown

# How much a tab shows at first, and how much more each "show earlier" adds: at most RECENT
# messages and about RECENT_CHARS characters of text, but always at least MIN_SHOWN messages.
# Size, not count, sets how long the first paint takes: each message is rendered to measure it.
RECENT = 40
RECENT_CHARS = 16_000
MIN_SHOWN = 2
# Lines under the screen's height that the first mount fills, to be safe of the guess.
SCREEN_SPARE_LINES = 10


class EarlierButton(Button):
    DEFAULT_CLASSES = "earlier"


class ConversationView(VerticalScroll):
    """Renders a conversation; the pane feeds it engine events while a turn runs."""

    DEFAULT_CLASSES = "transcript"
    def __init__(self, conversation: Conversation, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation = conversation
        self.loaded = False
        # Messages [first_shown, rendered) are on screen as finished widgets.
        self.first_shown = 0
        self.rendered = 0
        # Widgets added while a turn runs. At its end the streamed replies stay (they become
        # the finished messages) and the rest is replaced by the finished render.
        self._turn_widgets: list[Widget] = []
        self._live: StreamedReply | None = None
        self._thinking: ThinkingBlock | None = None  # the streaming reply's, until its text
        # Saved messages as the engine's events carried them, by index, until rendered.
        self._saved: dict[int, Message] = {}
        self.versions_shown = False  # earlier versions of replies and messages (versions.py)
        self._rest: asyncio.Future[None] | None = None  # the recent part still to be mounted
        self.measuring = Measuring(self)  # parts shown at a guessed height, rendered later
        # The lines shown at the last close, first if given (remembered.py).
        self.first_lines = FirstLines(self, self._mount_recent)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Textual lays the screen out again when a scrolling container's virtual size is set,
        # in case a scrollbar came or went; this one's gutter is kept (scrollbar-gutter:
        # stable), so a reply that grows costs one layout, not two.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def on_resize(self, event: events.Resize) -> None:
        self.measuring.soon()  # a new width, or the first: parts hold guessed heights

    def on_message_part_measured(self, message: MessagePart.Measured) -> None:
        message.stop()
        self.measuring.part_measured(message.part, message.grown)

    # loading ---------------------------------------------------------------------------------
    async def load(self, upto: int | None = None, start: int | None = None) -> None:
        """Mount the recent part of the conversation (once, when the tab is first shown).

        ``upto``, ``start``: the messages to show (a redraw); by default the recent ones."""
        if self.loaded:
            return
        self.loaded = True
        if upto is None and start is None and await self.first_lines.show():
            return
        await self._mount_recent(upto, start)

    async def _mount_recent(self, upto: int | None = None, start: int | None = None) -> None:
        total = len(self.conversation.messages) if upto is None else upto
        self.first_shown = self._start_before(total) if start is None else min(start, total)
        # A tab's first showing mounts what fills the screen first, the rest of the recent
        # part after that is painted: each message is rendered to be measured.
        screen = self._screen_start(total) if upto is None and start is None else 0
        screen = max(screen, self.first_shown)
        widgets: list[Widget] = []
        if self.first_shown > 0:
            widgets.append(EarlierButton(self._earlier_label(), id="earlier"))
        shown: list[Widget] = []
        for index in range(screen, total):
            shown.extend(self._widgets_for(index))
        self.rendered = total
        if widgets or shown:
            await self.mount_all(widgets + shown)
        self.anchor()  # stays at the bottom as replies grow, until the user scrolls up
        if screen > self.first_shown and shown:
            rest: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._rest = rest
            self.call_after_refresh(self._mount_rest, self.first_shown, screen, shown[0], rest)

    def _screen_start(self, end: int) -> int:
        """Where the messages that fill the screen (and a little more) start, from ``end``."""
        messages = self.conversation.messages
        room = max(10, self.app.size.width - 6)
        wanted = self.app.size.height + SCREEN_SPARE_LINES
        start, lines = end, 0
        while start > 0 and (lines < wanted or end - start < MIN_SHOWN):
            text = messages[start - 1].text
            lines += 2 + sum(max(1, -(-len(line) // room)) for line in text.split("\n"))
            start -= 1
        while start > 0 and not self._starts_turn(start):
            start -= 1
        return start

    async def _mount_rest(self, start: int, end: int, before: Widget,
                          rest: asyncio.Future[None]) -> None:
        """Mount messages [start, end) above ``before``: the recent part not on screen."""
        try:
            if rest is self._rest and before.parent is self:
                widgets: list[Widget] = []
                for index in range(start, end):
                    widgets.extend(self._widgets_for(index))
                if widgets:
                    await self.mount_all(widgets, before=before)
                    # Their heights are guessed too: measured in the background once laid
                    # out, as the screen's were, so that the scrollbar settles.
                    self.measuring.soon()
        finally:
            if not rest.done():
                rest.set_result(None)
            if self._rest is rest:
                self._rest = None

    @property
    def all_mounted(self) -> bool:
        """Whether the recent part is all mounted (``all_loaded`` waits for it)."""
        return self._rest is None and not self.first_lines.showing

    async def all_loaded(self) -> None:
        """Wait until the recent part is all mounted (``load`` leaves some for after the
        first paint)."""
        await self.first_lines.replaced()
        if self._rest is not None:
            await asyncio.shield(self._rest)

    def _starts_turn(self, index: int) -> bool:
        message = self.conversation.messages[index]
        return message.role == "assistant" or message.is_user_text

    def _start_before(self, end: int) -> int:
        """Where the part of the conversation shown next, ending before ``end``, starts."""
        messages = self.conversation.messages
        start, size = end, 0
        while start > 0 and end - start < RECENT:
            grown = size + len(messages[start - 1].text)
            if end - start >= MIN_SHOWN and grown > RECENT_CHARS:
                break
            start, size = start - 1, grown
        # Never start on a tool-result turn: it belongs with the reply before it.
        while start > 0 and not self._starts_turn(start):
            start -= 1
        return start

    def _earlier_label(self) -> str:
        count = self.first_shown - self._start_before(self.first_shown)
        return f"Show {count} earlier messages (ctrl+up)"

    async def action_show_earlier(self) -> None:
        await self.all_loaded()
        if self.first_shown == 0:
            return
        start = self._start_before(self.first_shown)
        widgets: list[Widget] = []
        for index in range(start, self.first_shown):
            widgets.extend(self._widgets_for(index))
        self.first_shown = start
        button = self.query_one("#earlier", EarlierButton)
        if widgets:
            await self.mount_all(widgets, after=button)
        if start == 0:
            await button.remove()
        else:
            button.label = self._earlier_label()
        # Show where the newly shown part starts, not the bottom.
        self.release_anchor()
        self.call_after_refresh(self.scroll_home, animate=False)

    def scroll_by_key(self, where: str) -> None:
        """``page_up``, ``page_down``, ``top`` or ``bottom``, from anywhere in the tab. Up lets
        go of the bottom, as the mouse wheel does: a growing reply no longer pulls the view
        down. Reaching the bottom follows the reply again."""
        last_page = self.scroll_y + self.scrollable_content_region.height >= self.max_scroll_y
        if where == "bottom" or (where == "page_down" and last_page):
            self.anchor()  # also when already there: the anchor let go is taken up again
        elif where == "page_down":
            self.scroll_page_down(animate=False)
        elif where == "page_up":
            self.scroll_page_up(animate=False)
        elif where == "top":
            self.scroll_home(animate=False)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, EarlierButton):
            event.stop()
            await self.action_show_earlier()

    def _widgets_for(self, index: int) -> list[Widget]:
        return as_shown(self.conversation.messages[index],
                        widgets_for(self.conversation, index), self.versions_shown)

    async def show_versions(self, shown: bool) -> None:
        """Show or hide the earlier versions (between turns)."""
        self.versions_shown = shown
        await self.redraw(self.rendered)

    async def redraw(self, upto: int) -> None:
        """Show the messages before ``upto`` afresh: some became earlier versions, or their
        display was toggled. What the running turn adds after them comes as usual."""
        if not self.loaded:
            return
        await self.first_lines.replaced()
        start = self.first_shown
        self._rest = None  # what was still to be mounted is mounted afresh below
        await self.remove_children()
        self._turn_widgets.clear()
        self._live = None
        self._thinking = None
        self.loaded = False
        await self.load(upto, start)
        self._forget(upto)

    # a running turn --------------------------------------------------------------------------
    def saved(self, index: int, message: Message) -> None:
        """The engine saved ``message`` at ``index`` (a copy, from its event)."""
        self._saved[index] = message

    def _message(self, index: int) -> Message | None:
        message = self._saved.get(index)
        if message is None and index < len(self.conversation.messages):
            message = self.conversation.messages[index]  # saved before an event could say so
        return message

    async def render_new(self, upto: int | None = None) -> None:
        """Show finished messages saved since the last render (a user's message, a reply).

        ``upto``: render only the messages before this index. Events reach the tab after the
        engine has moved on, so by the time the user's message is shown the reply may already
        be saved too; rendering it then would show it twice (once finished, once streaming).
        A reply streamed in this turn is not rendered again: its widget becomes the message.
        """
        await self.first_lines.replaced()
        if not self.loaded:
            self._saved.clear()
            return
        end = max(self._saved, default=self.rendered - 1) + 1
        if upto is not None:
            # The user's message, above whatever the turn already shows.
            end = min(upto, end)
            widgets: list[Widget] = []
            for index in range(self.rendered, end):
                message = self._message(index)
                if message is not None:
                    widgets.extend(as_shown(message, message_widgets(
                        message, index, self._message(index + 1), self.conversation.model),
                        self.versions_shown))
            self._forget(end)
            if widgets:
                before = self._turn_widgets[0] if self._turn_widgets else None
                await self.mount_all(widgets, before=before)
            return
        await self._end_thinking()
        if self._live is not None:
            await self._live.end()
            self._live = None
        streamed = [w for w in self._turn_widgets if isinstance(w, StreamedReply)]
        final: list[Widget] = []
        for index in range(self.rendered, end):
            message = self._message(index)
            if message is None:
                continue
            reply = None
            # The streamed widget shows exactly this text if it got all of it.
            if (message.role == "assistant" and streamed and message.text.strip()
                    and streamed[0].length == len(inert(message.text))):
                reply = streamed.pop(0)
                reply.message, reply.index = message, index
            final.extend(as_shown(message, message_widgets(
                message, index, self._message(index + 1), self.conversation.model, reply),
                self.versions_shown))
        self._forget(end)
        await self._place(final)

    def _forget(self, end: int) -> None:
        self.rendered = max(self.rendered, end)
        for index in [i for i in self._saved if i < self.rendered]:
            del self._saved[index]

    async def _place(self, final: list[Widget]) -> None:
        """Mount ``final`` in order around the turn's streamed replies kept in it; remove the
        turn's other widgets."""
        kept = {id(w) for w in final}
        for widget in self._turn_widgets:
            if id(widget) not in kept:
                await widget.remove()
        self._turn_widgets.clear()
        reused = [w for w in final if w.is_mounted]
        previous: Widget | None = None
        batch: list[Widget] = []

        async def mount_batch() -> None:
            if not batch:
                return
            if previous is not None:
                await self.mount_all(batch, after=previous)
            elif reused:
                await self.mount_all(batch, before=reused[0])
            else:
                await self.mount_all(batch)
            batch.clear()

        for widget in final:
            if widget.is_mounted:
                await mount_batch()
                previous = widget
            else:
                batch.append(widget)
        if batch:
            last = batch[-1]
            await mount_batch()
            previous = last

    async def write_thinking(self, text: str) -> None:
        """A piece of the streaming reply's thinking, in a block above where its text goes."""
        if not self.loaded:
            return
        await self.first_lines.replaced()
        if self._thinking is None:
            if self._live is not None:  # thinking after text (between tool calls): below it
                await self._live.end()
                self._live = None
            self._thinking = ThinkingBlock(streaming=True)
            await self._add_turn_widget(self._thinking)
        self._thinking.write(text)

    async def _end_thinking(self) -> None:
        if self._thinking is not None:
            thinking, self._thinking = self._thinking, None
            await thinking.finish()

    def toggle_thinking(self) -> bool:
        """Expand or collapse the thinking of the last reply that has some; False: none."""
        blocks = list(self.query(ThinkingBlock))
        if not blocks:
            return False
        blocks[-1].toggle()
        if blocks[-1].expanded:
            self.release_anchor()
            self.call_after_refresh(self.scroll_to_widget, blocks[-1], animate=False, top=True)
        return True

    async def write_reply(self, text: str) -> None:
        if not self.loaded:
            return
        await self.first_lines.replaced()
        await self._end_thinking()
        if self._live is None:
            self._live = StreamedReply(self.conversation.model)
            await self._add_turn_widget(self._live)
        self._live.write(text)

    async def catch_up(self) -> None:
        """The tab is shown again: show what streamed while it was hidden."""
        if self._live is not None:
            await self._live.flush()
        for widget in self.children:
            if isinstance(widget, StreamedReply):
                widget.resume()  # long replies' parts still to be rendered

    async def add_notice(self, text: str, kind: str = "dim") -> None:
        """A notice inside the running turn: it ends the live text so later text goes below."""
        if not self.loaded:
            return
        await self.first_lines.replaced()
        await self._end_thinking()
        if self._live is not None:
            await self._live.end()
            self._live = None
        await self._add_turn_widget(Notice(text, kind))

    async def _add_turn_widget(self, widget: Widget) -> None:
        self._turn_widgets.append(widget)
        await self.mount(widget)

    @property
    def live_text(self) -> str:
        return "".join(self._live.fragments) if self._live is not None else ""

    @property
    def message_blocks(self) -> list[MessageBlock]:
        return list(self.query(MessageBlock))
