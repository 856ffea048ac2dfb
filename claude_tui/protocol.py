"""The end-conversation rules (DESIGN.md section 2): tool schemas, the system prompt section,
input validation and the decision on an ``end_conversation`` call. Pure: no I/O.

The Messages API has no end-conversation feature, so this client offers the tools and enforces
the rules itself, whatever the model says.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Literal

from claude_tui.config import Settings
from claude_tui.conversation import Conversation, RefusedEnd, now_iso
from claude_tui.providers.base import END_CONVERSATION_TOOLS
from claude_tui.providers.choice import provider_info
from claude_tui.record import Record

ISSUE_WARNING = "issue_warning"
END_CONVERSATION = "end_conversation"
TOOL_NAMES = (ISSUE_WARNING, END_CONVERSATION)
USER_REQUESTED = "user_requested"
PERSISTENT_ABUSE = "persistent_abuse"
END_REASONS = (USER_REQUESTED, PERSISTENT_ABUSE)
MAX_BEHAVIOR_CHARS = 500

WARNING_SHOWN = "The warning was shown to the user."
END_DECLINED = (
    "The user was asked to confirm ending the conversation and declined. The conversation "
    "continues; carry on helping them."
)

ISSUE_WARNING_TOOL: dict[str, Any] = {
    "name": ISSUE_WARNING,
    "description": (
        "Show the user a warning banner that names a behaviour which, if it continues, may lead "
        "to this conversation being ended. Use it only after attempts to redirect have failed, "
        "and before any end_conversation call with reason persistent_abuse."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "behavior": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_BEHAVIOR_CHARS,
                "description": "The behaviour, named plainly, as the user will read it.",
            }
        },
        "required": ["behavior"],
        "additionalProperties": False,
    },
}

END_CONVERSATION_TOOL: dict[str, Any] = {
    "name": END_CONVERSATION,
    "description": (
        "End this conversation permanently; the user can send no further messages in it. "
        "Use user_requested when the user asks to end it (the client asks them to confirm). "
        "Use persistent_abuse only as a last resort, after a warning given with issue_warning "
        "and continued abusive behaviour. Write nothing after calling it."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "reason": {
                "type": "string",
                "enum": list(END_REASONS),
                "description": "Why the conversation is being ended.",
            }
        },
        "required": ["reason"],
        "additionalProperties": False,
    },
}

SYSTEM_SECTION = """\
This conversation takes place in claude-tui, a terminal chat client. The client gives you two \
tools for the rare conversations that turn abusive: issue_warning and end_conversation. These \
rules apply to them, and the client enforces them:

- Ending a conversation is a last resort for extreme cases of persistent abuse. Almost every \
difficult conversation should simply continue. First make real, repeated attempts to redirect \
the conversation to something constructive.
- If redirection fails, warn the user with issue_warning. Name the specific behaviour in plain \
words, and in your reply tell them that the conversation may be ended if it continues.
- Call end_conversation with reason "persistent_abuse" only after such a warning, and only when \
the user has continued the behaviour in a later message. The client refuses an end that comes \
before a warning or in the same turn as one.
- Never end a conversation, and never mention ending it, when the user may be at risk of harming \
themselves or others. Stay with them and be supportive instead.
- If the user asks you to end the conversation, call end_conversation with reason \
"user_requested". The client asks them to confirm that ending is permanent; if they decline, you \
are told, and the conversation continues.
- Ending is permanent: no further messages can be sent in this conversation, though the user can \
start a new one at any time. Write nothing after calling end_conversation.
- When in doubt, do not end the conversation; continue it."""


class InvalidToolInput(ValueError):
    """A tool call's input breaks the tool's schema (E6); the message goes back to the model."""


class EndDecision(Record):
    """What the client does with an ``end_conversation`` call.

    ``end``: end now (persistent_abuse allowed by E1); ``confirm``: ask the user (E2);
    ``refuse``: keep the conversation open and tell the model ``why`` (E1).
    """

    action: Literal["end", "confirm", "refuse"]
    reason: str
    why: str = ""


def tool_schemas() -> list[dict[str, Any]]:
    return [ISSUE_WARNING_TOOL, END_CONVERSATION_TOOL]


def tools_enabled(model: str, settings: Settings) -> bool:
    """Whether this model gets the tools and the system prompt section."""
    end = settings.end_conversation
    if not end.enabled:
        return False
    if END_CONVERSATION_TOOLS in provider_info(model).supports:
        return True
    return any(fnmatch.fnmatchcase(model, pattern) for pattern in end.models)


def system_blocks(model: str, settings: Settings,
                  own: str | None = None) -> list[dict[str, Any]]:
    """The request's system prompt: the protocol section whenever the tools are offered, then
    the user's own beside it, never in its place (E8).

    ``own``: the conversation's own system prompt; None means the config's ``system_prompt``.
    """
    blocks: list[dict[str, Any]] = []
    if tools_enabled(model, settings):
        blocks.append({"type": "text", "text": SYSTEM_SECTION})
    prompt = settings.system_prompt if own is None else own
    if prompt.strip():
        blocks.append({"type": "text", "text": prompt})
    return blocks


def parse_warning(tool_input: Any) -> str:
    """The behaviour named by an ``issue_warning`` call, or ``InvalidToolInput``."""
    if not isinstance(tool_input, dict):
        raise InvalidToolInput("issue_warning needs an object input: {\"behavior\": string}.")
    unknown = sorted(set(tool_input) - {"behavior"})
    if unknown:
        raise InvalidToolInput(f"issue_warning takes only \"behavior\"; unknown: {unknown}.")
    behavior = tool_input.get("behavior")
    if behavior is None:
        raise InvalidToolInput("issue_warning needs \"behavior\": the behaviour, named plainly.")
    if not isinstance(behavior, str):
        raise InvalidToolInput("issue_warning's \"behavior\" must be a string.")
    if not behavior.strip():
        raise InvalidToolInput("issue_warning's \"behavior\" must not be empty.")
    if len(behavior) > MAX_BEHAVIOR_CHARS:
        raise InvalidToolInput(
            f"issue_warning's \"behavior\" must be at most {MAX_BEHAVIOR_CHARS} characters "
            f"(it had {len(behavior)})."
        )
    return behavior


def parse_end(tool_input: Any) -> str:
    """The reason of an ``end_conversation`` call, or ``InvalidToolInput``."""
    if not isinstance(tool_input, dict):
        raise InvalidToolInput("end_conversation needs an object input: {\"reason\": string}.")
    unknown = sorted(set(tool_input) - {"reason"})
    if unknown:
        raise InvalidToolInput(f"end_conversation takes only \"reason\"; unknown: {unknown}.")
    reason = tool_input.get("reason")
    if reason not in END_REASONS:
        raise InvalidToolInput(
            f"end_conversation's \"reason\" must be \"user_requested\" or \"persistent_abuse\", "
            f"not {reason!r}. The conversation was not ended."
        )
    return reason


def decide_end(conversation: Conversation, reason: str, min_warnings: int) -> EndDecision:
    """E1 and E2: whether an ``end_conversation`` call with a valid ``reason`` goes through.

    A warning's ``turn`` is the number of user-typed messages when it was given, and the user's
    message is saved before the turn runs, so ``turn < user_turns`` means the user has written
    again since that warning.
    """
    if reason == USER_REQUESTED:
        return EndDecision("confirm", reason)
    current = conversation.user_turns
    earlier = sum(1 for w in conversation.warnings if w.turn < current)
    warned_this_turn = any(w.turn >= current for w in conversation.warnings)
    needed = "a warning" if min_warnings == 1 else f"{min_warnings} warnings"
    if warned_this_turn:
        # Checked first: telling the model to "warn first" right after it warned would
        # invite a second warning instead of waiting for the user.
        return EndDecision(
            "refuse", reason,
            "Refused: the latest warning was given in this turn, and the user has not written "
            f"since. This client ends a conversation for persistent_abuse only after {needed} "
            "given in an earlier turn, and only if the behaviour continues in a later message. "
            "The conversation stays open.",
        )
    if earlier < min_warnings:
        return EndDecision(
            "refuse", reason,
            f"Refused: this client ends a conversation for persistent_abuse only after {needed} "
            f"given with issue_warning in an earlier turn ({earlier} so far), and only if "
            "the user continued after it. The conversation stays open; if the behaviour goes "
            "on, warn first with issue_warning.",
        )
    return EndDecision("end", reason)


def record_refusal(conversation: Conversation, reason: str, why: str) -> RefusedEnd:
    """Note a refused ``end_conversation`` call in the conversation (saved by the caller)."""
    refused = RefusedEnd(at=now_iso(), reason=reason, why=why, turn=conversation.user_turns)
    conversation.refused_ends.append(refused)
    return refused


def error_result(tool_use_id: str, message: str) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_use_id, "content": message,
            "is_error": True}


def ok_result(tool_use_id: str, message: str) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_use_id, "content": message}
