"""What the user reads when something goes wrong: each thing said once, in plain words, and a
reply that broke off told apart from one the user stopped."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Static

from claude_tui.conversation import Conversation, Message
from claude_tui.events import TurnFailed
from claude_tui.providers.base import ProviderError
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.message import Notice, widgets_for
from tests.chat_support import MODEL, Confirm, Events, FirstText, make_engine, on_disk
from tests.fake_api import FakeAPI, error, html_page, malformed_sse, reply, text
from tests.test_anthropic_provider import collect
from tests.ui_helpers import (  # no_animations is an autouse fixture
    active,
    claude_options,
    no_animations,  # noqa: F401
    settle,
    type_and_send,
)


async def test_a_web_page_where_the_api_should_be_is_named_as_such(fake_api: FakeAPI):
    fake_api.add(html_page())
    with pytest.raises(ProviderError) as info:
        await collect(fake_api.provider())
    assert info.value.message.startswith(
        f"The server at {fake_api.base_url} answered with a web page, not the Messages API: "
        "check ANTHROPIC_BASE_URL")
    assert "connection" not in info.value.message and "broke off" not in info.value.message


async def test_a_malformed_event_stream_gets_a_sentence_not_the_parsers_words(fake_api):
    fake_api.add(malformed_sse())
    with pytest.raises(ProviderError) as info:
        await collect(fake_api.provider())
    message = info.value.message
    assert message == ("The API's reply could not be read: its event stream was malformed; "
                       "press ctrl+r to retry.")


@pytest.mark.parametrize("script", [error(529), error(500), error(429, retry_after=5),
                                    reply(text("Half a"), fault="cut")])
async def test_the_retry_hint_is_said_once(fake_api: FakeAPI, monkeypatch, script) -> None:
    fake_api.add(script)
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=(200, 30)) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        shown = str(active(app).query_one("#error", Static).render())
        assert "ctrl+r" in shown
        assert shown.casefold().count("ctrl+r") == 1, shown




async def test_the_saved_reply_says_whether_it_was_stopped_or_broke_off(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    stopped = engine.new_conversation(MODEL)
    fake_api.add(reply(text("The first part"), fault="stall"))
    events = FirstText()
    task = asyncio.create_task(engine.send(stopped, "go", on_event=events, confirm_end=Confirm()))
    await events.arrived.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert on_disk(engine, stopped)["messages"][-1]["interruption"] == "stopped"

    broken = engine.new_conversation(MODEL)
    fake_api.add(reply(text("The first part"), fault="cut"))
    failed = Events()
    await engine.send(broken, "go", on_event=failed, confirm_end=Confirm())
    assert failed.of(TurnFailed)
    assert on_disk(engine, broken)["messages"][-1]["interruption"] == "broke_off"

    no_stop = engine.new_conversation(MODEL)
    fake_api.add(reply(text("All of it but the end"), fault="no_stop"))
    await engine.send(no_stop, "go", on_event=Events(), confirm_end=Confirm())
    assert on_disk(engine, no_stop)["messages"][-1]["interruption"] == "broke_off"


def _notices(interruption: str | None, *, excluded: bool = False) -> list[str]:
    conversation = Conversation(id="c1", model=MODEL)
    reply_message = Message(role="assistant", content=[{"type": "text", "text": "Half"}],
                            interrupted=True, excluded=excluded)
    if interruption is not None:
        reply_message.extra["interruption"] = interruption
    conversation.messages = [Message(role="user", content=[{"type": "text", "text": "hi"}]),
                             reply_message]
    return [str(w.content) for w in widgets_for(conversation, 1) if isinstance(w, Notice)]


def test_the_notice_words_the_interruption() -> None:
    assert _notices("stopped") == ["⏹ stopped: this reply was interrupted by you"]
    assert _notices("broke_off") == [
        "⚡ broke off: the connection ended before the reply was complete; ctrl+r retries"]
    # Retried already: the hint is spent.
    assert _notices("broke_off", excluded=True) == [
        "⚡ broke off: the connection ended before the reply was complete"]
    # A file written before the key existed keeps the old words.
    assert _notices(None) == ["⏹ stopped: this reply was interrupted"]
