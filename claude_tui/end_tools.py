"""The end-conversation tool calls of a reply, run through ``protocol``'s rules, and the end.

``issue_warning`` records a warning and shows it; ``end_conversation`` ends (E1), asks the user
to confirm (E2), or is refused with the rule that says why; anything else gets an error tool
result (E6). An end stops the turn (E4): nothing after the honoured call is kept or run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from claude_tui import protocol
from claude_tui.conversation import Conversation, EndedBy, EndRecord, IssuedWarning, now_iso
from claude_tui.events import ConversationEnded, EndDeclined, EndRefused, WarningIssued
from claude_tui.storage.store import StoreError
from claude_tui.turn_output import TurnOutput

log = logging.getLogger(__name__)

ConfirmEnd = Callable[[Conversation, str], Awaitable[bool]]
"""(conversation, who_asked: "assistant" | "user") -> did the user confirm the permanent end?"""


async def run_tool_calls(output: TurnOutput, uses: list[dict[str, Any]], *, enabled: bool,
                         min_warnings: int, confirm_end: ConfirmEnd
                         ) -> list[dict[str, Any]] | None:
    """Tool results for the calls in a reply, or None if the conversation ended (E4).

    Raises ``StoreError`` or ``OSError`` when a warning or refusal record cannot be saved.
    """
    conversation = output.conversation
    results: list[dict[str, Any]] = []
    declined = False  # the user said no to ending in this reply: don't ask them again
    for use in uses:
        use_id, name, tool_input = use.get("id", ""), use.get("name"), use.get("input")
        if not enabled or name not in protocol.TOOL_NAMES:
            offered = ", ".join(protocol.TOOL_NAMES) if enabled else "none"
            results.append(protocol.error_result(
                use_id, f"Unknown tool {name!r}. Tools offered: {offered}."))
            continue
        if name == protocol.ISSUE_WARNING:
            results.append(await _warn(output, use_id, tool_input))
            continue
        try:
            reason = protocol.parse_end(tool_input)
        except protocol.InvalidToolInput as exc:
            await _refuse(output, _given_reason(tool_input), str(exc))
            results.append(protocol.error_result(use_id, str(exc)))
            continue
        decision = protocol.decide_end(conversation, reason, min_warnings)
        if decision.action == "end":
            await end_conversation(output, "assistant", reason, call=use)
            return None
        if decision.action == "refuse":
            await _refuse(output, reason, decision.why)
            results.append(protocol.error_result(use_id, decision.why))
            continue
        if not declined:
            if (await ask_to_end(confirm_end, conversation, "assistant")
                    and not conversation.is_ended):
                await end_conversation(output, "user", reason, call=use)
                return None
            if conversation.is_ended:  # the user ended it another way meanwhile
                return None
            declined = True
            output.emit(EndDeclined(conversation.id))
        results.append(protocol.ok_result(use_id, protocol.END_DECLINED))
    return results


async def end_conversation(output: TurnOutput, by: EndedBy, reason: str, *,
                           call: dict[str, Any] | None = None) -> bool:
    """Mark the conversation ended and save it. ``call``: the honoured end_conversation
    block; nothing after it in its reply is kept (the model is told to write nothing after
    the call, and no call after it was run)."""
    conversation = output.conversation
    if call is not None:
        _drop_after(conversation, call)
    at = now_iso()
    conversation.status = "ended"
    conversation.ended = EndRecord(by=by, at=at, reason=reason)
    try:
        await output.save()
    except (StoreError, OSError) as exc:
        # It stays ended in memory, so no further request is made from this session.
        output.failed(f"The end could not be saved: {exc}", retryable=False)
    output.emit(ConversationEnded(conversation.id, by, reason, at))
    return True


async def ask_to_end(confirm_end: ConfirmEnd, conversation: Conversation, who: str) -> bool:
    """The user's answer to the confirmation; a failing dialog counts as a no."""
    try:
        return bool(await confirm_end(conversation, who))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("the end confirmation failed; treated as declined")
        return False


async def _warn(output: TurnOutput, use_id: str, tool_input: Any) -> dict[str, Any]:
    try:
        behavior = protocol.parse_warning(tool_input)
    except protocol.InvalidToolInput as exc:
        return protocol.error_result(use_id, str(exc))
    conversation = output.conversation
    conversation.warnings.append(IssuedWarning(behavior, now_iso(), conversation.user_turns))
    await output.save()
    output.emit(WarningIssued(conversation.id, behavior))
    return protocol.ok_result(use_id, protocol.WARNING_SHOWN)


async def _refuse(output: TurnOutput, reason: str, why: str) -> None:
    protocol.record_refusal(output.conversation, reason, why)
    await output.save()
    output.emit(EndRefused(output.conversation.id, reason, why))


def _drop_after(conversation: Conversation, call: dict[str, Any]) -> None:
    reply = conversation.messages[-1] if conversation.messages else None
    if reply is None or reply.role != "assistant":
        return
    for index, block in enumerate(reply.content):
        if block.get("type") == "tool_use" and block.get("id") == call.get("id"):
            reply.content = reply.content[: index + 1]
            return


def _given_reason(tool_input: Any) -> str:
    """What an invalid end_conversation call gave as its reason, for the record."""
    given = tool_input.get("reason") if isinstance(tool_input, dict) else None
    if given is None:
        return ""
    return given if isinstance(given, str) else repr(given)
