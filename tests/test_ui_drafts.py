"""Unsent drafts: a closed tab's comes back when its conversation is opened again (also after a
restart), deleting forgets it, and the cursor of a draft put in a composer is at its end."""

from __future__ import annotations

import json

from textual.widgets import Input

from claude_tui.conversation import Message
from claude_tui.storage.session import CLOSED_DRAFTS_KEPT, TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.confirm_discard import ConfirmDiscardScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.picker import ConversationPicker
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    panes,
    screen_text,
    settle,
    tabs_file,
    type_and_send,
    until,
)


def _stored(data_dir, words: list[str]):
    store = ConversationStore(data_dir)
    conversation = store.create("claude-tui-demo")
    for number, word in enumerate(words):
        role = "user" if number % 2 == 0 else "assistant"
        store.append(conversation, Message(role=role, content=[{"type": "text", "text": word}]))
    return conversation


async def _open_from_picker(pilot, words: str) -> None:
    app = pilot.app
    await pilot.press("ctrl+o")
    await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
    app.screen.query_one(Input).value = words
    await pilot.pause()
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, ConversationPicker))


def _at_end(composer) -> bool:
    return composer.cursor_location == composer.document.end


async def test_a_closed_tabs_draft_comes_back_when_reopened_and_after_a_restart(
    data_dir,
) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "tell me about otters")
        await settle(pilot)
        otters = active(app).conversation.id
        await pilot.press(*"and also", "ctrl+j", *"beavers")
        await pilot.press("ctrl+w")
        await until(pilot, lambda: otters not in app.tabs)
        assert tabs_file(data_dir)["closed_drafts"] == {otters: "and also\nbeavers"}
        await _open_from_picker(pilot, "otters")
        await until(pilot, lambda: app.tabs.active_id == otters)
        composer = active(app).composer
        assert composer is not None and composer.text == "and also\nbeavers"
        assert _at_end(composer) and app.focused is composer
        assert "closed_drafts" not in tabs_file(data_dir)  # open again: a draft like any other
        await pilot.press(*" too", "ctrl+w")  # typed on at its end, and closed again
        await until(pilot, lambda: otters not in app.tabs)
        await pilot.press("ctrl+q")
    assert tabs_file(data_dir)["closed_drafts"] == {otters: "and also\nbeavers too"}

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert otters not in again.tabs
        await _open_from_picker(pilot, "otters")
        await until(pilot, lambda: again.tabs.active_id == otters)
        composer = active(again).composer
        assert composer is not None and composer.text == "and also\nbeavers too"
        assert _at_end(composer)


async def test_closing_a_new_tab_with_only_a_draft_asks_first(data_dir) -> None:
    # A never-used conversation is deleted when its tab closes (no message, no title): with a
    # draft in it, that would lose the text, so ctrl+w asks.
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n", *"an idea worth keeping")
        await pilot.pause()
        idea = active(app).conversation.id
        await pilot.press("ctrl+w")  # ctrl+w out of habit, meaning to delete a word
        await until(pilot, lambda: isinstance(app.screen, ConfirmDiscardScreen))
        assert "an idea worth keeping" in screen_text(app)
        await pilot.press("enter")  # focus starts on Cancel
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDiscardScreen))
        assert app.tabs.active_id == idea
        assert active(app).composer.text == "an idea worth keeping"
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDiscardScreen))
        await pilot.press("y")
        await until(pilot, lambda: idea not in app.tabs)
        await settle(pilot)
        assert not (data_dir / "conversations" / f"{idea}.json").exists()
        assert idea not in tabs_file(data_dir).get("closed_drafts", {})
        # A new tab closed with nothing in it goes without a question.
        await pilot.press("ctrl+n")
        await pilot.pause()
        empty = active(app).conversation.id
        await pilot.press("ctrl+w")
        await until(pilot, lambda: empty not in app.tabs)
        assert not isinstance(app.screen, ConfirmDiscardScreen)
        assert not (data_dir / "conversations" / f"{empty}.json").exists()


async def test_deleting_a_conversation_forgets_its_closed_draft(data_dir, dialog_clock) -> None:
    kept = _stored(data_dir, ["about gardening", "plant tomatoes"])
    doomed = _stored(data_dir, ["delete this one", "ok"])
    ConversationStore(data_dir).session.save(TabState(
        open=[kept.id], active=kept.id,
        closed_drafts={kept.id: "not this one", doomed.id: "a doomed draft"}))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.tabs.active_id == kept.id)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"delete this", "ctrl+delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        dialog_clock.advance(5)
        await pilot.press("y")
        await until(pilot, lambda: not (data_dir / "conversations" / f"{doomed.id}.json")
                    .exists())
        await until(pilot, lambda: "closed_drafts" not in tabs_file(data_dir))
        await pilot.press("escape")
    # The draft of an open tab is that tab's (the closed one of the same id was stale).
    assert tabs_file(data_dir)["drafts"] == {}


def test_closed_drafts_are_bounded_and_old_files_still_read(data_dir) -> None:
    store = ConversationStore(data_dir)
    ids = []
    for _ in range(CLOSED_DRAFTS_KEPT + 5):
        conversation = store.create("claude-tui-demo")
        store.save(conversation)
        ids.append(conversation.id)
    # A tabs.json written before closed drafts were kept.
    (data_dir / "tabs.json").write_text(json.dumps(
        {"open": [ids[0]], "active": ids[0], "drafts": {ids[0]: "old draft"}}), "utf-8")
    state = store.session.load()
    assert (state.open, state.drafts, state.closed_drafts) == (
        [ids[0]], {ids[0]: "old draft"}, {})
    store.session.save(TabState(open=[ids[0]], active=ids[0],
                                closed_drafts={i: f"draft {i}" for i in ids}))
    store.delete(ids[-1])  # gone since: its draft is not brought back
    loaded = store.session.load().closed_drafts
    # The latest closed kept, in the order closed; never the open tab's, nor a deleted one's.
    assert list(loaded) == ids[-CLOSED_DRAFTS_KEPT:-1]


async def test_a_restored_draft_and_a_branchs_message_put_the_cursor_at_the_end(
    data_dir,
) -> None:
    source = _stored(data_dir, ["first message", "first answer", "second message", "ok"])
    long_draft = "\n".join(f"line {n}" for n in range(1, 31))
    ConversationStore(data_dir).session.save(TabState(
        open=[source.id], active=source.id, drafts={source.id: long_draft}))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.tabs.active_id == source.id)
        composer = active(app).composer
        assert composer is not None and composer.text == long_draft
        assert _at_end(composer)
        # Scrolled to it: the last line is in view (the composer shows 10 of its 30).
        await until(pilot, lambda: composer.scroll_y == composer.max_scroll_y > 0)
        await pilot.press("!")
        assert composer.text == long_draft + "!"
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, MessageChooser))
        await pilot.press("enter")  # the latest message of yours: "second message"
        await until(pilot, lambda: len(panes(app)) == 2 and app.tabs.active_id != source.id)
        branch = active(app).composer
        assert branch is not None and branch.text == "second message"
        assert _at_end(branch)
        await pilot.press(*", edited")
        assert branch.text == "second message, edited"
