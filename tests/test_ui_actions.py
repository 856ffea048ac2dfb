"""Actions around a conversation: open, delete, export, copy, help, theme, damaged files,
long histories and the status line."""

from __future__ import annotations

import tomllib

import pytest

from claude_tui.cli import build_parser, resolve
from claude_tui.config import default_config_path
from claude_tui.conversation import EndRecord, Message
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.help import HelpScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.picker import ConversationPicker
from claude_tui.ui.transcript.message import MessageBlock, MessagePart
from claude_tui.ui.transcript.view import RECENT, EarlierButton
from tests.fake_api import FakeAPI, reply, text
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    demo_options,
    no_animations,  # noqa: F401
    panes,
    screen_text,
    settle,
    tabs_file,
    type_and_send,
    until,
)


def _stored(data_dir, words: list[str], *, ended: bool = False, title: str = ""):
    store = ConversationStore(data_dir)
    conversation = store.create("claude-tui-demo", title=title)
    for number, word in enumerate(words):
        role = "user" if number % 2 == 0 else "assistant"
        store.append(conversation, Message(role=role, content=[{"type": "text", "text": word}]))
    if ended:
        conversation.status = "ended"
        conversation.ended = EndRecord(by="assistant", at="2026-01-01T10:00:00Z",
                                       reason="persistent_abuse")
        store.save(conversation)
    return conversation


async def test_picker_opens_a_stored_ended_conversation_locked(data_dir) -> None:
    shown = _stored(data_dir, ["about gardening", "plant tomatoes"])
    ended = _stored(data_dir, ["about sailing knots", "a bowline"], ended=True)
    ConversationStore(data_dir).session.save(TabState(open=[shown.id], active=shown.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"sailing", "enter")
        # The tab is added first and shown after: wait for both.
        await until(pilot, lambda: len(panes(app)) == 2 and app.tabs.active_id == ended.id)
        pane = active(app)
        assert pane.conversation.id == ended.id
        assert pane.composer is None
        assert "The demo model ended this conversation" in screen_text(app)
        assert tabs_file(data_dir)["open"] == [shown.id, ended.id]
        assert tabs_file(data_dir)["active"] == ended.id
        # Choosing an open one again focuses its tab instead of opening a second.
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"gardening", "enter")
        await until(pilot, lambda: active(app).conversation.id == shown.id)
        assert len(panes(app)) == 2


async def test_deleting_from_the_picker_closes_the_tab(data_dir) -> None:
    first = _stored(data_dir, ["keep this one", "ok"])
    doomed = _stored(data_dir, ["delete this one", "ok"])
    ConversationStore(data_dir).session.save(TabState(open=[first.id, doomed.id], active=first.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"delete this", "ctrl+delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await until(pilot, lambda: len(panes(app)) == 1)
        await pilot.press("escape")
        await pilot.pause()
        assert [p.conversation.id for p in panes(app)] == [first.id]
        assert not (data_dir / "conversations" / f"{doomed.id}.json").exists()
        assert tabs_file(data_dir)["open"] == [first.id]


async def test_a_conversation_deleted_from_the_picker_is_not_restored(data_dir) -> None:
    # Deleting touches only the conversation's file: the app's own save of its tabs is what
    # takes the tab (and its draft) out of tabs.json.
    first = _stored(data_dir, ["keep this one", "ok"])
    doomed = _stored(data_dir, ["delete this one", "ok"])
    ConversationStore(data_dir).session.save(TabState(
        open=[first.id, doomed.id], active=doomed.id,
        drafts={first.id: "a kept draft", doomed.id: "a doomed draft"}))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(panes(app)) == 2 and app.tabs.active_id == doomed.id)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"delete this", "ctrl+delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await until(pilot, lambda: len(panes(app)) == 1)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConversationPicker))
        await pilot.press("ctrl+q")
    saved = tabs_file(data_dir)
    assert saved["open"] == [first.id] and saved["active"] == first.id
    assert saved["drafts"] == {first.id: "a kept draft"}
    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: again.tabs.active_id is not None)
        await pilot.pause()
        assert [p.conversation.id for p in panes(again)] == [first.id]
        assert active(again).composer.text == "a kept draft"


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_delete_from_the_palette_asks_first(data_dir, answer: str) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "short lived")
        await settle(pilot)
        doomed = active(app).conversation.id
        await app.run_action("delete_conversation")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press(answer)
        await settle(pilot)
        path = data_dir / "conversations" / f"{doomed}.json"
        if answer == "n":
            assert path.exists() and active(app).conversation.id == doomed
            return
        assert not path.exists()
        assert [p.conversation.id for p in panes(app)] != [doomed]
        assert len(panes(app)) == 1  # a fresh conversation takes the last tab's place
        assert doomed not in tabs_file(data_dir)["open"]


async def test_export_writes_markdown_of_the_conversation(data_dir) -> None:
    stored = _stored(data_dir, ["question \x1b[31mone", "answer [b]one[/b]"])
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"question", "enter")
        # The new tab is added before it is shown: until then the empty first tab is active,
        # and exporting that wrote a file with no messages.
        await until(pilot, lambda: app.tabs.active_id == stored.id)
        conversation = active(app).conversation
        await app.run_action("export_conversation")
        await pilot.pause()
    path = data_dir / "exports" / f"{conversation.id}.md"
    written = path.read_text("utf-8")
    assert "## You" in written and "question ␛[31mone" in written
    assert "answer [b]one[/b]" in written
    assert "\x1b" not in written


async def test_copy_the_last_reply_and_a_chosen_message(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.add(reply(text("first \x1b]52;c;ZXZpbA==\x07 reply")))
    fake_api.add(reply(text("second reply")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "one")
        await settle(pilot)
        await pilot.press("f3")
        assert app.clipboard == "first ␛]52;c;ZXZpbA==␇ reply"  # no escape reaches it
        await type_and_send(pilot, "two")
        await settle(pilot)
        await pilot.press("f3")
        assert app.clipboard == "second reply"
        await app.run_action("copy_message")
        await until(pilot, lambda: isinstance(app.screen, MessageChooser))
        await pilot.press("up", "enter")  # the last is highlighted; one up is "two"
        await pilot.pause()
        assert app.clipboard == "two"


async def test_help_lists_the_keys(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "ctrl+n" in screen_text(app) or "^n" in screen_text(app)


async def test_a_chosen_theme_is_saved_and_used_at_the_next_start(data_dir) -> None:
    options = resolve(build_parser().parse_args(["--demo"]))
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "nord"
        await pilot.pause()
    saved = tomllib.loads(default_config_path().read_text("utf-8"))
    assert saved["theme"] == "nord"
    again = ClaudeTUI(resolve(build_parser().parse_args(["--demo"])))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_damaged_file_is_reported_and_kept_aside(data_dir) -> None:
    good = _stored(data_dir, ["fine", "yes"])
    broken = _stored(data_dir, ["soon broken", "yes"])
    path = data_dir / "conversations" / f"{broken.id}.json"
    path.write_bytes(b'{"schema": 1, "id": ')
    ConversationStore(data_dir).session.save(TabState(open=[broken.id, good.id], active=broken.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [p.conversation.id for p in panes(app)] == [good.id]
        messages = [n.message for n in app._notifications]
        assert any(path.name in m and "kept aside" in m for m in messages)
    kept = list((data_dir / "conversations" / "damaged").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"schema": 1, "id": '


async def test_a_long_conversation_shows_the_recent_part_first(data_dir) -> None:
    words = [f"message number {n}" for n in range(3 * RECENT)]
    long = _stored(data_dir, words)
    ConversationStore(data_dir).session.save(TabState(open=[long.id], active=long.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = active(app).view
        assert len(view.query(MessageBlock)) == RECENT
        assert "message number 119" in screen_text(app)
        assert view.query(EarlierButton)
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert len(view.query(MessageBlock)) == 2 * RECENT
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert len(view.query(MessageBlock)) == 3 * RECENT
        assert not view.query(EarlierButton)
        blocks = list(view.query(MessageBlock))
        assert [b.index for b in blocks] == list(range(3 * RECENT))


async def test_a_history_of_long_messages_shows_its_recent_part_by_size(data_dir) -> None:
    words = [f"message number {n} " + "lorem ipsum " * 500 for n in range(12)]  # 6 KB each
    long = _stored(data_dir, words)
    ConversationStore(data_dir).session.save(TabState(open=[long.id], active=long.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = active(app).view
        # Two messages make 12 KB; a third would pass RECENT_CHARS (16 KB).
        assert [b.index for b in view.query(MessageBlock)] == [10, 11]
        assert "Show 2 earlier messages" in str(view.query_one(EarlierButton).label)
        for _ in range(5):
            await pilot.press("ctrl+up")
            await pilot.pause()
        assert [b.index for b in view.query(MessageBlock)] == list(range(12))
        assert not view.query(EarlierButton)


async def test_a_huge_last_reply_still_shows_with_its_question(data_dir) -> None:
    huge = _stored(data_dir, ["small question", "big answer " * 6000])
    ConversationStore(data_dir).session.save(TabState(open=[huge.id], active=huge.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = active(app).view
        assert [b.index for b in view.query(MessageBlock)] == [0, 1]
        assert not view.query(EarlierButton)


async def test_history_messages_are_laid_out_once_at_a_width_that_does_not_change(
    data_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measuring a message renders all its Markdown: not twice at the same width, and the
    transcript's width does not change when its history overflows the screen."""
    measured: list[tuple[int, int]] = []
    real = MessagePart.render_strips

    def measuring(self: MessagePart, width: int) -> list:
        if width not in self._strips:
            measured.append((id(self), width))
        return real(self, width)

    monkeypatch.setattr(MessagePart, "render_strips", measuring)
    short = _stored(data_dir, ["a short one", "a short answer"])
    long = _stored(data_dir, [f"**message** number {n} " + "text " * 60 for n in range(12)])
    ConversationStore(data_dir).session.save(TabState(open=[short.id, long.id], active=long.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = active(app).view
        assert view.max_scroll_y > 0  # the history overflows: the scrollbar shows
        await pilot.resize_terminal(SIZE[0] - 10, SIZE[1])
        await pilot.pause()
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert len(measured) == len(set(measured)), "a message was measured twice"
        long_width = view.query(MessageBlock).first().size.width
        await pilot.press("alt+1")
        await pilot.pause()
        assert active(app).view.max_scroll_y == 0
        assert active(app).view.query(MessageBlock).first().size.width == long_width


async def test_the_status_line_shows_model_and_token_use(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.add(reply(text("ok"), usage={"input_tokens": 1234, "output_tokens": 56}))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "count")
        await settle(pilot)
        status = str(app.query_one("#status").render())
        assert "claude-opus-5-5" in status
        assert "↑1.2k ↓56" in status  # input and output tokens, short
        assert "input 1,234, output 56" in str(app.query_one("#status").tooltip)
