"""What the chat engine tells its caller while a turn runs. Plain data, no UI.

Each event is a frozen record declared like a dataclass (its fields are its annotations), on
``Event`` rather than ``@dataclass``: Python 3.11 and 3.12 compile each method a dataclass is
given on its own, about 0.6 ms a frozen class, and these sixteen were a sixth of what our own
modules cost a start-up (which needs none of them before the first paint). ``Event`` makes the
same methods without compiling any: built from the keyword or positional fields, equal when of
the same type with equal fields, hashable, readable in a ``repr``, unchangeable.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, ClassVar, dataclass_transform

if TYPE_CHECKING:
    from claude_tui.conversation import Message


@dataclass_transform(frozen_default=True)
class Event:
    """A frozen record whose fields are the annotations of its class, in order; a field
    given a value in the class body is optional, with that value (immutable ones only)."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls) -> None:
        fields = tuple(name for name in inspect.get_annotations(cls)
                       if name not in Event.__annotations__)
        cls._fields = cls.__match_args__ = fields  # type: ignore[misc]
        cls._defaults = {name: cls.__dict__[name] for name in fields if name in cls.__dict__}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, "
                            f"{len(args)} were given")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields or name in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__} is missing field {name!r}")
                values[name] = self._defaults[name]
        object.__setattr__(self, "__dict__", values)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({shown})"


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
