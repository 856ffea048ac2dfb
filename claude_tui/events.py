"""What the chat engine tells its caller while a turn runs. Plain data, no UI.

Each event is a frozen record of its fields (``record.Record``: declared like a dataclass,
without the code a dataclass compiles at import; these sixteen were a sixth of what our own
modules cost a start-up, which needs none of them before the first paint).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from claude_tui.record import Record

if TYPE_CHECKING:
    from claude_tui.conversation import Message


class Event(Record):
    """Something the engine tells its caller: a frozen record of its fields."""


class TurnStarted(Event):
    conversation_id: str


class TextDelta(Event):
    """A piece of the assistant's reply as it streams."""

    conversation_id: str
    text: str


class ThinkingDelta(Event):
    """A piece of the reply's (summarized) thinking as it streams, before its text."""

    conversation_id: str
    text: str


class WarningIssued(Event):
    """The model called ``issue_warning``; ``behavior`` is exactly the model's words."""

    conversation_id: str
    behavior: str


class ConversationEnded(Event):
    conversation_id: str
    by: str  # "user" or "assistant"
    reason: str
    at: str


class EndRefused(Event):
    """An ``end_conversation`` call the client did not honour (E1, E6); the turn goes on."""

    conversation_id: str
    reason: str
    why: str


class EndDeclined(Event):
    """The user cancelled the confirmation of a ``user_requested`` end (E2)."""

    conversation_id: str


class RefusalNotice(Event):
    """The API stopped the reply with ``stop_reason: refusal`` (E7)."""

    conversation_id: str
    explanation: str


class ReplyCutShort(Event):
    """The reply reached ``max_tokens``."""

    conversation_id: str


class ConversationFull(Event):
    """The reply stopped at the model's context window (``model_context_window_exceeded``):
    nothing more fits; a branch from an earlier message, or a new conversation, goes on."""

    conversation_id: str


class TurnFailed(Event):
    """The request failed; ``message`` says what happened and what to do."""

    conversation_id: str
    message: str
    retryable: bool = True


class RetryScheduled(Event):
    """The request failed before the reply began; it is sent again in ``seconds`` (a cancel
    stops the wait). ``reason`` in a few words: "rate limited"."""

    conversation_id: str
    seconds: float
    reason: str


class UsageUpdated(Event):
    conversation_id: str
    usage: dict[str, int]
    totals: dict[str, int]


class MessageSaved(Event):
    """A message was added to the conversation file (user text, reply, or tool results).

    ``message`` is a copy of what was saved, for the UI to render; ``index`` its position."""

    conversation_id: str
    index: int
    message: Message | None = None


class EarlierVersionsKept(Event):
    """A regenerate or an edit marked the messages from some point on as earlier versions
    (saved); ``upto``: how many messages the conversation had then. Comes before the new
    version's ``MessageSaved`` or ``TurnStarted``."""

    conversation_id: str
    upto: int


class TurnFinished(Event):
    conversation_id: str
    stop_reason: str | None
    interrupted: bool = False


ChatEvent = (
    TurnStarted
    | TextDelta
    | ThinkingDelta
    | WarningIssued
    | ConversationEnded
    | EndRefused
    | EndDeclined
    | RefusalNotice
    | ReplyCutShort
    | ConversationFull
    | TurnFailed
    | RetryScheduled
    | UsageUpdated
    | MessageSaved
    | EarlierVersionsKept
    | TurnFinished
)

EventSink = Callable[[ChatEvent], None]
