"""AnthropicProvider: the real SDK over real HTTP against the fake Messages API."""

from __future__ import annotations

import subprocess
import sys

import pytest

from claude_tui.providers.anthropic import AnthropicProvider
from claude_tui.providers.base import (
    ModelRequest,
    ProviderError,
    ReplyDone,
    RetryWait,
    TextChunk,
)
from tests.fake_api import closed_port_url, error, reply, stream_error, text, tool_use

MODEL = "claude-opus-5-5"


def request(**overrides) -> ModelRequest:
    values = {"model": MODEL, "max_tokens": 256,
              "system": [{"type": "text", "text": "be kind"}],
              "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    values.update(overrides)
    return ModelRequest(**values)


async def collect(provider, req=None):
    chunks, done = [], None
    async for item in provider.stream(req or request()):
        if isinstance(item, TextChunk):
            chunks.append(item.text)
        elif isinstance(item, RetryWait):
            continue  # the waits have tests of their own (test_retries.py)
        else:
            assert done is None
            done = item
    return chunks, done


async def failure(provider, req=None) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        await collect(provider, req)
    return info.value


async def test_streams_text_then_one_reply_done(fake_api):
    usage = {"input_tokens": 50, "output_tokens": 7, "cache_read_input_tokens": 30,
             "cache_creation_input_tokens": 20}
    fake_api.add(reply(text("Hello from the fake API, streamed."),
                       tool_use("issue_warning", {"behavior": "spam"}, id="toolu_1"),
                       usage=usage))
    provider = fake_api.provider()
    chunks, done = await collect(provider)
    await provider.aclose()

    assert "".join(chunks) == "Hello from the fake API, streamed." and len(chunks) > 1
    assert isinstance(done, ReplyDone)
    assert done.stop_reason == "tool_use" and done.usage == usage
    assert done.content == [
        {"type": "text", "text": "Hello from the fake API, streamed."},
        {"type": "tool_use", "id": "toolu_1", "name": "issue_warning",
         "input": {"behavior": "spam"}}]
    body = fake_api.requests[0]
    assert body["stream"] is True and body["system"] == [{"type": "text", "text": "be kind"}]
    assert "tools" not in body


async def test_reply_content_can_be_sent_back_as_is(fake_api):
    fake_api.add(reply(text("Part one."), tool_use("lookup", {"q": "x"}, id="toolu_9")),
                 reply(text("Done.")))
    provider = fake_api.provider()
    _, first = await collect(provider)
    follow_up = request(messages=[
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_9",
                                      "content": "42"}]}],
        tools=[{"name": "lookup", "input_schema": {"type": "object"}}])
    _, second = await collect(provider, follow_up)
    assert second.stop_reason == "end_turn"
    assert fake_api.requests[1]["messages"][1]["content"] == first.content
    assert fake_api.requests[1]["tools"][0]["name"] == "lookup"


async def test_refusal_carries_stop_details(fake_api):
    details = {"type": "refusal", "category": "bio", "explanation": "Not that."}
    fake_api.add(reply(stop_reason="refusal", stop_details=details))
    _, done = await collect(fake_api.provider())
    assert done.stop_reason == "refusal" and done.stop_details == details


async def test_a_stream_without_message_stop_has_no_stop_reason(fake_api):
    fake_api.add(reply(text("Only half"), fault="no_stop"))
    chunks, done = await collect(fake_api.provider())
    assert "".join(chunks) == "Only half"
    assert done.stop_reason is None and done.content == [{"type": "text", "text": "Only half"}]


async def test_message_delta_without_message_stop_still_counts_as_broken(fake_api):
    # Everything but message_stop: the API never said the reply was complete.
    probe = reply(text("Nearly"))
    fake_api.add(reply(text("Nearly"), fault="no_stop",
                       fault_after=len(_event_names(probe)) - 1))
    _, done = await collect(fake_api.provider())
    assert done.stop_reason is None


def _event_names(script):
    from tests.fake_api import _events

    events, _ = _events(script, MODEL, 0)
    return [e.split(b"\n")[0] for e in events]


@pytest.mark.parametrize(("script", "kind", "words", "retryable"), [
    (error(401), "auth", "API key was rejected (401)", False),
    (error(403), "permission", "no permission for that request (403)", False),
    (error(404), "not_found", f"'{MODEL}' is unknown to the API (404). Choose another model "
     "for this conversation (f9 in the app", False),
    (error(429, retry_after=12), "rate_limit", "in 12 seconds", True),
    (error(529), "overloaded", "overloaded (529)", True),
    (error(500), "server", "server error (500)", True),
    (error(503), "server", "server error (503)", True),
    (error(400, message="max_tokens: too large"), "bad_request", "max_tokens: too large", False),
    (error(400, message="prompt is too long: 210000 tokens > 200000 maximum"), "too_large",
     "too long for the model's context window. Start a new conversation", False),
    (error(413), "too_large", "too large for the API (413). Start a new conversation", False),
    (stream_error("overloaded_error", "Overloaded", before=(text("Hi"),)), "overloaded",
     "overloaded", True),
    (stream_error("api_error", "Internal"), "server", "server error", True),
])
async def test_api_errors_map_to_short_messages(fake_api, script, kind, words, retryable):
    fake_api.add(script)
    exc = await failure(fake_api.provider())
    assert exc.kind == kind and words in exc.message and exc.retryable is retryable
    assert len(fake_api.requests) == 1  # max_retries=0


async def test_an_api_message_shown_never_carries_a_key_and_stays_short(fake_api):
    # A gateway echoing what it was sent: the key must not reach the screen, nor a wall of text.
    fake_api.add(error(400, message="bad header x-api-key: sk-ant-api03-Secret_1 " + "x" * 5000))
    exc = await failure(fake_api.provider())
    assert exc.kind == "bad_request" and "bad header x-api-key: [key]" in exc.message
    assert "Secret_1" not in exc.message and len(exc.message) < 400


async def test_rate_limit_retry_after_is_honoured_by_sdk_retries(fake_api):
    fake_api.add(error(429, retry_after_ms=5), error(529, retry_after_ms=5),
                 reply(text("Made it.")))
    chunks, done = await collect(fake_api.provider(max_retries=2))
    assert "".join(chunks) == "Made it." and done.stop_reason == "end_turn"
    assert [h["x-stainless-retry-count"] for h in fake_api.headers] == ["0", "1", "2"]


async def test_retries_run_out_into_a_clear_error(fake_api):
    fake_api.add(error(429, retry_after_ms=5), error(429, retry_after_ms=5, retry_after=2))
    exc = await failure(fake_api.provider(max_retries=1))
    assert exc.kind == "rate_limit" and exc.retry_after == pytest.approx(0.005)
    assert len(fake_api.requests) == 2


async def test_connection_refused():
    provider = AnthropicProvider("test-key", base_url=closed_port_url(), max_retries=0)
    exc = await failure(provider)
    assert exc.kind == "connection" and "ANTHROPIC_BASE_URL" in exc.message


async def test_timeout_before_any_answer(fake_api):
    fake_api.add(reply(text("never"), fault="hang"))
    exc = await failure(fake_api.provider(timeout=0.3))
    assert exc.kind == "timeout" and "timed out" in exc.message


@pytest.mark.parametrize(("fault", "words"), [("stall", "stopped sending"),
                                              ("cut", "connection was lost")])
async def test_a_stream_breaking_off_half_way(fake_api, fault, words):
    fake_api.add(reply(text("Some text first"), fault=fault))
    provider = fake_api.provider(timeout=0.3)
    seen = []
    with pytest.raises(ProviderError) as info:
        async for item in provider.stream(request()):
            seen.append(item)
    assert "".join(c.text for c in seen) == "Some text first"
    assert info.value.kind == "broken_stream" and words in info.value.message
    assert "broke off half way" in info.value.message


async def test_the_key_is_passed_explicitly_and_base_url_comes_from_the_environment(
        fake_api, monkeypatch, tmp_path):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "key-from-environment")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "token-from-environment")
    fake_api.add(reply(text("ok")))
    provider = AnthropicProvider("key-from-settings", max_retries=0)
    await collect(provider)
    assert fake_api.headers[0]["authorization"] == "Bearer key-from-settings"


def test_importing_the_core_does_not_import_the_sdk():
    code = ("import sys, claude_tui.chat, claude_tui.protocol, claude_tui.providers.anthropic; "
            "print('anthropic' in sys.modules, 'textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_warm_up_builds_the_client_without_a_request(fake_api):
    provider = fake_api.provider()
    provider.warm_up()
    assert "anthropic" in sys.modules and provider._client is not None
    assert fake_api.received == []


async def test_the_fake_api_rejects_what_the_real_one_would(fake_api):
    dangling = request(messages=[
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_x",
                                           "name": "issue_warning", "input": {}}]},
        {"role": "user", "content": [{"type": "text", "text": "and?"}]}])
    exc = await failure(fake_api.provider(), dangling)
    assert exc.kind == "bad_request" and "toolu_x" in exc.message
    empty = request(messages=[{"role": "user", "content": [{"type": "text", "text": ""}]}])
    assert "non-whitespace" in (await failure(fake_api.provider(), empty)).message


async def test_a_body_that_ends_before_any_event_broke_off(fake_api):
    fake_api.add(reply(text("never sent"), fault="no_stop", fault_after=0))
    exc = await failure(fake_api.provider())
    assert exc.kind == "broken_stream" and "broke off" in exc.message and exc.retryable


async def test_one_client_serves_every_request_until_aclose(fake_api):
    fake_api.add(reply(text("one")), reply(text("two")), reply(text("three")))
    provider = fake_api.provider()
    await collect(provider)
    client = provider._client
    await collect(provider)
    assert provider._client is client  # one connection pool, not one per request
    await provider.aclose()
    assert client.is_closed() and provider._client is None
    await provider.aclose()  # closing twice is harmless
    chunks, _ = await collect(provider)  # and a closed provider opens a new client
    assert "".join(chunks) == "three"
    await provider.aclose()


def test_a_dead_connection_is_noticed_in_minutes_not_the_sdks_ten(fake_api):
    from claude_tui.providers.anthropic import CONNECT_TIMEOUT, READ_TIMEOUT

    provider = fake_api.provider()
    provider.warm_up()
    timeout = provider._client.timeout
    assert timeout.connect == CONNECT_TIMEOUT <= 10
    assert timeout.read == READ_TIMEOUT <= 120
    assert provider._client.max_retries == 0  # as configured; the app passes its setting


async def test_the_fake_api_rejects_more_than_four_cache_breakpoints(fake_api):
    marked = {"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}
    too_many = request(system=[marked] * 3, messages=[{"role": "user", "content": [marked] * 2}])
    exc = await failure(fake_api.provider(), too_many)
    assert exc.kind == "bad_request" and "maximum of 4" in exc.message
