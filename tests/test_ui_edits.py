"""Regenerate (f5), edit and resend (f6), the system prompt (f7) and the earlier versions, as
a user does them in the app: on the demo model, and on the real SDK against the fake API."""

from __future__ import annotations

import threading

import pytest
from textual.command import CommandPalette
from textual.widgets import TextArea

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.edit_text import EditTextScreen
from claude_tui.ui.transcript.message import MessageBlock
from claude_tui.ui.transcript.versions import EARLIER_CLASS
from tests.fake_api import FakeAPI, reply, text
from tests.test_ui_conversation import _ended_conversation
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)


def replies(app: ClaudeTUI) -> list[MessageBlock]:
    return [b for b in active(app).view.message_blocks if b.has_class("-assistant")]


def yours(app: ClaudeTUI) -> list[MessageBlock]:
    return [b for b in active(app).view.message_blocks if b.has_class("-user")]


def told(app: ClaudeTUI, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


async def palette(pilot, query: str, name: str) -> None:
    """Run the palette's command called ``name``, found by typing ``query``."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: CommandPalette.is_open(app))
    await pilot.press(*query)
    options = app.screen.query_one("CommandList")

    def found() -> bool:
        return any(name in str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count))

    await until(pilot, found)
    while name not in str(options.highlighted_option.prompt):
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: not CommandPalette.is_open(app))


async def edit_in_dialog(pilot, new_text: str) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, EditTextScreen))
    area = app.screen.query_one(TextArea)
    area.load_text(new_text)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not isinstance(app.screen, EditTextScreen))


async def test_regenerate_on_the_demo_shows_the_new_reply_and_keeps_the_old(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "show me some markdown")
        await settle(pilot)
        assert len(replies(app)) == 1
        await pilot.press("f5")
        await settle(pilot)
        assert len(replies(app)) == 1  # the earlier version is hidden
        assert "Regenerated answer (version 2)" in replies(app)[0].message.text
        pane = active(app)
        stored = conversation_file(data_dir, pane.conversation.id)["messages"]
        assert [m.get("replaced", {}).get("by") for m in stored] == [None, "regenerate", None]

        await palette(pilot, "earlier vers", "Show earlier versions")
        await until(pilot, lambda: len(replies(app)) == 2)
        old, new = replies(app)
        assert old.has_class(EARLIER_CLASS) and not new.has_class(EARLIER_CLASS)
        pane.view.release_anchor()
        pane.view.scroll_home(animate=False)
        await until(pilot, lambda: "earlier version: this reply was regenerated"
                    in screen_text(app))

        await palette(pilot, "earlier vers", "Show earlier versions")  # hidden again
        await until(pilot, lambda: len(replies(app)) == 1)
        pane.view.release_anchor()
        pane.view.scroll_home(animate=False)
        await pilot.pause()
        assert "show me some markdown" in screen_text(app)
        assert "earlier version" not in screen_text(app)


async def test_f6_edits_the_last_message_and_sends_it_in_its_place(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, EditTextScreen))
        assert app.screen.query_one(TextArea).text == "hello"
        await edit_in_dialog(pilot, "what keys are there?")
        await settle(pilot)
        assert [b.message.text for b in yours(app)] == ["what keys are there?"]
        assert "## Keys" in replies(app)[-1].message.text  # it answered the edited message
        pane = active(app)
        stored = conversation_file(data_dir, pane.conversation.id)["messages"]
        assert [m["content"][0]["text"][:5] for m in stored][::2] == ["hello", "what "]
        assert [m.get("replaced", {}).get("by") for m in stored] == [
            "edit", "edit", None, None]


async def test_in_the_edit_dialog_enter_sends_and_ctrl_j_adds_a_line(data_dir) -> None:
    # As in the composer: a user who edits a message presses enter to send it.
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, EditTextScreen))
        await pilot.press("ctrl+j", *"tabs?", "enter")
        await until(pilot, lambda: not isinstance(app.screen, EditTextScreen))
        await settle(pilot)
        assert [b.message.text for b in yours(app)] == ["hello\ntabs?"]
        assert "## Tabs" in replies(app)[-1].message.text


async def test_in_the_system_prompt_dialog_enter_is_a_new_line(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, EditTextScreen))
        await pilot.press(*"Be brief.", "enter", *"Be kind.")
        assert app.screen.query_one(TextArea).text == "Be brief.\nBe kind."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, EditTextScreen))
        assert active(app).conversation.system_prompt == "Be brief.\nBe kind."


async def test_escape_leaves_the_message_as_it_was(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        count = len(active(app).conversation.messages)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, EditTextScreen))
        await pilot.press("x", "escape")
        await until(pilot, lambda: not isinstance(app.screen, EditTextScreen))
        await settle(pilot)
        assert len(active(app).conversation.messages) == count
        assert not any(m.excluded for m in active(app).conversation.messages)


async def test_f7_sets_the_system_prompt_the_demo_shows_in_effect(data_dir) -> None:
    app = ClaudeTUI(demo_options(system_prompt="Answer like a pirate."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "system prompt", "Edit the system prompt…")
        await until(pilot, lambda: isinstance(app.screen, EditTextScreen))
        # The config's prompt is this new conversation's default.
        assert app.screen.query_one(TextArea).text == "Answer like a pirate."
        await edit_in_dialog(pilot, "Answer in haiku.")
        pane = active(app)
        await until(pilot, lambda: pane.conversation.system_prompt == "Answer in haiku.")
        assert conversation_file(data_dir, pane.conversation.id)[
            "system_prompt"] == "Answer in haiku."
        await type_and_send(pilot, "what is your system prompt?")
        await settle(pilot)
        shown = screen_text(app)
        assert "Answer in haiku." in shown and "pirate" not in shown
        assert "claude-tui's own section" in shown  # beside it, not replaced


async def test_an_ended_conversation_offers_none_of_it(fake_api: FakeAPI, monkeypatch,
                                                       data_dir) -> None:
    ended = _ended_conversation(data_dir)
    before = (data_dir / "conversations" / f"{ended.id}.json").read_bytes()
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert active(app).conversation.id == ended.id
        bindings = app.screen.active_bindings
        assert not any(bindings[key].enabled for key in ("f5", "f6", "f7"))  # dimmed, as f2
        await pilot.press("f5", "f6", "f7")
        await settle(pilot)
        assert not isinstance(app.screen, EditTextScreen)
        assert fake_api.requests == []
        await palette(pilot, "system prompt", "Edit the system prompt…")
        await settle(pilot)
        assert not isinstance(app.screen, EditTextScreen)
        assert told(app, "read-only")  # the keys pressed say why
        # Reading is allowed: the earlier versions toggle works (there are none here).
        await palette(pilot, "earlier vers", "Show earlier versions")
        assert active(app).view.versions_shown
    assert (data_dir / "conversations" / f"{ended.id}.json").read_bytes() == before


async def test_not_while_a_reply_streams(fake_api: FakeAPI, monkeypatch, data_dir) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("A first answer")), reply(text("A long answer"), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "one")
            await settle(pilot)
            await type_and_send(pilot, "two")
            pane = active(app)
            await until(pilot, lambda: "long answer" in pane.view.live_text)
            await pilot.press("f5", "f6")
            await until(pilot, lambda: told(app, "still coming"))
            assert not isinstance(app.screen, EditTextScreen)
            hold.set()
            await settle(pilot)
            assert len(fake_api.requests) == 2
            assert not any(m.excluded for m in pane.conversation.messages)
    finally:
        hold.set()


@pytest.mark.parametrize("restart", [False, True])
async def test_requests_after_regenerate_and_edit_are_valid(fake_api: FakeAPI, monkeypatch,
                                                            data_dir, restart: bool) -> None:
    from tests.test_chat_request import assert_valid

    fake_api.add(*(reply(text(f"Answer {n}.")) for n in range(1, 6)))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "one")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("f6")
        await edit_in_dialog(pilot, "one, edited")
        await settle(pilot)
        assert [b.message.text for b in replies(app)] == ["Answer 3."]
        if not restart:
            await type_and_send(pilot, "two")
            await settle(pilot)
    if restart:  # the conversation comes back from its file
        again = ClaudeTUI(claude_options(fake_api, monkeypatch))
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert [b.message.text for b in replies(again)] == ["Answer 3."]
            await type_and_send(pilot, "two")
            await settle(pilot)
    bodies = fake_api.requests
    assert [m["content"][0]["text"] for m in bodies[1]["messages"]] == ["one"]
    assert [m["content"][0]["text"] for m in bodies[2]["messages"]] == ["one, edited"]
    assert [m["content"][0]["text"] for m in bodies[3]["messages"]] == [
        "one, edited", "Answer 3.", "two"]
    for body in bodies:
        assert_valid(body["messages"])
