"""ReplyParts: the reply built from raw stream events is the message the SDK's own
``messages.stream()`` helper would have built, for every kind of block."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from claude_tui.providers.anthropic_reply import ReplyParts
from claude_tui.providers.base import ThinkingChunk
from tests.fake_api import reply, text, tool_use

START = {"type": "message_start", "message": {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-opus-5-5",
    "content": [], "stop_reason": None, "stop_sequence": None,
    "usage": {"input_tokens": 7, "output_tokens": 1, "cache_read_input_tokens": 3}}}


def events(*raw: dict[str, Any]) -> list[Any]:
    from anthropic.types import RawMessageStreamEvent

    adapter: TypeAdapter[Any] = TypeAdapter(RawMessageStreamEvent)
    return [adapter.validate_python(e) for e in raw]


def start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, **body: Any) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": body}


def stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


END = [{"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {"output_tokens": 42}}, {"type": "message_stop"}]


def build(*raw: dict[str, Any]) -> tuple[ReplyParts, list[str]]:
    parts = ReplyParts()
    texts = [t for e in events(*raw) if (t := parts.add(e)) is not None]
    return parts, texts


def test_every_kind_of_block_is_joined_from_its_pieces():
    citation = {"type": "char_location", "cited_text": "sky", "document_index": 0,
                "document_title": None, "start_char_index": 0, "end_char_index": 3}
    parts, texts = build(
        START,
        start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        delta(0, type="thinking_delta", thinking="Let me "),
        delta(0, type="thinking_delta", thinking="think."),
        delta(0, type="signature_delta", signature="sig=="),
        stop(0),
        start(1, {"type": "text", "text": ""}),
        delta(1, type="text_delta", text="The sky "),
        delta(1, type="citations_delta", citation=citation),
        delta(1, type="text_delta", text="is blue."),
        stop(1),
        start(2, {"type": "tool_use", "id": "toolu_1", "name": "issue_warning", "input": {}}),
        delta(2, type="input_json_delta", partial_json='{"beha'),
        delta(2, type="input_json_delta", partial_json='vior": "x", "n": [1, 2]}'),
        stop(2),
        start(3, {"type": "redacted_thinking", "data": "opaque"}),
        stop(3),
        *END,
    )
    # A text block's text comes as plain strings; thinking as ThinkingChunk, to show apart.
    assert [t for t in texts if isinstance(t, str)] == ["The sky ", "is blue."]
    assert [t for t in texts if isinstance(t, ThinkingChunk)] == [
        ThinkingChunk("Let me "), ThinkingChunk("think.")]
    assert parts.started and parts.stopped and parts.stop_reason == "tool_use"
    # Totals: message_delta's output count, message_start's others.
    assert parts.usage == {"input_tokens": 7, "output_tokens": 42, "cache_read_input_tokens": 3}
    assert parts.content() == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "sig=="},
        {"type": "text", "text": "The sky is blue.", "citations": [
            {k: v for k, v in citation.items() if v is not None}]},
        {"type": "tool_use", "id": "toolu_1", "name": "issue_warning",
         "input": {"behavior": "x", "n": [1, 2]}},
        {"type": "redacted_thinking", "data": "opaque"},
    ]


def test_a_stream_cut_off_keeps_what_came_and_no_stop():
    parts, texts = build(
        START,
        start(0, {"type": "text", "text": ""}),
        delta(0, type="text_delta", text="half a "),
        start(1, {"type": "tool_use", "id": "toolu_2", "name": "end_conversation",
                  "input": {}}),
        delta(1, type="input_json_delta", partial_json='{"reason": "done", "wh'),
    )
    assert texts == ["half a "]
    assert not parts.stopped and parts.stop_reason is None
    # As the helper reads a cut-off input: the values that came whole.
    assert parts.content() == [
        {"type": "text", "text": "half a "},
        {"type": "tool_use", "id": "toolu_2", "name": "end_conversation",
         "input": {"reason": "done"}}]


def test_tool_input_that_is_not_json_fails_in_words_describe_error_knows():
    with pytest.raises(ValueError, match="tool parameter JSON"):  # when the block ends
        build(START, start(0, {"type": "tool_use", "id": "t", "name": "n", "input": {}}),
              delta(0, type="input_json_delta", partial_json='{"a": nope}'), stop(0))


def test_events_before_message_start_are_no_reply():
    parts, texts = build(delta(0, type="text_delta", text="stray"), stop(0))
    assert texts == [] and not parts.started


async def test_the_same_message_as_the_sdks_stream_helper(fake_api):
    """Against the same server: the provider's saved blocks equal the helper's final message."""
    script = reply(text("Hello there, " * 5), tool_use("issue_warning", {"behavior": "b " * 20}),
                   text("and more text"), stop_reason="tool_use")
    fake_api.add(script, script)
    provider = fake_api.provider()
    client = provider._get_client()
    request = {"model": "claude-opus-5-5", "max_tokens": 256,
               "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    async with client.messages.stream(**request) as stream:
        final = await stream.get_final_message()
    from claude_tui.providers.base import ModelRequest, ReplyDone

    done = None
    async for item in provider.stream(ModelRequest(system=[], **request)):
        if isinstance(item, ReplyDone):
            done = item
    await provider.aclose()
    assert done is not None
    assert done.content == [b.model_dump(mode="json", exclude_none=True) for b in final.content]
    assert done.stop_reason == final.stop_reason
    assert done.usage == final.usage.model_dump(exclude_none=True)
