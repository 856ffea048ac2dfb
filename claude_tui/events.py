"""What the chat engine tells its caller while a turn runs. Plain data, no UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claude_tui.conversation import Message


@dataclass(frozen=True)
class TurnStarted:
    conversation_id: str


@dataclass(frozen=True)
class TextDelta:
    """A piece of the assistant's reply as it streams."""

    conversation_id: str
    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of the reply's (summarized) thinking as it streams, before its text."""

    conversation_id: str
    text: str


@dataclass(frozen=True)
class WarningIssued:
    """The model called ``issue_warning``; ``behavior`` is exactly the model's words."""

    conversation_id: str
    behavior: str


@dataclass(frozen=True)
class ConversationEnded:
    conversation_id: str
    by: str  # "user" or "assistant"
    reason: str
    at: str


@dataclass(frozen=True)
class EndRefused:
    """An ``end_conversation`` call the client did not honour (E1, E6); the turn goes on."""

    conversation_id: str
    reason: str
    why: str


@dataclass(frozen=True)
class EndDeclined:
    """The user cancelled the confirmation of a ``user_requested`` end (E2)."""

    conversation_id: str


@dataclass(frozen=True)
class RefusalNotice:
    """The API stopped the reply with ``stop_reason: refusal`` (E7)."""

    conversation_id: str
    explanation: str


@dataclass(frozen=True)
class ReplyCutShort:
    """The reply reached ``max_tokens``."""

    conversation_id: str


@dataclass(frozen=True)
class ConversationFull:
    """The reply stopped at the model's context window (``model_context_window_exceeded``):
    nothing more fits; a branch from an earlier message, or a new conversation, goes on."""

    conversation_id: str


@dataclass(frozen=True)
class TurnFailed:
    """The request failed; ``message`` says what happened and what to do."""

    conversation_id: str
    message: str
    retryable: bool = True


@dataclass(frozen=True)
class RetryScheduled:
    """The request failed before the reply began; it is sent again in ``seconds`` (a cancel
    stops the wait). ``reason`` in a few words: "rate limited"."""

    conversation_id: str
    seconds: float
    reason: str


@dataclass(frozen=True)
class UsageUpdated:
    conversation_id: str
    usage: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageSaved:
    """A message was added to the conversation file (user text, reply, or tool results).

    ``message`` is a copy of what was saved, for the UI to render; ``index`` its position."""

    conversation_id: str
    index: int
    message: Message | None = None


@dataclass(frozen=True)
class EarlierVersionsKept:
    """A regenerate or an edit marked the messages from some point on as earlier versions
    (saved); ``upto``: how many messages the conversation had then. Comes before the new
    version's ``MessageSaved`` or ``TurnStarted``."""

    conversation_id: str
    upto: int


@dataclass(frozen=True)
class TurnFinished:
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
