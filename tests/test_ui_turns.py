"""A turn's outcome survives what happens around it: a restart, a closed tab, a broken config."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Input

from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.picker import ConversationPicker
from tests.fake_api import FakeAPI, reply, text
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    panes,
    screen_text,
    settle,
    tabs_file,
    type_and_send,
    until,
)

EXPLANATION = "This reply was stopped by the safety system (a test explanation)."


def flat(shown: str) -> str:
    """The screen's text with its lines joined, for words a notice may wrap."""
    return " ".join(line.strip() for line in shown.splitlines())


async def test_a_refusals_explanation_is_still_shown_after_a_restart(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.add(reply(text("I can't help with"), stop_reason="refusal",
                       stop_details={"type": "refusal", "category": "cyber",
                                     "explanation": EXPLANATION}))
    options = claude_options(fake_api, monkeypatch)
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "something refused")
        await settle(pilot)
        assert EXPLANATION in flat(screen_text(app))
        conversation_id = active(app).conversation.id
    saved = conversation_file(data_dir, conversation_id)["messages"][-1]
    assert saved["stop_reason"] == "refusal"
    assert saved["stop_details"]["explanation"] == EXPLANATION
    again = ClaudeTUI(options)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert active(again).conversation.id == conversation_id
        shown = flat(screen_text(again))
        assert "declined to continue this reply (refusal)" in shown
        assert EXPLANATION in shown


async def test_closing_a_tab_while_its_reply_streams_keeps_the_partial_reply(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("The first part of a long answer"), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+n")  # a second tab to fall back on
            await pilot.pause()
            first, second = panes(app)
            await type_and_send(pilot, "tell me a long story")
            await until(pilot, lambda: "first part" in second.view.live_text)
            assert second.streaming
            await pilot.press("ctrl+w")
            await settle(pilot)  # the turn ends: stopped, not left running without a tab
            assert panes(app) == [first] and active(app) is first
            assert app.is_running and not app.workers  # no turn left behind
            assert tabs_file(data_dir)["open"] == [first.conversation.id]
            # Stopped and saved as a user who pressed escape would find it.
            messages = conversation_file(data_dir, second.conversation.id)["messages"]
            assert [m["role"] for m in messages] == ["user", "assistant"]
            assert messages[1]["content"][0]["text"] == "The first part of a long answer"
            assert messages[1]["interrupted"] is True
            # Opened again, it shows the partial reply marked stopped, and can go on.
            await pilot.press("ctrl+o")
            await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
            app.screen.query_one(Input).value = "long story"
            await pilot.pause()
            await pilot.press("enter")
            # Added, then shown (its history mounted): wait for both.
            await until(pilot, lambda: len(panes(app)) == 2)
            await until(pilot, lambda: app.tabs.active_id == second.conversation.id)
            await until(pilot, lambda: "stopped: this reply" in screen_text(app))
            shown = screen_text(app)
            assert "The first part of a long answer" in shown
            assert "stopped: this reply was interrupted" in shown
            assert active(app).composer is not None
    finally:
        hold.set()
    # The held connection was let go when the turn stopped, not when the test ended.
    assert len(fake_api.requests) == 1


async def test_closing_the_only_tab_while_it_streams_opens_a_fresh_one(data_dir) -> None:
    app = ClaudeTUI(demo_options(demo_chars_per_second=200.0))  # slow enough to catch
    async with app.run_test(size=SIZE) as pilot:
        closing = active(app)
        await type_and_send(pilot, "Show me Python code")
        await until(pilot, lambda: len(closing.view.live_text) > 5)
        await pilot.press("ctrl+w")
        await settle(pilot)
        fresh = active(app)
        assert fresh is not closing and panes(app) == [fresh]
        assert fresh.composer is not None and not fresh.conversation.messages
    stored = ConversationStore(data_dir).load(closing.conversation.id)
    assert stored.messages[-1].interrupted and stored.messages[-1].role == "assistant"
    assert len(stored.messages[-1].text) > 5


async def test_a_theme_that_cannot_be_saved_is_reported_not_fatal(data_dir) -> None:
    options = demo_options()
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The file is edited into invalid TOML while the app runs.
        path = options.settings.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('theme = "textual-dark\nmodel = \n', "utf-8")
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("The theme could not be saved" in m and str(path) in m for m in messages)
        # The file is left exactly as the user wrote it.
        assert path.read_text("utf-8") == 'theme = "textual-dark\nmodel = \n'
        await type_and_send(pilot, "hello")  # and the app goes on working
        await settle(pilot)
        assert len(active(app).conversation.messages) == 2
