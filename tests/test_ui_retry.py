"""The tab shows a retry's wait as a countdown the user can stop, and says when a wait would
be too long."""

from __future__ import annotations

import json

import pytest

from claude_tui.ui.app import ClaudeTUI
from tests.cli_support import store_conversation
from tests.fake_api import FakeAPI, error, reply, text
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)


def countdown(app: ClaudeTUI) -> str:
    return active(app).countdown.text


async def test_the_wait_counts_down_each_second_then_the_reply_comes(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.add(error(429, retry_after_ms=2500), reply(text("Worth the wait.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch, max_retries=2))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await until(pilot, lambda: "rate limited, retrying in 3 s; escape stops" in
                    screen_text(app), tries=4000)
        await until(pilot, lambda: "rate limited, retrying in 2 s; escape stops" in
                    screen_text(app), tries=4000)
        await settle(pilot)
        assert "Worth the wait." in screen_text(app)
        assert "retrying" not in screen_text(app) and countdown(app) == ""
    assert len(fake_api.requests) == 2


async def test_escape_stops_the_wait_and_ctrl_r_sends_again(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.add(error(429, retry_after=30))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch, max_retries=2))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await until(pilot, lambda: "rate limited, retrying in 30 s; escape stops" in
                    screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        assert not active(app).streaming and countdown(app) == ""
        assert "retrying in" not in screen_text(app)
        assert len(fake_api.requests) == 1  # the wait was stopped, not sent at its end
        fake_api.add(reply(text("Now it works.")))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Now it works." in screen_text(app)
        saved = conversation_file(data_dir, active(app).conversation.id)["messages"]
        assert [m["role"] for m in saved] == ["user", "assistant"]


async def test_a_wait_longer_than_the_cap_is_left_to_the_user(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.add(error(429, retry_after=300))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch, max_retries=2, max_retry_wait=60))
    async with app.run_test(size=(160, 30)) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        shown = screen_text(app)
        assert ("Rate limited: the API asks to wait 300 s, more than max_retry_wait (60 s); "
                "press ctrl+r to retry later.") in shown
        assert shown.count("ctrl+r") == 1  # said once, not twice
        assert len(fake_api.requests) == 1


async def test_after_a_restart_a_failed_turn_still_says_why_it_got_no_reply(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.add(error(400, "invalid_request_error", "the prompt is far too long for us"))
    options = claude_options(fake_api, monkeypatch, max_retries=0)
    app = ClaudeTUI(options)
    async with app.run_test(size=(160, 30)) as pilot:
        await type_and_send(pilot, "a question")
        await settle(pilot)
        error_line = str(active(app).query_one("#error").render())
        assert "the prompt is far too long for us" in error_line
        conversation_id = active(app).conversation.id
    saved = conversation_file(data_dir, conversation_id)["messages"]
    assert saved[-1]["role"] == "user"
    assert "the prompt is far too long for us" in saved[-1]["no_reply"]["reason"]

    app = ClaudeTUI(options)  # a restart: the tab comes back with the reason, not a bare notice
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: active(app).query_one("#error").display)
        shown = str(active(app).query_one("#error").render())
        assert shown.startswith("⚠ Your last message got no reply: ")
        assert "the prompt is far too long for us" in shown and "ctrl+r" in shown
        fake_api.add(reply(text("Answered at last.")))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Answered at last." in screen_text(app)
    saved = conversation_file(data_dir, conversation_id)["messages"]
    assert [m["role"] for m in saved] == ["user", "assistant"]
    assert "no_reply" not in saved[0]  # answered: the failure is no longer news


async def test_a_file_without_the_reason_still_gets_the_plain_notice(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    old = store_conversation(data_dir, "asked before the reason was kept")  # no reply yet
    tabs = {"open": [old.id], "active": old.id, "drafts": {}}
    (data_dir / "tabs.json").write_text(json.dumps(tabs))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: active(app).query_one("#error").display)
        shown = str(active(app).query_one("#error").render())
        assert shown == "⚠ Your last message got no reply. Press ctrl+r to send it again."
