"""Sending from the composer as a fast typist or a script does: keys in the same burst as enter
are kept, and enter while a reply streams queues the message for when the reply ends."""

from __future__ import annotations

import threading

import pytest
from textual._xterm_parser import XTermParser

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.composer.composer import sent_parts
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.turns import END_DIALOG_GRACE
from tests.fake_api import FakeAPI, reply, text, tool_use
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    Clock,
    active,
    claude_options,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    tabs_file,
    type_and_send,
    until,
)


def told(app: ClaudeTUI, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


def burst(app: ClaudeTUI, keys: str) -> None:
    """Keys as a terminal sends them in one read (tmux send-keys, a paste of keystrokes)."""
    for event in XTermParser().feed(keys):
        app.post_message(event)


def texts(app: ClaudeTUI) -> list[str]:
    return [m.text for m in active(app).conversation.messages]


async def queue_behind_reply(pilot, first: str, seen: str, *keys: str) -> None:
    """Send ``first``; once ``seen`` is streaming in, type ``keys`` (an enter among them),
    until the composer's note says a message is queued."""
    app = pilot.app
    await type_and_send(pilot, first)
    await until(pilot, lambda: seen in active(app).view.live_text)
    await pilot.press(*keys)
    await until(pilot, lambda: "queued" in screen_text(app))


@pytest.fixture
def options(fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch):
    return claude_options(fake_api, monkeypatch)


@pytest.mark.parametrize(("sent", "now", "kept"), [
    ("hello", "hello", ""),
    ("hello", "hello more", " more"),
    ("hello", "helXlo", "X"),  # typed with the cursor inside the sent text
    ("hello", "hellx", "x"),  # a backspace after enter, then a key: nothing typed is lost
    ("aa", "aaa", "a"),
    ("", "typed", "typed"),
])
def test_only_the_sent_text_leaves_the_composer(sent: str, now: str, kept: str) -> None:
    head, tail = sent_parts(sent, now)
    assert now[head:len(now) - tail] == kept


async def test_keys_typed_in_the_same_burst_as_enter_stay_in_the_composer(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        composer = active(app).composer
        burst(app, "hello\rmore")
        await until(pilot, lambda: len(active(app).conversation.messages) == 2)
        await settle(pilot)
        assert texts(app)[0] == "hello"
        assert composer.text == "more"
        composer.clear()
        burst(app, "/end\r, kept")  # /end takes only itself out too
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        assert composer.text == ", kept"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmEndScreen))
        assert composer.text == ", kept" and not active(app).conversation.is_ended


async def test_enter_while_a_reply_streams_queues_the_message_until_it_ends(
    fake_api: FakeAPI, options, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("The first part of a long answer"), hold=hold))
    fake_api.add(reply(text("And the second answer.")))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            composer = pane.composer
            await queue_behind_reply(pilot, "first question", "first part",
                                     *"second question", "enter")
            assert "second question" in screen_text(app)  # shown, not gone
            assert composer.text == ""
            await pilot.press(*"third, typed while waiting")
            # Kept with the drafts meanwhile: a quit now would not lose it.
            assert pane.draft == "second question\nthird, typed while waiting"
            hold.set()
            await until(pilot, lambda: len(pane.conversation.messages) == 4
                        and not pane.streaming)
            await settle(pilot)
            assert texts(app) == ["first question", "The first part of a long answer",
                                  "second question", "And the second answer."]
            assert composer.text == "third, typed while waiting"  # apart, not glued on
            assert "queued" not in screen_text(app)
            assert "And the second answer." in screen_text(app)
    finally:
        hold.set()
    assert len(fake_api.requests) == 2


async def test_escape_takes_a_queued_message_back_and_the_reply_goes_on(
    fake_api: FakeAPI, options, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("A reply that takes its time"), hold=hold))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            composer = pane.composer
            await queue_behind_reply(pilot, "first question", "takes its time",
                                     *"second question", "enter", *"more")
            await pilot.press("escape")
            await pilot.pause()
            assert composer.text == "second question\nmore" and pane.streaming
            assert "queued" not in screen_text(app)
            hold.set()
            await settle(pilot)
            assert texts(app) == ["first question", "A reply that takes its time"]
            assert not pane.conversation.messages[-1].interrupted
            assert composer.text == "second question\nmore"  # not sent on its own
    finally:
        hold.set()
    assert len(fake_api.requests) == 1


async def test_a_queued_message_goes_back_when_the_reply_fails(
    fake_api: FakeAPI, options, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("A reply that breaks"), fault="cut", hold=hold))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            await queue_behind_reply(pilot, "first question", "that breaks",
                                     *"second question", "enter")
            hold.set()
            await settle(pilot)
            await until(pilot, lambda: told(app, "queued message was not sent"))
            assert pane.composer.text == "second question"
            assert "second question" not in texts(app)
    finally:
        hold.set()
    assert len(fake_api.requests) == 1


async def test_closing_a_tab_with_a_queued_message_keeps_it_as_the_draft(
    fake_api: FakeAPI, options, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("A reply left behind"), hold=hold))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            await queue_behind_reply(pilot, "first question", "left behind",
                                     *"second question", "enter", *"and more")
            await pilot.press("ctrl+w")
            await until(pilot, lambda: pane.conversation.id not in app.tabs)
            await settle(pilot)
            assert tabs_file(data_dir)["closed_drafts"] == {
                pane.conversation.id: "second question\nand more"}
    finally:
        hold.set()
    assert len(fake_api.requests) == 1  # the queued one never went


async def test_a_queued_message_is_never_sent_into_an_ended_conversation(
    fake_api: FakeAPI, options, data_dir, dialog_clock: Clock
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("I can end it if you like."),
                       tool_use("end_conversation", {"reason": "user_requested"}), hold=hold))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            await queue_behind_reply(pilot, "please end this conversation", "end it if you like",
                                     *"one more thing", "enter")
            hold.set()
            await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
            dialog_clock.advance(END_DIALOG_GRACE + 0.1)
            await pilot.press("y")
            await settle(pilot)
            await until(pilot, lambda: told(app, "queued message was not sent"))
            assert pane.conversation.is_ended and pane.composer is None
            assert "one more thing" not in texts(app)
            assert app.clipboard == "one more thing"  # not lost
            assert "Not sent (the conversation has ended): one more thing" in screen_text(app)
    finally:
        hold.set()
    assert len(fake_api.requests) == 1  # nothing follows the end


async def test_several_queued_messages_go_one_by_one_and_a_quit_keeps_them(
    fake_api: FakeAPI, options, data_dir
) -> None:
    first_hold, second_hold, hold = threading.Event(), threading.Event(), threading.Event()
    fake_api.add(reply(text("Answer one"), hold=first_hold))
    fake_api.add(reply(text("Answer two"), hold=second_hold))
    fake_api.add(reply(text("Answer three")))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            await type_and_send(pilot, "question one")
            await until(pilot, lambda: "Answer one" in pane.view.live_text)
            await pilot.press(*"question two", "enter", *"question three", "enter")
            await until(pilot, lambda: "2 messages queued" in screen_text(app))
            first_hold.set()
            await until(pilot, lambda: "Answer two" in pane.view.live_text)
            assert "1 message queued" in screen_text(app)
            second_hold.set()
            await until(pilot, lambda: len(pane.conversation.messages) == 6
                        and not pane.streaming)
            assert texts(app) == ["question one", "Answer one", "question two", "Answer two",
                                  "question three", "Answer three"]
            # Queued once more, then the app quits before the reply ends: it is the draft.
            fake_api.add(reply(text("Answer four"), hold=hold))
            await queue_behind_reply(pilot, "question four", "Answer four",
                                     *"question five", "enter", *"six")
            await pilot.press("ctrl+q")
        assert tabs_file(data_dir)["drafts"] == {pane.conversation.id: "question five\nsix"}
    finally:
        first_hold.set()
        second_hold.set()
        hold.set()


async def test_a_message_that_could_not_be_saved_comes_back_before_what_was_typed_since(
    data_dir,
) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = active(app)
        # The conversation file's place is taken by a folder: saving fails for real.
        path = data_dir / "conversations" / f"{pane.conversation.id}.json"
        path.unlink()
        path.mkdir()
        burst(app, "do not lose me\rnor me")
        await until(pilot, lambda: "not sent" in screen_text(app).lower())
        await settle(pilot)
        assert pane.composer.text == "do not lose me\nnor me"


async def test_up_in_the_empty_composer_takes_a_queued_message_back_to_edit(
    fake_api: FakeAPI, options, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("A reply that takes its time"), hold=hold))
    fake_api.add(reply(text("The edited one is answered.")))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            pane = active(app)
            composer = pane.composer
            await queue_behind_reply(pilot, "first question", "takes its time",
                                     *"second questoin", "enter")
            await pilot.press("up")
            await pilot.pause()
            assert composer.text == "second questoin" and "queued" not in screen_text(app)
            await pilot.press("backspace", "backspace", "backspace", *"ion", "enter")
            await until(pilot, lambda: "queued" in screen_text(app))
            hold.set()
            await until(pilot, lambda: len(pane.conversation.messages) == 4
                        and not pane.streaming)
            assert texts(app)[2:] == ["second question", "The edited one is answered."]
    finally:
        hold.set()
