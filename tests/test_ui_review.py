"""Fixes from review: inert links while streaming, a guarded end dialog, late damage reports,
the exit code, read-only ended tabs, drafts saved while typing."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown

from claude_tui.config import DEMO_MODEL
from claude_tui.conversation import EndRecord, Message
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.actions import READ_ONLY_NOTICE
from claude_tui.ui.app import DEMO_NOTICE, END_DIALOG_GRACE, ClaudeTUI, run_app
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.dialogs.picker import ConversationPicker
from claude_tui.ui.dialogs.rename import RenameScreen
from claude_tui.ui.transcript.message import LiveReply
from tests.fake_api import FakeAPI, reply, text, tool_use
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    Clock,
    active,
    claude_options,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    settle,
    tabs_file,
    type_and_send,
    until,
)


async def test_a_link_in_the_streaming_reply_opens_nothing(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("[the docs](vscode://file/etc/passwd) more words"), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    clicked: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, Markdown.LinkClicked):
            clicked.append(message.href)

    try:
        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            await type_and_send(pilot, "where are the docs?")
            pane = active(app)
            await until(pilot, lambda: pane.query(LiveReply)
                        and "more words" in pane.query_one(LiveReply).source)
            await pilot.pause()
            live = pane.query_one(LiveReply)
            # The link is shown as its words and its target, as plain text: nothing on the
            # screen is a link (no OSC 8 hyperlink, no clickable action).
            strips = live.render_strips(live.size.width)
            shown = "".join(seg.text for strip in strips for seg in strip)
            assert "the docs" in shown and "vscode://file/etc/passwd" in shown
            assert not any(seg.style is not None and (seg.style.link or seg.style.meta)
                           for strip in strips for seg in strip)
            for x in range(2, 12):
                await pilot.click(live, offset=(x, 0))
            await pilot.pause()
            assert clicked == []
            assert opened == []
            hold.set()
            await settle(pilot)
    finally:
        hold.set()


async def test_the_models_end_dialog_shows_its_tab_and_ignores_keys_typed_just_before(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir, dialog_clock: Clock
) -> None:
    hold = threading.Event()
    fake_api.add(reply(text("I can end it if you like."),
                       tool_use("end_conversation", {"reason": "user_requested"}), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "please end this conversation")
            first = active(app)
            await until(pilot, lambda: "end it" in first.view.live_text)
            await pilot.press("ctrl+n")
            await until(pilot, lambda: active(app) is not first)
            second = active(app)
            await pilot.press("h", "e")  # typing in another tab when the dialog comes up
            hold.set()
            await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
            assert app.tabs.active_id == first.conversation.id  # the tab being ended is shown
            assert app.focused is not None and app.focused.id == "cancel"
            await pilot.press("y", "enter", "n")  # meant as text: ignored
            await pilot.pause()
            assert isinstance(app.screen, ConfirmEndScreen)
            assert not first.conversation.is_ended
            dialog_clock.advance(END_DIALOG_GRACE + 0.1)
            await pilot.press("y")
            await until(pilot, lambda: first.conversation.is_ended)
            await settle(pilot)
            assert first.conversation.is_ended
            assert conversation_file(data_dir, first.conversation.id)["status"] == "ended"
            assert not second.conversation.is_ended
    finally:
        hold.set()


async def test_the_users_own_end_dialog_has_no_grace_period(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, dialog_clock: Clock
) -> None:
    fake_api.add(reply(text("Hi.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        await pilot.press("y")  # f4 was pressed on purpose: y at once confirms
        await settle(pilot)
        assert active(app).conversation.is_ended


async def test_a_file_found_damaged_by_the_picker_is_reported_once(data_dir) -> None:
    store = ConversationStore(data_dir)
    kept = store.create(DEMO_MODEL, title="kept for later")
    store.append(kept, Message(role="user", content=[{"type": "text", "text": "hello"}]))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert kept.id not in app.tabs
        (data_dir / "conversations" / f"{kept.id}.json").write_text("{not json", "utf-8")
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))

        def reports() -> list[str]:
            return [n.message for n in app._notifications if f"{kept.id}.json" in n.message]

        await until(pilot, reports)
        assert len(reports()) == 1
        assert "damaged/" in reports()[0]
        await pilot.press("escape")
        await pilot.press("ctrl+o")  # listed again: nothing new to say
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.pause()
        assert len(reports()) == 1


@pytest.mark.parametrize(("ending", "code"), [("quit", 0), ("exit 3", 3), ("crash", 1)])
def test_run_app_returns_the_apps_exit_code(
    monkeypatch: pytest.MonkeyPatch, ending: str, code: int
) -> None:
    run = ClaudeTUI.run

    async def end_once_up(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ClaudeTUI)
        # Mounted for real: the restored tab shows, its composer taking the keys.
        await until(pilot, lambda: app.active_pane is not None
                    and app.focused is app.active_pane.composer is not None)
        if ending == "quit":
            await pilot.press("ctrl+q")
        elif ending == "exit 3":
            app.exit(return_code=3)
        else:
            app.call_later(lambda: 1 / 0)  # an error nothing in the app catches

    def headless(self: ClaudeTUI, **kwargs: object) -> None:
        # The app's own run, headless and driven by end_once_up.
        run(self, headless=True, size=SIZE, auto_pilot=end_once_up, **kwargs)  # type: ignore

    monkeypatch.setattr(ClaudeTUI, "run", headless)
    assert run_app(demo_options()) == code


def notices(app: ClaudeTUI) -> list[str]:
    return [n.message for n in app._notifications if n.message != DEMO_NOTICE]


def _ended_and_open(data_dir) -> tuple[str, str]:
    store = ConversationStore(data_dir)
    ended = store.create(DEMO_MODEL, title="an ended talk")
    store.append(ended, Message(role="user", content=[{"type": "text", "text": "hello"}]))
    ended.status = "ended"
    ended.ended = EndRecord(by="user", at="2026-01-01T10:00:00Z", reason="user_requested")
    store.save(ended)
    still_open = store.create(DEMO_MODEL, title="an open talk")
    store.append(still_open, Message(role="user", content=[{"type": "text", "text": "hi"}]))
    store.session.save(TabState(open=[ended.id, still_open.id], active=ended.id))
    return ended.id, still_open.id


async def test_an_ended_tab_cannot_be_renamed_and_its_footer_dims_what_it_refuses(
    data_dir,
) -> None:
    ended_id, open_id = _ended_and_open(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.tabs.active_id == ended_id)
        for action in ("rename", "end_conversation", "retry"):
            assert app.check_action(action, ()) is None, action
        assert app.check_action("branch", ()) is True  # allowed on an ended one (E5)
        # A key goes through several widgets before the app hears it: wait for its notice.
        await pilot.press("f2")
        await until(pilot, lambda: notices(app))
        assert not isinstance(app.screen, RenameScreen)
        assert notices(app) == [READ_ONLY_NOTICE]  # the dimmed key says why it does nothing
        app.action_rename()  # as any other way in would: refused, with a word why
        await pilot.pause()
        assert not isinstance(app.screen, RenameScreen)
        assert notices(app) == [READ_ONLY_NOTICE] * 2
        await pilot.press("f4", "ctrl+r")  # end and retry: the same, once each
        await until(pilot, lambda: len(notices(app)) >= 4)
        await pilot.pause()  # a fifth would be a key answered twice
        assert notices(app) == [READ_ONLY_NOTICE] * 4
        assert not isinstance(app.screen, ConfirmEndScreen)
        assert conversation_file(data_dir, ended_id)["title"] == "an ended talk"
        await app.tabs.show(open_id)
        assert app.check_action("rename", ()) is True
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, RenameScreen))


async def test_a_draft_is_saved_once_typing_pauses_not_per_keystroke(
    data_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ClaudeTUI(demo_options())
    writes: list[dict[str, str]] = []
    save_tabs = app.store.session.save_soon

    def counted(state: TabState) -> Future[None]:
        writes.append(dict(state.drafts))
        return save_tabs(state)

    monkeypatch.setattr(app.store.session, "save_soon", counted)
    app.draft_save_delay = 60.0  # typing has not paused yet
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.active_pane is not None)
        pane = active(app)
        await pilot.pause()
        writes.clear()
        await pilot.press(*"half a thought")
        await pilot.pause()
        assert writes == []  # nothing written per keystroke
        app.draft_save_delay = 0.01  # the pause after the next key is long enough
        await pilot.press("!")
        await until(pilot, lambda: writes)
        await pilot.pause()
        assert writes == [{pane.conversation.id: "half a thought!"}]
        assert tabs_file(data_dir)["drafts"] == {pane.conversation.id: "half a thought!"}
