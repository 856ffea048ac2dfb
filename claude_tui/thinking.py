"""Extended thinking: whether a conversation thinks, and what its requests ask for.

The config's ``thinking`` is the default; a conversation may choose for itself (the command
palette), kept in its file as the optional top-level key ``"thinking": "on" | "off"`` (absent:
the default). Older versions keep the key untouched, so the schema is unchanged.

Thinking blocks are stored exactly as the API sent them, signature included, and sent back
unchanged. A block that never got its signature (the reply was cut off) stays in the file but
is never sent: the API refuses an unsigned block.
"""

from __future__ import annotations

from typing import Any

from claude_tui.config import Settings
from claude_tui.conversation import Conversation, Message
from claude_tui.models import ThinkingSupport, thinking_support

KEY = "thinking"  # the conversation file's key
THINKING_TYPES = ("thinking", "redacted_thinking")
MIN_BUDGET = 1024  # the API's smallest budget_tokens
# Why a changed system prompt is refused where thinking is bound to the history.
BOUND_PROMPT = ("The system prompt cannot change in this conversation: {model}'s thinking is "
                "bound to the history before it, so the API would refuse the next request. "
                "Branch (f8) to start a copy with a new prompt.")


class HistoryBound(Exception):
    """The change would alter the history that the conversation's thinking is bound to."""


def choice(conversation: Conversation) -> bool | None:
    """The conversation's own choice; None: it follows the config."""
    value = conversation.extra.get(KEY)
    return {"on": True, "off": False}.get(value) if isinstance(value, str) else None


def set_choice(conversation: Conversation, on: bool | None) -> None:
    if on is None:
        conversation.extra.pop(KEY, None)
    else:
        conversation.extra[KEY] = "on" if on else "off"


def is_on(conversation: Conversation, settings: Settings) -> bool:
    chosen = choice(conversation)
    return settings.thinking if chosen is None else chosen


def sendable(block: dict[str, Any]) -> bool:
    """False for a thinking block the API would refuse back: one without its signature."""
    kind = block.get("type")
    if kind == "thinking":
        signature = block.get("signature")
        return isinstance(signature, str) and bool(signature)
    if kind == "redacted_thinking":
        return isinstance(block.get("data"), str) and bool(block.get("data"))
    return True


# Shown for redacted_thinking blocks: the API sends them encrypted, so there is nothing to
# read, but the user should know the model thought (and that it is kept and sent back).
REDACTED_NOTE = ("Part of this thinking was flagged by the API's safety systems and sent "
                 "encrypted: it is kept and sent back, but cannot be shown.")


def thinking_text(message: Message) -> str:
    """What the reply's thinking says (summarized), for display; empty when none was shown."""
    pieces = [str(b.get("thinking") or "") for b in message.content
              if b.get("type") == "thinking"]
    shown = [p.strip() for p in pieces if p.strip()]
    if any(b.get("type") == "redacted_thinking" for b in message.content):
        shown.append(REDACTED_NOTE)
    return "\n\n".join(shown)


def bound_to_history(conversation: Conversation) -> bool:
    """Sent thinking of a model with preserved thinking is in the history: changing what came
    before it (the system prompt, an earlier message) would make the API refuse it."""
    for message in conversation.messages:
        if message.role != "assistant" or message.excluded:
            continue
        if not thinking_support(message.model or conversation.model).preserved:
            continue
        if any(b.get("type") in THINKING_TYPES and sendable(b) for b in message.content):
            return True
    return False


def request_fields(model: str, on: bool, settings: Settings,
                   messages: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """The request's thinking fields (``thinking``, ``output_config``) and its max_tokens."""
    support = thinking_support(model)
    max_tokens = settings.max_tokens
    if on and _continues_without_thinking(messages) and support.can_disable:
        # Thinking was turned on in the middle of a tool loop: the API refuses thinking for a
        # continuation whose assistant turn does not start with a thinking block, so this
        # request goes without; the next turn thinks.
        on = False
    fields: dict[str, Any] = {}
    if not on:
        if support.default_on and support.can_disable:
            fields["thinking"] = {"type": "disabled"}
        return fields, max_tokens
    if support.adaptive:
        fields["thinking"] = {"type": "adaptive", "display": "summarized"}
    elif support.budget:
        budget, max_tokens = _budget(settings.thinking_budget, max_tokens)
        fields["thinking"] = {"type": "enabled", "budget_tokens": budget}
    effort = settings.thinking_effort.strip().lower()
    if effort and effort in support.efforts:
        fields["output_config"] = {"effort": effort}
    return fields, max_tokens


def _budget(wanted: int, max_tokens: int) -> tuple[int, int]:
    """budget_tokens at least the API's minimum and below max_tokens, as the API requires:
    the budget gives way to max_tokens, unless that is under the minimum."""
    budget = max(MIN_BUDGET, min(wanted, max_tokens - 1))
    return budget, max_tokens if budget < max_tokens else budget + MIN_BUDGET


def _continues_without_thinking(messages: list[dict[str, Any]]) -> bool:
    """The request carries tool results back to an assistant turn that did not think."""
    if len(messages) < 2 or not any(b.get("type") == "tool_result"
                                    for b in messages[-1]["content"]):
        return False
    turn = messages[-2]
    if turn["role"] != "assistant" or not turn["content"]:
        return False
    return turn["content"][0].get("type") not in THINKING_TYPES


def support_of(conversation: Conversation) -> ThinkingSupport:
    return thinking_support(conversation.model)
