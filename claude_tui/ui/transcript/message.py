"""The widgets of a transcript: messages, the reply being streamed, small notices.

Finished and loaded messages are a few ``Static``s each holding a Rich renderable (a Markdown
widget per message builds a widget per block and is far too slow for a long history). Every
piece of model or user text goes through ``inert()`` first, and never through console markup.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from rich.console import Group
from rich.text import Text
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, TabPane

from claude_tui.attachments import shown_attachments
from claude_tui.conversation import Conversation, Message
from claude_tui.providers.choice import assistant_name, provider_info
from claude_tui.text import inert, one_line
from claude_tui.thinking import thinking_text
from claude_tui.turn_output import no_reply_reason
from claude_tui.ui.key_words import in_your_keys
from claude_tui.ui.transcript.blocks import (
    BlockSplitter,
    Segment,
    group_parts,
    guess_lines,
    render_part,
    split_text,
)
from claude_tui.ui.transcript.parts import LiveReply, MessagePart, grouped, stacked_height
from claude_tui.ui.transcript.streamed_parts import StreamedParts
from claude_tui.ui.transcript.thinking import ThinkingBlock


class MessageBlock(Vertical):
    """A finished user or assistant message: its text in a few ``MessagePart``s.

    A long reply is cut into parts of about ``blocks.PART_CHARS`` characters of whole Markdown
    blocks, so that showing it, or a width change, renders a few KB at a time rather than one
    document of hundreds of KB.
    """

    DEFAULT_CLASSES = "message"

    def __init__(self, message: Message | None, index: int | None,
                 *children: Widget) -> None:
        self.message = message
        self.index = index
        if message is not None and not children:
            children = tuple(_parts_of(message))
        super().__init__(*children)
        self.add_class(f"-{message.role if message is not None else 'assistant'}")

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # As MessagePart's: its parts were arranged for this size by the layout that sets it.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return stacked_height(self, width)  # its parts and groups: see stacked_height


def _parts_of(message: Message) -> list[Widget]:
    if message.role == "user":
        lines = [Text("You", style="bold")]
        # One line per file attached (name, type, size): never the file's bytes.
        lines += [Text(a.line, style="dim") for a in shown_attachments(message)]
        if message.text.strip() or len(lines) == 1:
            lines.append(Text(inert(message.text)))
        return [MessagePart(Group(*lines))]
    heading = Text(reply_heading(message.model), style="bold")
    text = message.text
    parts = group_parts(split_text(inert(text))) if text.strip() else []
    if not parts:
        return [MessagePart(Group(heading))]
    widgets: list[Widget] = [MessagePart(render_part(parts[0].segments, continues=False,
                                                     heading=heading),
                                         guess=partial(_guess, parts[0].segments, 1))]
    widgets.extend(MessagePart(render_part(p.segments, continues=True),
                               guess=partial(_guess, p.segments, 0)) for p in parts[1:])
    return grouped(widgets)


def _guess(segments: list[Segment], heading: int, width: int) -> int:
    return heading + guess_lines(segments, width)


def reply_heading(model: str | None) -> str:
    """The name over a reply: it says which model wrote it, and never calls the demo Claude."""
    return provider_info(model).heading


def sentence_start(name: str) -> str:
    """``assistant_name()`` at the start of a sentence: "the demo model" -> "The demo model"."""
    return name[:1].upper() + name[1:]


class Notice(Static):
    """A short line in the transcript: a warning marker, a refused end, a stopped reply."""

    DEFAULT_CLASSES = "notice"

    def __init__(self, text: str, kind: str = "dim") -> None:
        super().__init__(Text(in_your_keys(self, inert(text))), markup=False)
        self.add_class(f"-{kind}")


class ReplyHeading(Static):
    """The name over the reply being streamed, as a finished message has it."""

    def __init__(self, model: str | None) -> None:
        super().__init__(Text(reply_heading(model), style="bold"), markup=False)


class StreamedReply(MessageBlock):
    """The reply being streamed; once saved it is the finished message, rendered no more.

    Each piece of text is cut into Markdown blocks as it comes (``BlockSplitter``); finished
    blocks are rendered once into ``MessagePart``s (in ``PartGroup``s) and only the open block
    stays live, in a small ``LiveReply``. The screen is updated at most every ``FLUSH_EVERY``
    seconds, and not at all while its tab is hidden (several tabs streaming at once would
    otherwise keep the app too busy to answer keys); it catches up when shown. What a flush
    changes is rendered in one thread call and then shown at once: one layout per flush
    (``StreamedParts``).
    """

    FLUSH_EVERY = 0.1
    # Each flush waits at least this many times as long as the last one took until the screen
    # was updated (a long live block, a slow machine): most of the loop's time stays free for
    # keys.
    FLUSH_COST_FACTOR = 5.0
    FLUSH_AT_MOST_EVERY = 0.5
    # While keys wait to be handled, a flush steps aside this long, up to this many times.
    KEY_WAIT = 0.015
    KEY_WAITS = 8

    def __init__(self, model: str | None) -> None:
        self._heading = ReplyHeading(model)
        super().__init__(None, None, self._heading)
        self.add_class("-streamed")
        self.fragments: list[str] = []
        self._splitter = BlockSplitter()
        self._live: LiveReply | None = None
        self._timer: Timer | None = None
        self._ended = False
        self._delay = self.FLUSH_EVERY
        self._waited = 0
        self._busy = asyncio.Lock()  # one flush (or the end) at a time: they await threads
        self._parts = StreamedParts(self, self._heading, self._busy)

    @property
    def length(self) -> int:
        """Characters received (after ``inert``)."""
        return self._splitter.length

    @property
    def pending(self) -> bool:
        """Some of the text received is not on screen yet."""
        if self._ended:
            return False
        live = self._live.source if self._live is not None else ""
        return self._splitter.has_finished or live != self._splitter.open_text

    def write(self, fragment: str) -> None:
        fragment = inert(fragment)
        self.fragments.append(fragment)
        self._splitter.feed(fragment)
        if self._timer is None and not self._ended:
            self._timer = self.set_timer(self._delay, self.flush)

    def _tab_shown(self) -> bool:
        try:
            return bool(self.query_ancestor(TabPane).display)
        except NoMatches:
            return True

    async def flush(self) -> None:
        """Show the text that came since the last flush (called again when the tab shows)."""
        self._timer = None
        if self._ended:
            self._parts.start()  # parts still waiting to be rendered, if any
            return
        if not self._tab_shown():
            return
        if self._waited < self.KEY_WAITS and (self._keys_waiting() or not self.size.width):
            # A key typed now is what the user feels: it goes first, the text a moment later.
            # (Or the tab was just shown and is not laid out yet: the text fits it then.)
            self._waited += 1
            self._timer = self.set_timer(self.KEY_WAIT, self.flush)
            return
        self._waited = 0
        async with self._busy:
            if self._ended:
                return
            started = time.perf_counter()
            if self._live is None:
                self._live = LiveReply()
                await self.mount(self._live)
            await self._parts.show(self._splitter.take(), self._live, self._splitter)
        # What a flush costs includes the layout and repaint it causes, after it.
        self.call_after_refresh(self._refreshed, started)

    def _refreshed(self, started: float) -> None:
        cost = time.perf_counter() - started
        self._delay = min(self.FLUSH_AT_MOST_EVERY,
                          max(self.FLUSH_EVERY, cost * self.FLUSH_COST_FACTOR))

    def _keys_waiting(self) -> bool:
        app = self.app
        focused = app.focused
        return bool(app.message_queue_size or app.screen.message_queue_size
                    or (focused is not None and focused.message_queue_size))

    async def end(self) -> None:
        """No more text: everything goes into parts and the live Markdown leaves."""
        if self._ended:
            return
        self._ended = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        async with self._busy:
            self._parts.complete = True
            await self._parts.show(self._splitter.finish(), self._live, None)
            if self._live is not None:
                self._live.display = False  # gone in the same frame as its text shows above
                await self._live.remove()
                self._live = None
        self._parts.start()

    def on_message_part_seen(self, message: MessagePart.Seen) -> None:
        message.stop()
        self._parts.saw(message.part)

    @property
    def waiting(self) -> int:
        """Parts still to be rendered (above the screen when the text came)."""
        return self._parts.waiting

    def resume(self) -> None:
        """Its tab is shown again: go on rendering the parts that wait."""
        self._parts.start()


def _tool_results(message: Message | None) -> dict[str, dict[str, Any]]:
    if message is None or message.role != "user":
        return {}
    return {b.get("tool_use_id", ""): b for b in message.content if b.get("type") == "tool_result"}


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""


def widgets_for(conversation: Conversation, index: int) -> list[Widget]:
    """The widgets showing ``conversation.messages[index]`` (none for tool-result turns)."""
    messages = conversation.messages
    following = messages[index + 1] if index + 1 < len(messages) else None
    return message_widgets(messages[index], index, following, conversation.model)


def message_widgets(message: Message, index: int, following: Message | None,
                    model: str | None, reply: MessageBlock | None = None) -> list[Widget]:
    """The widgets showing ``message``; ``following`` holds the results of its tool calls.

    ``reply``: the widget that already shows the message's text (streamed), used as is.
    """
    assistant = assistant_name(model)
    if message.role == "user":
        return [MessageBlock(message, index)] if message.is_user_text else []
    widgets: list[Widget] = []
    thought = thinking_text(message)
    if thought:
        widgets.append(ThinkingBlock(thought))  # collapsed: a finished reply's thinking
    if message.text.strip() or not any(b.get("type") == "tool_use" for b in message.content):
        widgets.append(reply if reply is not None else MessageBlock(message, index))
    results = _tool_results(following)
    for block in message.content:
        if block.get("type") != "tool_use":
            continue
        widgets.extend(_tool_notices(block, results.get(block.get("id", "")), assistant))
    if message.interrupted:
        notice = INTERRUPTION_NOTICES.get(message.extra.get("interruption"),
                                          "⏹ stopped: this reply was interrupted")
        if message.excluded:  # retried already: the hint is spent
            notice = notice.removesuffix("; ctrl+r retries")
        widgets.append(Notice(notice, "dim"))
    if message.stop_reason == "max_tokens":
        widgets.append(Notice(CUT_SHORT_NOTICE, "dim"))
    if message.stop_reason == "model_context_window_exceeded":
        widgets.append(Notice(FULL_NOTICE, "warning"))
    if message.stop_reason == "refusal":
        widgets.append(Notice(refusal_text(_explanation(message)), "dim"))
    return widgets


UNANSWERED_NOTICE = "⚠ Your last message got no reply. Press ctrl+r to send it again."


def unanswered_notice(message: Message) -> str:
    """The notice over a conversation whose last turn got no reply: why, when the file kept
    the error the tab showed then."""
    reason = no_reply_reason(message)
    if not reason:
        return UNANSWERED_NOTICE
    hint = "" if "ctrl+r" in reason else " Press ctrl+r to send it again."
    return f"⚠ Your last message got no reply: {one_line(reason, 300)}{hint}"


CUT_SHORT_NOTICE = "✂ cut short: the reply reached the token limit"
FULL_NOTICE = ("⛔ conversation full: it has reached the model's context window, so nothing "
               "more fits. f8 branches from an earlier message into a new conversation; "
               "ctrl+n starts a new one.")
# How a partial reply ended (``extra["interruption"]``, set by the engine); older files have
# no such key and keep the general words.
INTERRUPTION_NOTICES = {
    "stopped": "⏹ stopped: this reply was interrupted by you",
    "broke_off": "⚡ broke off: the connection ended before the reply was complete; "
                 "ctrl+r retries",
    "app_closed": "⏹ stopped: the app was closed before the reply was complete; "
                  "ctrl+r retries",
    # Saved while it streamed, and never completed: the app stopped (a crash, a kill).
    "unfinished": "⏹ unfinished: the app stopped before the reply was complete; "
                  "ctrl+r retries",
}


def _explanation(message: Message) -> str:
    details = message.extra.get("stop_details")
    if isinstance(details, dict):
        return str(details.get("explanation") or "")
    return ""


def refusal_text(explanation: str) -> str:
    text = "The API declined to continue this reply (refusal); it is left out of later requests."
    return f"{text} {one_line(explanation, 200)}" if explanation else text


def declined_text(assistant: str = "Claude") -> str:
    """``assistant``: ``choice.assistant_name()`` of the conversation's model."""
    who = sentence_start(assistant)
    return f"{who} offered to end the conversation; you chose to keep it open."


def warning_text(behavior: str, assistant: str = "Claude") -> str:
    return f"⚠ {sentence_start(assistant)} gave a warning about: {one_line(behavior, 300)}"


def refused_end_text(reason: str, why: str) -> str:
    return f"An attempt to end the conversation ({one_line(reason, 40)}) was refused: " + one_line(
        why, 200
    )


def _tool_notices(block: dict[str, Any], result: dict[str, Any] | None,
                  assistant: str) -> list[Widget]:
    name = block.get("name")
    data = block.get("input") if isinstance(block.get("input"), dict) else {}
    if name == "issue_warning":
        behavior = data.get("behavior")
        if isinstance(behavior, str) and result is not None and not result.get("is_error"):
            return [Notice(warning_text(behavior, assistant), "warning")]
        return []
    if name == "end_conversation":
        reason = str(data.get("reason", ""))
        if result is None:
            return []  # the end itself: the locked notice says it
        if result.get("is_error"):
            return [Notice(refused_end_text(reason, _result_text(result)), "dim")]
        return [Notice(declined_text(assistant), "dim")]  # the user was asked and kept it open
    return []

