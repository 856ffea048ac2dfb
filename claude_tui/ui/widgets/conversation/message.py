"""One widget per finished message, and the small notices of a transcript.

Finished and loaded messages are a single ``Static`` each holding a Rich renderable (a Markdown
widget per message builds a widget per block and is far too slow for a long history). Every
piece of model or user text goes through ``inert()`` first, and never through console markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.timer import Timer
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Markdown, Static, TabPane
from textual.widgets.markdown import MarkdownStream

from claude_tui.config import DEMO_MODEL, assistant_name
from claude_tui.conversation import Conversation, Message
from claude_tui.text import inert, one_line


class MessageBlock(Static):
    """A finished user or assistant message."""

    DEFAULT_CLASSES = "message"

    def __init__(self, message: Message, index: int) -> None:
        self.message = message
        self.index = index
        # Height by width. Textual forgets a widget's measured height whenever its size is set,
        # and measuring renders the whole Markdown again: the slow part of showing a history.
        self._heights: dict[int, int] = {}
        super().__init__(self._renderable(message), markup=False)
        self.add_class(f"-{message.role}")

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = super().get_content_height(container, viewport, width)
            self._heights[width] = height
        return height

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._heights = {}
        super().update(content, layout=layout)

    @staticmethod
    def _renderable(message: Message) -> RenderableType:
        if message.role == "user":
            return Group(Text("You", style="bold"), Text(inert(message.text)))
        parts: list[RenderableType] = [Text(reply_heading(message.model), style="bold")]
        if message.text.strip():
            parts.append(RichMarkdown(inert(message.text), hyperlinks=False))
        return Group(*parts)


def reply_heading(model: str | None) -> str:
    """The name over a reply: it says which model wrote it, and never calls the demo Claude."""
    return "Demo model" if model == DEMO_MODEL else "Claude"


def sentence_start(name: str) -> str:
    """``assistant_name()`` at the start of a sentence: "the demo model" -> "The demo model"."""
    return name[:1].upper() + name[1:]


class Notice(Static):
    """A short line in the transcript: a warning marker, a refused end, a stopped reply."""

    DEFAULT_CLASSES = "notice"

    def __init__(self, text: str, kind: str = "dim") -> None:
        super().__init__(Text(inert(text)), markup=False)
        self.add_class(f"-{kind}")


class ReplyHeading(Static):
    """The name over the reply being streamed, as a finished message has it."""

    DEFAULT_CLASSES = "message -assistant -heading"

    def __init__(self, model: str | None) -> None:
        super().__init__(Text(reply_heading(model), style="bold"), markup=False)


class LiveReply(Markdown):
    """The reply being streamed; replaced by a ``MessageBlock`` when the turn is done.

    Text goes to the Markdown stream at most every ``FLUSH_EVERY`` seconds, and not at all
    while its tab is hidden: each append rebuilds block widgets, and several tabs streaming
    at once would otherwise keep the app too busy to answer keys.
    """

    DEFAULT_CLASSES = "message -assistant -live"
    FLUSH_EVERY = 0.1

    def __init__(self) -> None:
        # Model text is data: a link in it opens nothing (webbrowser would run any scheme).
        super().__init__("", open_links=False)
        self.text = ""
        self._pending = ""
        self._stream: MarkdownStream | None = None
        self._timer: Timer | None = None

    def write(self, fragment: str) -> None:
        fragment = inert(fragment)
        self.text += fragment
        self._pending += fragment
        if self._timer is None:
            self._timer = self.set_timer(self.FLUSH_EVERY, self.flush)

    def _tab_shown(self) -> bool:
        try:
            return bool(self.query_ancestor(TabPane).display)
        except NoMatches:
            return True

    async def flush(self) -> None:
        """Show the text that came since the last flush (called again when the tab shows)."""
        self._timer = None
        if not self._pending or not self._tab_shown():
            return
        pending, self._pending = self._pending, ""
        if self._stream is None:
            self._stream = self.get_stream(self)
        await self._stream.write(pending)

    async def finish(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None


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
    message = conversation.messages[index]
    assistant = assistant_name(conversation.model)
    if message.role == "user":
        return [MessageBlock(message, index)] if message.is_user_text else []
    widgets: list[Widget] = []
    if message.text.strip() or not any(b.get("type") == "tool_use" for b in message.content):
        widgets.append(MessageBlock(message, index))
    following = conversation.messages[index + 1] if index + 1 < len(conversation.messages) else None
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
        widgets.append(Notice("✂ cut short: the reply reached the token limit", "dim"))
    if message.stop_reason == "refusal":
        widgets.append(Notice(refusal_text(_explanation(message)), "dim"))
    return widgets


# How a partial reply ended (``extra["interruption"]``, set by the engine); older files have
# no such key and keep the general words.
INTERRUPTION_NOTICES = {
    "stopped": "⏹ stopped: this reply was interrupted by you",
    "broke_off": "⚡ broke off: the connection ended before the reply was complete; "
                 "ctrl+r retries",
    "app_closed": "⏹ stopped: the app was closed before the reply was complete; "
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
    """``assistant``: ``config.assistant_name()`` of the conversation's model."""
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
