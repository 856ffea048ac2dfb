"""A conversation tab: streaming, stopping, errors, hostile text, the end-conversation UI."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Input

from claude_tui.conversation import Conversation, IssuedWarning, Message
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import END_DIALOG_GRACE, ClaudeTUI
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.rename import RenameScreen
from claude_tui.ui.tabs.banner import WarningBanner
from claude_tui.ui.tabs.locked import LockedNotice
from claude_tui.ui.transcript.message import declined_text
from claude_tui.ui.turns import NOTHING_TO_END
from tests.fake_api import FakeAPI, error, reply, text, tool_use
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    Clock,
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

HOSTILE = "[bold red]x[/] \x1b]0;pwned\x07 \x1b[31mred"


@pytest.fixture
def options(fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch):
    return claude_options(fake_api, monkeypatch)


async def test_hostile_model_text_is_shown_literally(fake_api: FakeAPI, options) -> None:
    hold = threading.Event()
    fake_api.add(reply(text(HOSTILE), hold=hold))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "say something odd")
            # The live text reaches the screen on the stream's next flush.
            await until(pilot, lambda: "pwned" in screen_text(app))
            streaming = screen_text(app)
            assert "[bold red]x[/]" in streaming  # while it streams...
            assert "␛]0;pwned␇" in streaming
            hold.set()
            await settle(pilot)
            shown = screen_text(app)  # ...and once finished
            assert "[bold red]x[/] ␛]0;pwned␇ ␛[31mred" in shown
            assert "\x1b" not in shown and "\x07" not in shown
    finally:
        hold.set()


async def test_escape_stops_a_streaming_reply_and_keeps_the_text(
    fake_api: FakeAPI, options, data_dir
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("The first part of a long answer"), hold=hold))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "tell me a long story")
            pane = active(app)
            await until(pilot, lambda: "long answer" in pane.view.live_text)
            assert pane.streaming
            assert app.tabs.get_tab(pane.id).label.plain.startswith("●")
            await pilot.press("escape")
            await settle(pilot)
            assert not pane.streaming
            shown = screen_text(app)
            assert "The first part of a long answer" in shown
            assert "stopped" in shown
            assert not app.tabs.get_tab(pane.id).label.plain.startswith("●")
            saved = conversation_file(data_dir, pane.conversation.id)["messages"]
            assert saved[-1]["interrupted"] is True
            assert saved[-1]["content"][0]["text"] == "The first part of a long answer"
    finally:
        hold.set()


async def test_two_tabs_stream_at_once_without_mixing(fake_api: FakeAPI, options) -> None:
    hold_a, hold_b = threading.Event(), threading.Event()
    fake_api.add(reply(text("Alpha reply for the first tab"), hold=hold_a))
    fake_api.add(reply(text("Bravo reply for the second tab"), hold=hold_b))
    app = ClaudeTUI(options)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "first question")
            first = active(app)
            await until(pilot, lambda: "Alpha" in first.view.live_text)
            await pilot.press("ctrl+n")
            await type_and_send(pilot, "second question")
            second = active(app)
            await until(pilot, lambda: "Bravo" in second.view.live_text)
            assert first.streaming and second.streaming  # switching did not stop the first
            await pilot.press("alt+1")
            assert first.streaming
            hold_b.set()
            await until(pilot, lambda: not second.streaming)
            assert first.streaming
            hold_a.set()
            await settle(pilot)
            assert [m.text for m in first.conversation.messages] == [
                "first question", "Alpha reply for the first tab"]
            assert [m.text for m in second.conversation.messages] == [
                "second question", "Bravo reply for the second tab"]
            assert "Bravo" not in screen_text(app)
            assert "Alpha reply for the first tab" in screen_text(app)
    finally:
        hold_a.set()
        hold_b.set()


async def test_an_error_keeps_the_text_and_ctrl_r_retries(
    fake_api: FakeAPI, options, data_dir
) -> None:
    fake_api.add(error(500, message="the server had a bad day"))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "an important question")
        await settle(pilot)
        pane = active(app)
        shown = screen_text(app)
        assert "an important question" in shown
        assert "ctrl+r" in shown
        saved = conversation_file(data_dir, pane.conversation.id)["messages"]
        assert saved[-1]["content"][0]["text"] == "an important question"
        fake_api.add(reply(text("Here is the answer after all.")))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Here is the answer after all." in screen_text(app)
        assert not pane.query_one("#error").display
        assert len(fake_api.requests) == 2
        assert fake_api.requests[1]["messages"][-1]["content"][0]["text"] == (
            "an important question")


async def test_text_stays_in_the_composer_when_it_cannot_be_saved(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = active(app)
        # The conversation file's place is taken by a folder: saving fails for real.
        path = data_dir / "conversations" / f"{pane.conversation.id}.json"
        path.unlink()
        path.mkdir()
        await type_and_send(pilot, "do not lose me")
        await settle(pilot)
        assert pane.composer.text == "do not lose me"
        assert "not sent" in screen_text(app)


async def test_warning_banner_names_the_behaviour_and_comes_back_after_restart(
    fake_api: FakeAPI, options
) -> None:
    behaviour = "repeated insults [i]aimed[/i] at you"
    fake_api.add(reply(text("Let's keep this respectful."),
                       tool_use("issue_warning", {"behavior": behaviour})))
    fake_api.add(reply(text("How can I help?")))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "you are useless")
        await settle(pilot)
        banner = active(app).query_one(WarningBanner)
        assert banner.display
        shown = screen_text(app)
        assert behaviour in shown
        assert "may lead Claude to end the conversation" in shown
        assert "⚠ Claude gave a warning about" in shown  # and the transcript marks it
    again = ClaudeTUI(options)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert active(again).query_one(WarningBanner).display
        shown = screen_text(again)
        assert behaviour in shown
        assert "⚠ Claude gave a warning about" in shown


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_f4_asks_and_ends_only_when_confirmed(
    fake_api: FakeAPI, options, data_dir, answer: str
) -> None:
    fake_api.add(reply(text("Hi.")))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        pane = active(app)
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        assert "permanent" in screen_text(app)
        await pilot.press(answer)
        await settle(pilot)
        saved = conversation_file(data_dir, pane.conversation.id)
        if answer == "n":
            assert saved["status"] == "active"
            assert pane.composer is not None and app.focused is pane.composer
            return
        assert saved["status"] == "ended" and saved["ended"]["by"] == "user"
        assert pane.composer is None
        notice = str(pane.query_one(LockedNotice).render())
        assert "You ended this conversation" in notice
        assert "read-only" in notice and "ctrl+n" in notice
        assert app.tabs.get_tab(pane.id).label.plain.startswith("🔒")
        # Nothing typed there is sent.
        await pilot.press("h", "i", "enter")
        await settle(pilot)
        assert len(fake_api.requests) == 1
        assert len(conversation_file(data_dir, pane.conversation.id)["messages"]) == 2


async def test_slash_end_opens_the_same_dialog(fake_api: FakeAPI, options, data_dir) -> None:
    fake_api.add(reply(text("Hello.")))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hi")
        await until(pilot, lambda: len(active(app).conversation.messages) == 2)
        await type_and_send(pilot, "/end")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        await pilot.press("y")
        await settle(pilot)
        assert active(app).conversation.is_ended


async def test_an_empty_conversation_is_not_ended(options, data_dir) -> None:
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/end")
        await until(pilot, lambda: any(n.message == NOTHING_TO_END for n in app._notifications))
        await pilot.press("f4")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmEndScreen)
        assert not active(app).conversation.is_ended and active(app).composer is not None


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_model_user_requested_end_asks_first(
    fake_api: FakeAPI, options, data_dir, answer: str, dialog_clock: Clock
) -> None:
    fake_api.add(reply(text("I can end it if you like."),
                       tool_use("end_conversation", {"reason": "user_requested"})))
    fake_api.add(reply(text("Alright, let's carry on.")))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "please end this conversation")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        assert app.screen.asked_by == "assistant"
        dialog_clock.advance(END_DIALOG_GRACE + 0.1)  # past the grace period for stray keys
        await pilot.press(answer)
        await settle(pilot)
        pane = active(app)
        if answer == "y":
            assert pane.conversation.is_ended and pane.composer is None
            assert len(fake_api.requests) == 1  # nothing follows the end
        else:
            assert not pane.conversation.is_ended and pane.composer is not None
            shown = screen_text(app)
            assert declined_text("Claude") in shown
            assert "Alright, let's carry on." in shown


def _ended_conversation(data_dir, by: str = "assistant") -> Conversation:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-opus-5-5")
    for role, words in (("user", "first message"), ("assistant", "first answer"),
                        ("user", "second message"), ("assistant", "second answer")):
        store.append(conversation, Message(role=role, content=[{"type": "text", "text": words}]))
    conversation.warnings.append(IssuedWarning("shouting", "2026-01-01T00:00:00Z", 1))
    conversation.status = "ended"
    from claude_tui.conversation import EndRecord

    conversation.ended = EndRecord(by=by, at="2026-01-01T10:00:00Z", reason="persistent_abuse")
    store.save(conversation)
    from claude_tui.storage.session import TabState

    store.session.save(TabState(open=[conversation.id], active=conversation.id))
    return conversation


async def test_an_ended_conversation_is_locked_after_restart(
    fake_api: FakeAPI, options, data_dir
) -> None:
    ended = _ended_conversation(data_dir)
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = active(app)
        assert pane.conversation.id == ended.id
        assert pane.composer is None
        shown = screen_text(app)
        assert "Claude ended this conversation" in shown
        assert "shouting" in shown  # the banner too
        await pilot.press("a", "enter", "f4")
        await settle(pilot)
        assert fake_api.requests == []
        assert not isinstance(app.screen, ConfirmEndScreen)


async def test_branching_opens_a_new_tab_with_the_chosen_message(
    fake_api: FakeAPI, options, data_dir
) -> None:
    ended = _ended_conversation(data_dir)
    before = (data_dir / "conversations" / f"{ended.id}.json").read_bytes()
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, MessageChooser))
        await pilot.press("enter")  # the latest message of yours: "second message"
        # The branch's tab is added, then shown: wait for both.
        await until(pilot, lambda: len(panes(app)) == 2 and app.tabs.active_id != ended.id)
        branch = active(app)
        assert branch.conversation.id != ended.id
        assert branch.composer is not None and branch.composer.text == "second message"
        assert app.focused is branch.composer
        assert [m.text for m in branch.conversation.messages] == ["first message", "first answer"]
        assert tabs_file(data_dir)["open"] == [ended.id, branch.conversation.id]
        # The prefilled message is a draft like any other: a restart would bring it back.
        assert tabs_file(data_dir)["drafts"] == {branch.conversation.id: "second message"}
        fake_api.add(reply(text("A fresh answer.")))
        await pilot.press("enter")
        await settle(pilot)
        assert "A fresh answer." in screen_text(app)
    assert (data_dir / "conversations" / f"{ended.id}.json").read_bytes() == before


async def test_rename_changes_the_label_and_the_file(options, data_dir) -> None:
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = active(app)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, RenameScreen))
        app.screen.query_one(Input).value = "Trip planning"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, RenameScreen))
        assert app.tabs.get_tab(pane.id).label.plain == "Trip planning"
        assert conversation_file(data_dir, pane.conversation.id)["title"] == "Trip planning"


async def test_the_demo_model_warns_then_ends_and_the_tab_locks(data_dir) -> None:
    """The whole feature offline: rude, rude again (warning), rude after it (end)."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        # The loop below stops once the composer is gone: it must have been there first.
        await until(pilot, lambda: active(app).composer is not None)
        pane = active(app)
        for _ in range(3):
            if pane.composer is None:
                break
            await type_and_send(pilot, "you are useless")
            await settle(pilot)
        assert pane.query_one(WarningBanner).display
        assert pane.conversation.is_ended and pane.conversation.ended.by == "assistant"
        assert pane.composer is None
        shown = screen_text(app)
        # The demo model is named for what it is, never passed off as Claude.
        assert "The demo model ended this conversation" in shown
        assert "Claude" not in shown.replace("claude-tui", "")
        view = pane.view
        assert view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y  # at the latest
        await pilot.press("ctrl+n")
        await until(pilot, lambda: active(app) is not pane)
        assert active(app).composer is not None  # a new conversation at once
        assert not active(app).conversation.is_ended


async def test_refused_end_refusal_and_cut_short_show_as_notices(
    fake_api: FakeAPI, options
) -> None:
    # No warning was given first, so the end is refused (E1) and the model carries on.
    fake_api.add(reply(tool_use("end_conversation", {"reason": "persistent_abuse"})))
    fake_api.add(reply(text("Understood, carrying on.")))
    fake_api.add(reply(text("I can't help with"), stop_reason="refusal",
                       stop_details={"type": "refusal", "category": None,
                                     "explanation": "declined by the safety system"}))
    fake_api.add(reply(text("A very long answer that"), stop_reason="max_tokens"))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "first")
        await settle(pilot)
        shown = screen_text(app)
        assert "An attempt to end the conversation (persistent_abuse) was refused" in shown
        assert "Understood, carrying on." in shown
        assert not active(app).conversation.is_ended
        await type_and_send(pilot, "second")
        await settle(pilot)
        assert "declined to continue this reply (refusal)" in screen_text(app)
        await type_and_send(pilot, "third")
        await settle(pilot)
        assert "cut short" in screen_text(app)
