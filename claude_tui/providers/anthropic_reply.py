"""A streamed reply put together from the Messages API's raw events.

The SDK's ``messages.stream()`` helper keeps a pydantic snapshot of the whole message, adds
each piece of text to it (``text += piece``: the reply so far is copied again on every piece,
so a long reply costs the square of its length) and builds helper events for every event.
``ReplyParts`` reads the raw events of ``messages.create(stream=True)`` instead and joins each
block's pieces once, when the block ends: what the helper's final message holds, in the form
the engine saves, at a cost per event that does not grow with the reply.
"""

from __future__ import annotations

from typing import Any

from claude_tui.providers.base import ThinkingChunk

# Fields the Messages API accepts back in a request, per block type; anything else the SDK
# adds to a response block (parsed_output, caller, ...) is left out so the history can be resent.
_BLOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("type", "text", "citations"),
    "tool_use": ("type", "id", "name", "input"),
    "thinking": ("type", "thinking", "signature"),
    "redacted_thinking": ("type", "data"),
}
_USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens",
               "cache_creation_input_tokens")
# Blocks whose input arrives as pieces of JSON (the helper's TRACKS_TOOL_INPUT).
_JSON_INPUT = ("tool_use", "server_tool_use")

def _dump(model: Any) -> dict[str, Any]:
    """A block (or citation) from the SDK as JSON data, as the helper's final message has it."""
    return model.model_dump(mode="json", exclude_none=True, warnings=False)


def _sendable(data: dict[str, Any]) -> dict[str, Any]:
    fields = _BLOCK_FIELDS.get(data.get("type", ""))
    if fields is None:
        return data
    return {k: data[k] for k in fields if k in data}


def usage_to_dict(usage: Any) -> dict[str, int]:
    result: dict[str, int] = {}
    for key in _USAGE_KEYS:
        value = getattr(usage, key, None)
        if isinstance(value, int):
            result[key] = value
    return result


class _Block:
    """One content block as it streams: its fields so far and the pieces still to join."""

    __slots__ = ("data", "json", "kind", "pieces")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.kind = data.get("type")
        self.pieces: list[str] = []  # of its text, or of its thinking
        self.json: list[str] = []  # of its input

    def finish(self) -> dict[str, Any]:
        if self.pieces:
            name = "text" if self.kind == "text" else "thinking"
            self.data[name] = self.data.get(name, "") + "".join(self.pieces)
            self.pieces = []
        if self.json:
            from jiter import from_json  # the SDK's own JSON reader (a dependency of it)

            raw = "".join(self.json).encode()
            self.json = []
            try:
                # As the helper reads it: a cut-off stream leaves the input read so far.
                self.data["input"] = from_json(raw, partial_mode=True)
            except ValueError as exc:
                # describe_error() knows these words: a tool call that could not be read.
                raise ValueError(
                    f"Unable to parse tool parameter JSON from model: {exc}") from exc
        return self.data


class ReplyParts:
    """The message that raw stream events describe, built as they come (``add``)."""

    def __init__(self) -> None:
        self.started = False  # message_start came: there is a reply
        self.stopped = False  # message_stop came: the reply is complete
        self.stop_reason: str | None = None
        self.stop_details: Any = None
        self.usage: dict[str, int] = {}
        self._blocks: list[_Block] = []

    def add(self, event: Any) -> str | ThinkingChunk | None:
        """Take one raw event; the text it adds to the reply's text blocks, if any, or the
        ``ThinkingChunk`` it adds to a thinking block (a plain ``str`` is always text)."""
        kind = event.type
        if not self.started:
            if kind == "message_start":
                self.started = True
                message = event.message
                self.usage = usage_to_dict(message.usage)
                self.stop_reason = message.stop_reason
                self._blocks = [_Block(_dump(b)) for b in message.content]
            return None  # anything before message_start is no part of a reply
        if kind == "content_block_delta":
            delta = event.delta
            block = self._blocks[event.index]
            what = delta.type
            if what == "text_delta":
                if block.kind != "text":
                    return None
                block.pieces.append(delta.text)
                return delta.text
            if what == "thinking_delta":
                if block.kind == "thinking":
                    block.pieces.append(delta.thinking)
                    return ThinkingChunk(delta.thinking)
            elif what == "input_json_delta":
                if block.kind in _JSON_INPUT:
                    block.json.append(delta.partial_json)
            elif what == "signature_delta":
                if block.kind == "thinking":
                    block.data["signature"] = delta.signature
            elif what == "citations_delta" and block.kind == "text":
                block.data.setdefault("citations", []).append(_dump(delta.citation))
            return None
        if kind == "content_block_start":
            self._blocks.append(_Block(_dump(event.content_block)))
        elif kind == "content_block_stop":
            self._blocks[event.index].finish()
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            self.stop_details = event.delta.stop_details
            # Totals so far; one left out keeps the value message_start gave.
            for key in _USAGE_KEYS:
                value = getattr(event.usage, key, None)
                if isinstance(value, int):
                    self.usage[key] = value
        elif kind == "message_stop":
            self.stopped = True
        return None

    def content(self) -> list[dict[str, Any]]:
        """The reply's blocks, as they can be sent back to the API."""
        return [_sendable(block.finish()) for block in self._blocks]
