"""A doubled enter or escape in a dialog (key repeat, a double tap) closes the dialog once and
never the app, while a reply streams on in another tab."""

from __future__ import annotations

import threading

import pytest
from textual import events
from textual.pilot import Pilot

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.help import HelpScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.picker import ConversationPicker
from claude_tui.ui.dialogs.rename import RenameScreen
from tests.fake_api import FakeAPI, reply, text
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    no_animations,  # noqa: F401
    panes,
    settle,
    type_and_send,
    until,
)


async def press_at_once(pilot: Pilot[None], *keys: str) -> None:
    """The keys queued in one go, as a terminal's burst of bytes arrives (key repeat, a
    double tap): ``pilot.press`` waits for the app to go idle after each key, so the dialog
    would be gone before the second one came."""
    app = pilot.app
    for key in keys:
        event = events.Key(key, "\r" if key == "enter" else None)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


LONG_REPLY = "The first part of a long answer, and then the rest of it."


async def _streaming_in_second_tab(pilot: Pilot[None], fake_api: FakeAPI,
                                   hold: threading.Event) -> None:
    """Tab 1 has one finished exchange and is shown; tab 2 has a reply still streaming."""
    app = pilot.app
    fake_api.add(reply(text("A first answer.")))
    await type_and_send(pilot, "hello")
    await settle(pilot)
    fake_api.add(reply(text(LONG_REPLY), hold=hold))
    await pilot.press("ctrl+n")
    await until(pilot, lambda: len(panes(app)) == 2 and active(app) is panes(app)[1])
    await type_and_send(pilot, "tell me a long story")
    await until(pilot, lambda: "first part" in panes(app)[1].view.live_text)
    await pilot.press("alt+left")
    await until(pilot, lambda: active(app) is panes(app)[0])


@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_a_doubled_key_closes_each_dialog_once(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir, key: str
) -> None:
    hold = threading.Event()
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _streaming_in_second_tab(pilot, fake_api, hold)
            streaming = panes(app)[1]
            for open_key, dialog in (("f2", RenameScreen), ("f8", MessageChooser),
                                     ("ctrl+o", ConversationPicker), ("f1", HelpScreen)):
                await pilot.press(open_key)
                await until(pilot, lambda dialog=dialog: isinstance(app.screen, dialog))
                # Help has no enter: its doubled key is q.
                doubled = "q" if dialog is HelpScreen and key == "enter" else key
                await press_at_once(pilot, doubled, doubled)
                await until(pilot, lambda: len(app.screen_stack) == 1)
                await pilot.pause()
                assert app.is_running, f"{open_key} then {key} twice ended the app"
                assert len(app.screen_stack) == 1
                assert streaming.streaming, "the reply in the other tab was cut off"
                # Back to the first tab for the next dialog (f8 and ctrl+o may open one).
                await app.tabs.show(panes(app)[0].conversation.id)
                await pilot.pause()
            hold.set()
            await settle(pilot)
            assert app.is_running
            saved = conversation_file(data_dir, streaming.conversation.id)["messages"]
            assert saved[-1]["content"][0]["text"] == LONG_REPLY
            assert not saved[-1].get("interrupted", False)
            if key == "enter":
                # Each dialog did its work once: one branch tab opened (and no more).
                assert len(panes(app)) == 3
    finally:
        hold.set()
