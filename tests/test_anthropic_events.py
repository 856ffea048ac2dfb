"""The raw events read as plain JSON (``anthropic_events``) make the same reply as the SDK's
own models of them, for every kind of event the Messages API streams."""

from __future__ import annotations

import json
from typing import Any

import pytest

from claude_tui.providers.anthropic_events import RawEvent
from claude_tui.providers.anthropic_reply import ReplyParts
from claude_tui.providers.base import ProviderError, ReplyDone, TextChunk, ThinkingChunk
from tests.fake_api import RawReply
from tests.test_anthropic_provider import MODEL, request

USAGE = {"input_tokens": 12, "output_tokens": 1, "cache_read_input_tokens": 3,
         "cache_creation_input_tokens": 0}
CITATION = {"type": "char_location", "cited_text": "the sky is blue", "document_index": 0,
            "document_title": None, "start_char_index": 0, "end_char_index": 15,
            "file_id": None}
# Every block type and delta type a reply can hold, as the API sends them (with a ping).
EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("message_start", {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": MODEL, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": USAGE}}),
    ("ping", {"type": "ping"}),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
        "type": "thinking", "thinking": "", "signature": ""}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0,
                             "delta": {"type": "thinking_delta", "thinking": "Let me "}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0,
                             "delta": {"type": "thinking_delta", "thinking": "think."}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0,
                             "delta": {"type": "signature_delta", "signature": "c2lnbmVk"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {
        "type": "redacted_thinking", "data": "ZW5jcnlwdGVk"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 1}),
    ("content_block_start", {"type": "content_block_start", "index": 2, "content_block": {
        "type": "text", "text": "", "citations": None}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 2,
                             "delta": {"type": "text_delta", "text": "The sky "}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 2,
                             "delta": {"type": "citations_delta", "citation": CITATION}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 2,
                             "delta": {"type": "text_delta", "text": "is blue."}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 2}),
    ("content_block_start", {"type": "content_block_start", "index": 3, "content_block": {
        "type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 3,
                             "delta": {"type": "input_json_delta", "partial_json": ""}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 3,
                             "delta": {"type": "input_json_delta", "partial_json": '{"q": '}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 3,
                             "delta": {"type": "input_json_delta", "partial_json": '"x"}'}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 3}),
    ("message_delta", {"type": "message_delta",
                       "delta": {"type": "message_delta", "stop_reason": "refusal",
                                 "stop_sequence": None,
                                 "stop_details": {"type": "refusal", "category": None,
                                                  "explanation": "not this"}},
                       "usage": {"output_tokens": 42}}),
    ("message_stop", {"type": "message_stop"}),
]


def body(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return b"".join(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()
                    for kind, data in events)


def sse_reply(events: list[tuple[str, dict[str, Any]]] = EVENTS) -> RawReply:
    return RawReply(200, "text/event-stream", body(events))


async def through_the_provider(fake_api) -> tuple[list[str], ReplyDone]:
    chunks, done = [], None
    async for item in fake_api.provider().stream(request()):
        if isinstance(item, TextChunk):
            chunks.append(item.text)
        elif isinstance(item, ThinkingChunk):
            chunks.append(item)
        elif isinstance(item, ReplyDone):
            done = item
    assert done is not None
    return chunks, done


async def through_the_sdk_models(fake_api) -> tuple[list[str], ReplyParts]:
    """ReplyParts fed the SDK's own pydantic models of the same events."""
    client = fake_api.provider()._get_client()
    parts, chunks = ReplyParts(), []
    stream = await client.messages.create(model=MODEL, max_tokens=256, stream=True,
                                          messages=request().messages)
    async with stream:
        async for event in stream:
            text = parts.add(event)
            if text is not None:
                chunks.append(text)
    await client.close()
    return chunks, parts


async def test_every_event_type_makes_the_reply_the_sdk_models_make(fake_api):
    fake_api.add(sse_reply(), sse_reply())
    chunks, done = await through_the_provider(fake_api)
    sdk_chunks, sdk = await through_the_sdk_models(fake_api)
    assert chunks == sdk_chunks
    assert [c for c in chunks if isinstance(c, str)] == ["The sky ", "is blue."]
    assert any(isinstance(c, ThinkingChunk) for c in chunks)
    assert done.content == sdk.content()
    assert done.usage == sdk.usage == {**USAGE, "output_tokens": 42}
    assert done.stop_reason == sdk.stop_reason == "refusal"
    assert done.stop_details == sdk.stop_details.model_dump(mode="json")
    thinking, redacted, said, tool = done.content
    assert thinking == {"type": "thinking", "thinking": "Let me think.",
                        "signature": "c2lnbmVk"}
    assert redacted == {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"}
    assert said["text"] == "The sky is blue." and said["citations"][0]["cited_text"] == (
        "the sky is blue") and "file_id" not in said["citations"][0]
    assert tool == {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "x"}}


async def test_an_error_event_is_the_sdks_error(fake_api):
    failing = [*EVENTS[:4], ("error", {"type": "error", "error": {
        "type": "overloaded_error", "message": "Overloaded"}})]
    fake_api.add(sse_reply(failing))
    with pytest.raises(ProviderError) as info:
        await through_the_provider(fake_api)
    assert info.value.kind == "overloaded" and info.value.status_code == 529


async def test_an_error_event_that_is_not_json_is_still_an_error(fake_api):
    fake_api.add(RawReply(200, "text/event-stream",
                          body(EVENTS[:2]) + b"event: error\ndata: upstream broke\n\n"))
    with pytest.raises(ProviderError) as info:
        await through_the_provider(fake_api)
    assert info.value.kind == "server"


def test_a_raw_event_reads_like_a_model():
    event = RawEvent({"type": "content_block_delta", "index": 2,
                      "delta": {"type": "text_delta", "text": "hi"},
                      "list": [{"a": 1, "b": None}]})
    assert event.delta.text == "hi" and event.index == 2
    assert event.stop_details is None  # absent: None, as a model's optional field
    assert event.list[0].a == 1
    assert event.list[0].model_dump(exclude_none=True) == {"a": 1}
    assert event.list[0].model_dump(mode="json") == {"a": 1, "b": None}
    with pytest.raises(AttributeError):
        event.__deepcopy__  # noqa: B018
