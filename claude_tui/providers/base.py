"""The interface every model provider speaks to the chat engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from claude_tui.record import Record

RETRY_HINT = "press ctrl+r to retry"
# The engine's words for a reply from any model that ended without saying it was complete.
BROKE_OFF = f"The reply broke off half way: the connection was lost; {RETRY_HINT}."

# In ``ProviderInfo.supports``: the provider's models are built for the end-conversation tools,
# so they get them whenever the feature is on, whatever ``[end_conversation] models`` says.
END_CONVERSATION_TOOLS = "end_conversation_tools"


class ProviderInfo(Record):
    """What a provider is, so that nobody has to ask "is this the demo model?"."""

    name: str  # "anthropic", "demo"
    # Who replies, as the interface names it mid-sentence: "Claude", "the demo model".
    assistant_name: str
    # The name over its replies: "Claude", "Demo model".
    heading: str
    # Needs no key and no network.
    offline: bool
    # Features its models have whatever the settings say (``END_CONVERSATION_TOOLS``).
    supports: frozenset[str] = frozenset()
    # How the status line names its models; empty: the model id, which says which one it is.
    model_label: str = ""


@dataclass
class ModelRequest:
    """One Messages API request, already built by the engine."""

    model: str
    max_tokens: int
    system: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    # {"type": "none"}: the tools are defined (an earlier turn used them, and the API refuses
    # tool blocks in a history without their definitions) but may not be called.
    tool_choice: dict[str, Any] | None = None

    @property
    def callable_tools(self) -> list[dict[str, Any]]:
        """The tools the model may call in this request."""
        if self.tool_choice is not None and self.tool_choice.get("type") == "none":
            return []
        return self.tools
    # How many replies to the last message were replaced by regenerating it. Not part of the
    # API request: the demo model says so when it answers again.
    regenerations: int = 0
    # Extended thinking (``thinking.request_fields``): the API's ``thinking`` and
    # ``output_config``; None: not sent.
    thinking: dict[str, Any] | None = None
    output_config: dict[str, Any] | None = None


class TextChunk(Record):
    text: str


class ThinkingChunk(Record):
    """A piece of the reply's (summarized) thinking, as it streams."""

    text: str


@dataclass
class ReplyDone:
    """The end of a streamed reply.

    ``stop_reason`` is None when the stream ended without the API saying the reply was complete
    (no ``message_stop``): the engine treats that as a reply that broke off.
    """

    content: list[dict[str, Any]]
    stop_reason: str | None
    usage: dict[str, int] = field(default_factory=dict)
    stop_details: dict[str, Any] | None = None


class RetryWait(Record):
    """The request failed before any reply came and will be sent again in ``seconds``.

    ``reason`` in a few lower-case words ("rate limited", "the API is overloaded");
    ``attempt`` counts the retries, from 1.
    """

    seconds: float
    reason: str
    attempt: int


StreamItem = TextChunk | ThinkingChunk | ReplyDone | RetryWait


class ProviderError(Exception):
    """A failed request, with a short message that says what to do."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "error",
        retryable: bool = True,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after


class Provider(Protocol):
    info: ProviderInfo

    def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """Yield ``TextChunk`` as text arrives (``ThinkingChunk`` as thinking does) and one
        ``ReplyDone`` last; a ``RetryWait`` before a retry, while no reply has come yet.

        Raises ``ProviderError`` for any failure, before or during the stream.
        """
        ...

    async def aclose(self) -> None: ...
