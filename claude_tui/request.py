"""The Messages API request, rebuilt from a conversation's stored content blocks.

Whatever the history holds (excluded turns, replies that broke off, calls never answered), the
request must be one the API accepts: it starts and ends on the user's side, roles alternate,
text is never empty, and every ``tool_use`` is answered by a ``tool_result`` at the start of
the next message. The stored messages are never changed: blocks are copied first.
"""

from __future__ import annotations

import copy
from typing import Any

from claude_tui import protocol, thinking
from claude_tui.attachments import request_blocks
from claude_tui.config import Settings
from claude_tui.conversation import Conversation, Message
from claude_tui.providers.base import ModelRequest

CACHE = {"type": "ephemeral"}
NOT_RUN = "This tool call was not run: the reply it belongs to was interrupted."


def build_request(conversation: Conversation, settings: Settings) -> ModelRequest:
    """The request for the conversation as stored now.

    Two prompt-cache breakpoints (the API allows four): the end of the system prompt, which
    caches the tools and the system prompt, and the last block of the history, so the next
    turn reads the whole history before it from the cache.
    """
    enabled = protocol.tools_enabled(conversation.model, settings)
    system = protocol.system_blocks(conversation.model, settings, conversation.system_prompt)
    if system:
        system[-1] = {**system[-1], "cache_control": CACHE}
    messages = request_messages(conversation.messages)
    if messages:
        last = messages[-1]["content"]
        last[-1] = {**last[-1], "cache_control": CACHE}
    # Tools an earlier turn used stay defined where they are no longer offered (the model was
    # switched): the API refuses tool blocks in a history without the tools, so they are sent
    # with tool_choice "none", which lets the model call none of them.
    used = not enabled and _has_tool_blocks(messages)
    fields, max_tokens = thinking.request_fields(
        conversation.model, thinking.is_on(conversation, settings), settings, messages)
    return ModelRequest(
        model=conversation.model,
        max_tokens=max_tokens,
        system=system,
        messages=messages,
        tools=protocol.tool_schemas() if enabled or used else [],
        tool_choice={"type": "none"} if used else None,
        regenerations=regenerations(conversation.messages),
        thinking=fields.get("thinking"),
        output_config=fields.get("output_config"),
    )


def _has_tool_blocks(messages: list[dict[str, Any]]) -> bool:
    return any(block.get("type") in ("tool_use", "tool_result")
               for message in messages for block in message["content"])


def regenerations(stored: list[Message]) -> int:
    """How many earlier versions of the reply to the last message the user typed there are."""
    count = 0
    for message in reversed(stored):
        if message.is_user_text and not message.excluded:
            break
        if message.role == "assistant" and (message.replaced or {}).get("by") == "regenerate":
            count += 1
    return count


def request_messages(stored: list[Message]) -> list[dict[str, Any]]:
    """Stored messages as the API accepts them: excluded ones left out, same-role neighbours
    merged, empty text dropped, thinking that never got its signature dropped (the rest is sent
    exactly as received, in its place), and every tool_use paired with a tool_result."""
    merged: list[dict[str, Any]] = []
    for message in stored:
        if message.excluded:
            continue
        # Attachments: an image goes after a line naming it; a damaged one is left out.
        blocks = [_sendable(b) for b in request_blocks(message)
                  if not (b.get("type") == "text" and not str(b.get("text", "")).strip())
                  and thinking.sendable(b)]
        if not blocks:
            continue
        if merged and merged[-1]["role"] == message.role:
            merged[-1]["content"].extend(blocks)
        else:
            merged.append({"role": message.role, "content": blocks})
    while merged and merged[0]["role"] != "user":
        merged.pop(0)
    result: list[dict[str, Any]] = []
    pending: list[str] = []  # tool_use ids of the previous assistant message
    for message in merged:
        if message["role"] == "assistant":
            if pending:  # a user turn of orphan results was dropped: answer the calls
                result.append({"role": "user",
                               "content": [protocol.error_result(i, NOT_RUN) for i in pending]})
            pending = [b.get("id", "") for b in message["content"] if b.get("type") == "tool_use"]
            result.append(message)
            continue
        results = {b.get("tool_use_id"): b for b in message["content"]
                   if b.get("type") == "tool_result"}
        others = [b for b in message["content"] if b.get("type") != "tool_result"]
        paired = [results.get(i) or protocol.error_result(i, NOT_RUN) for i in pending]
        content = paired + others
        pending = []
        if content:
            result.append({"role": "user", "content": content})
    if pending:
        result.append({"role": "user",
                       "content": [protocol.error_result(i, NOT_RUN) for i in pending]})
    # A request ending on a reply would ask the model to continue it; end on the user's side.
    while result and result[-1]["role"] == "assistant":
        result.pop()
    return result


def _sendable(block: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stored block that the API accepts back."""
    block = copy.deepcopy(block)
    # Breakpoints are placed per request; one left in a (hand-edited) file could push the
    # request past the API's limit of four.
    block.pop("cache_control", None)
    if block.get("type") == "tool_use" and not isinstance(block.get("input"), dict):
        block["input"] = {}  # the API takes only an object; the stored call is kept as it was
    return block
