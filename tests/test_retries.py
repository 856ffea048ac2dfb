"""Retries the user can see and stop: the real SDK against the fake API, retries run by the
provider (the SDK's own are off), each wait announced, a cap on how long one may be, and a
first-byte timeout for a server that never answers."""

from __future__ import annotations

import asyncio
import time

import pytest

from claude_tui.events import RetryScheduled, TextDelta, TurnFailed, TurnFinished
from claude_tui.providers.base import ProviderError, ReplyDone, RetryWait, TextChunk
from tests.chat_support import MODEL, Confirm, Events, make_engine, on_disk
from tests.fake_api import FakeAPI, error, reply, text
from tests.test_anthropic_provider import request


async def items_of(provider) -> list:
    return [item async for item in provider.stream(request())]


def quick(fake_api: FakeAPI, **options):
    """A provider whose backoff without a retry-after header is milliseconds, not seconds."""
    provider = fake_api.provider(**options)
    provider.initial_retry_delay = 0.01
    return provider


async def test_each_wait_is_announced_with_its_reason_then_the_reply_streams(fake_api):
    fake_api.add(error(429, retry_after_ms=20), error(529), reply(text("Made it.")))
    items = await items_of(quick(fake_api, max_retries=2))
    waits = [i for i in items if isinstance(i, RetryWait)]
    assert [(w.reason, w.attempt) for w in waits] == [
        ("rate limited", 1), ("the API is overloaded", 2)]
    assert waits[0].seconds == pytest.approx(0.02)  # as retry-after-ms asked
    assert 0.0075 <= waits[1].seconds <= 0.02  # backoff with jitter: 0.01 * 2, less up to 25 %
    assert "".join(i.text for i in items if isinstance(i, TextChunk)) == "Made it."
    assert isinstance(items[-1], ReplyDone)
    assert len(fake_api.requests) == 3
    # The SDK's own retries are off: the retry count header is the provider's.
    assert [h["x-stainless-retry-count"] for h in fake_api.headers] == ["0", "1", "2"]


@pytest.mark.parametrize("status", [408, 409, 500, 503, 529])
async def test_the_retryable_statuses(fake_api, status):
    fake_api.add(error(status), reply(text("ok")))
    items = await items_of(quick(fake_api, max_retries=1))
    assert sum(isinstance(i, RetryWait) for i in items) == 1
    assert len(fake_api.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
async def test_the_others_are_not_retried(fake_api, status):
    fake_api.add(error(status), reply(text("never asked for")))
    with pytest.raises(ProviderError):
        await items_of(quick(fake_api, max_retries=2))
    assert len(fake_api.requests) == 1


async def test_a_server_that_says_not_to_retry_is_believed(fake_api):
    fake_api.add(error(500, should_retry=False), reply(text("never asked for")))
    with pytest.raises(ProviderError):
        await items_of(quick(fake_api, max_retries=2))
    assert len(fake_api.requests) == 1


async def test_a_retry_after_longer_than_the_cap_is_not_waited(fake_api):
    fake_api.add(error(429, retry_after=300), reply(text("never asked for")))
    provider = quick(fake_api, max_retries=2)
    provider.max_retry_wait = 60
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        await items_of(provider)
    assert time.monotonic() - started < 30  # told at once, not after five minutes
    assert info.value.message == (
        "Rate limited: the API asks to wait 300 s, more than max_retry_wait (60 s); press "
        "ctrl+r to retry later.")
    assert info.value.retryable and info.value.retry_after == 300
    assert len(fake_api.requests) == 1


async def test_a_retry_after_as_an_http_date(fake_api):
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    later = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    script = error(429)
    script.headers["retry-after"] = later
    fake_api.add(script)
    with pytest.raises(ProviderError) as info:
        await items_of(quick(fake_api, max_retries=1))
    assert "more than max_retry_wait" in info.value.message
    assert 500 < info.value.retry_after <= 600


async def test_a_server_that_never_sends_headers_times_out_on_the_first_byte(fake_api):
    fake_api.add(reply(text("never"), fault="hang"))
    provider = quick(fake_api, max_retries=2)
    provider.first_byte_timeout = 0.3
    with pytest.raises(ProviderError) as info:
        await items_of(provider)
    assert info.value.kind == "timeout" and info.value.retryable
    assert "sent nothing for 0.3 seconds" in info.value.message
    assert len(fake_api.requests) == 1  # said at once, not after two more silent attempts
    # The server saw the client let go of the connection.
    assert await asyncio.to_thread(fake_api.hung_up.wait, 10)


# --- through the engine ----------------------------------------------------------------------
async def test_the_engine_passes_each_wait_on_as_an_event(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, max_retries=1)
    engine.providers.claude.initial_retry_delay = 0.01
    conversation = engine.new_conversation(MODEL)
    fake_api.add(error(429, retry_after_ms=10), reply(text("Here you are.")))
    events = Events()
    await engine.send(conversation, "hi", on_event=events, confirm_end=Confirm())
    assert events.of(RetryScheduled) == [RetryScheduled(conversation.id, 0.01, "rate limited")]
    names = events.names()
    assert names.index("RetryScheduled") < names.index("TextDelta")
    assert on_disk(engine, conversation)["messages"][-1]["content"][0]["text"] == "Here you are."


async def test_a_cancel_during_the_wait_stops_it_and_sends_nothing_more(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, max_retries=2)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(error(429, retry_after=30), reply(text("never asked for")))
    events = Events()
    waiting = asyncio.Event()

    def on_event(event) -> None:
        events(event)
        if isinstance(event, RetryScheduled):
            waiting.set()

    task = asyncio.create_task(
        engine.send(conversation, "hi", on_event=on_event, confirm_end=Confirm()))
    await asyncio.wait_for(waiting.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert events.items[-1] == TurnFinished(conversation.id, None, interrupted=True)
    assert not events.of(TextDelta) and not events.of(TurnFailed)
    assert len(fake_api.requests) == 1
    assert engine.can_retry(conversation)  # ctrl+r sends it again
