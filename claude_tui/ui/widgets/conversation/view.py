"""The transcript of one conversation: finished messages, the live reply, notices.

Nothing is mounted until the tab is first shown, and then only the recent part; older
messages come on demand from the "show earlier messages" control at the top.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Button

from claude_tui.conversation import Conversation
from claude_tui.ui.widgets.conversation.message import (
    LiveReply,
    Notice,
    ReplyHeading,
    widgets_for,
)

# How much a tab shows at first, and how much more each "show earlier" adds: at most RECENT
# messages and about RECENT_CHARS characters of text, but always at least MIN_SHOWN messages.
# Size, not count, sets how long the first paint takes: each message is rendered to measure it.
RECENT = 40
RECENT_CHARS = 16_000
MIN_SHOWN = 2


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
        # Widgets added while a turn runs; replaced by the finished render at its end.
        self._turn_widgets: list[Widget] = []
        self._live: LiveReply | None = None

    # loading ---------------------------------------------------------------------------------
    async def load(self) -> None:
        """Mount the recent part of the conversation (once, when the tab is first shown)."""
        if self.loaded:
            return
        self.loaded = True
        total = len(self.conversation.messages)
        self.first_shown = self._start_before(total)
        widgets: list[Widget] = []
        if self.first_shown > 0:
            widgets.append(EarlierButton(self._earlier_label(), id="earlier"))
        for index in range(self.first_shown, total):
            widgets.extend(widgets_for(self.conversation, index))
        self.rendered = total
        if widgets:
            await self.mount_all(widgets)
        self.anchor()  # stays at the bottom as replies grow, until the user scrolls up

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
        if self.first_shown == 0:
            return
        start = self._start_before(self.first_shown)
        widgets: list[Widget] = []
        for index in range(start, self.first_shown):
            widgets.extend(widgets_for(self.conversation, index))
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

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, EarlierButton):
            event.stop()
            await self.action_show_earlier()

    # a running turn --------------------------------------------------------------------------
    async def render_new(self, upto: int | None = None) -> None:
        """Show finished messages saved since the last render (a user's message, a reply).

        ``upto``: render only the messages before this index. Events reach the tab after the
        engine has moved on, so by the time the user's message is shown the reply may already
        be saved too; rendering it then would show it twice (once finished, once streaming).
        """
        if not self.loaded:
            return
        for widget in self._turn_widgets:
            await widget.remove()
        self._turn_widgets.clear()
        if self._live is not None:
            await self._live.finish()
            self._live = None
        total = len(self.conversation.messages)
        end = total if upto is None else min(upto, total)
        widgets: list[Widget] = []
        for index in range(self.rendered, end):
            widgets.extend(widgets_for(self.conversation, index))
        self.rendered = max(self.rendered, end)
        if widgets:
            await self.mount_all(widgets)

    async def write_reply(self, text: str) -> None:
        if not self.loaded:
            return
        if self._live is None:
            # Named like the finished message that replaces it, so nothing jumps at the end.
            await self._add_turn_widget(ReplyHeading(self.conversation.model))
            self._live = LiveReply()
            await self._add_turn_widget(self._live)
        self._live.write(text)

    async def catch_up(self) -> None:
        """The tab is shown again: show what streamed while it was hidden."""
        if self._live is not None:
            await self._live.flush()

    async def add_notice(self, text: str, kind: str = "dim") -> None:
        """A notice inside the running turn: it ends the live text so later text goes below."""
        if not self.loaded:
            return
        if self._live is not None:
            await self._live.finish()
            self._live = None
        await self._add_turn_widget(Notice(text, kind))

    async def _add_turn_widget(self, widget: Widget) -> None:
        self._turn_widgets.append(widget)
        await self.mount(widget)

    @property
    def live_text(self) -> str:
        return self._live.text if self._live is not None else ""
