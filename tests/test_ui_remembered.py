"""The lines a tab's transcript showed at close are its first screen at the next start.

The messages are mounted after that first paint and take the lines' place in one frame, with
the same look; the lines are kept only when they are what a start shows, and shown only for
the conversation's file as it was then, at the same size and look.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claude_tui.conversation import Message
from claude_tui.storage.reading import FileSignature
from claude_tui.storage.remembered import RememberedView, read_remembered
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.storage.writer import flush_all
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.message import MessageBlock
from claude_tui.ui.transcript.remembered import FirstLines, RememberedLines
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    until,
)

REPLY = ("## Part {n}\n\nSome **bold** words and `code`, then a list:\n\n- one\n- two\n\n"
         "```python\ndef answer_{n}() -> int:\n    return {n}  # the answer\n```\n\n"
         "| a | b |\n|---|---|\n| {n} | x |\n\nThe end of reply {n}.")


def stored_long(data_dir: Path, replies: int = 30) -> str:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-tui-demo", title="Long")
    for n in range(replies):
        store.append(conversation, Message(role="user", content=[
            {"type": "text", "text": f"Question {n}?"}]))
        store.append(conversation, Message(role="assistant", content=[
            {"type": "text", "text": REPLY.format(n=n)}]))
    store.session.save(TabState(open=[conversation.id], active=conversation.id))
    return conversation.id


def view_cells(app: ClaudeTUI) -> list[list[tuple[str, str]]]:
    """Each character the transcript's region shows, with its style as the terminal gets it."""
    view = active(app).view
    strips = app.screen._compositor.render_strips()
    region = view.region
    return [[(char, str(segment.style or "")) for segment in strips[y].crop(region.x,
                                                                            region.right)
             for char in segment.text] for y in range(region.y, region.bottom)]


async def close_with_ctrl_q(size: tuple[int, int] = SIZE,
                            theme: str | None = None) -> list[list[tuple[str, str]]]:
    """A session shown until settled and closed with ctrl+q; what its transcript showed."""
    app = ClaudeTUI(demo_options(theme=theme))
    async with app.run_test(size=size) as pilot:
        view = active(app).view
        await view.all_loaded()
        await settle(pilot)
        await until(pilot, lambda: "The end of reply 29." in screen_text(app))
        shown = view_cells(app)
        await pilot.press("ctrl+q")
    flush_all()
    return shown


class FirstPaint:
    """What the transcript showed when its remembered lines were painted, if they were."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, app: ClaudeTUI, *,
                 hold: bool = False) -> None:
        """``hold``: the lines stay after they are painted, until something needs the
        messages."""
        self.cells: list[list[tuple[str, str]]] | None = None
        self.blocks = -1
        replace = FirstLines._replace

        def recorded(lines: FirstLines) -> None:
            if self.cells is None:
                self.cells = view_cells(app)
                self.blocks = len(active(app).view.query(MessageBlock))
                if hold:
                    return
            replace(lines)

        monkeypatch.setattr(FirstLines, "_replace", recorded)


async def start_without_the_lines(monkeypatch: pytest.MonkeyPatch, text: str, *,
                                  size: tuple[int, int] = SIZE, theme: str | None = None) -> str:
    """Start until ``text`` is on screen and settled, the remembered lines never painted;
    what the screen shows then."""
    app = ClaudeTUI(demo_options(theme=theme))
    first = FirstPaint(monkeypatch, app)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: text in screen_text(app))
        await settle(pilot)
        assert first.cells is None
        assert not active(app).view.query(RememberedLines)
        return screen_text(app)


@pytest.mark.parametrize("theme", [None, "textual-light", "textual-ansi"])
async def test_a_start_shows_the_lines_of_the_last_close_then_the_same_messages(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch, theme: str | None) -> None:
    conversation_id = stored_long(data_dir)
    shown = await close_with_ctrl_q(theme=theme)
    kept = read_remembered(ConversationStore(data_dir).remembered_path)
    assert kept is not None and kept.conversation_id == conversation_id
    app = ClaudeTUI(demo_options(theme=theme))
    first = FirstPaint(monkeypatch, app)
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: first.cells is not None)
        # The first screen: the lines, as shown at close, before any message was mounted.
        assert first.blocks == 0
        assert first.cells == shown
        await view.all_loaded()
        await settle(pilot)
        assert not view.query(RememberedLines)
        assert view.query(MessageBlock)
        assert view_cells(app) == shown  # the messages look as the lines did
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("ctrl+up")  # the view works as any: earlier messages come
        await until(pilot, lambda: "Question 0?" in screen_text(app) or view.first_shown == 0)


async def test_no_lines_are_shown_for_a_file_changed_since_the_close(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conversation_id = stored_long(data_dir)
    await close_with_ctrl_q()
    store = ConversationStore(data_dir)
    conversation = store.load(conversation_id)
    store.append(conversation, Message(role="user", content=[
        {"type": "text", "text": "Written by a script since"}]))
    await start_without_the_lines(monkeypatch, "Written by a script since")


async def test_no_lines_are_shown_in_another_theme(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored_long(data_dir)
    await close_with_ctrl_q(theme="textual-light")
    await start_without_the_lines(monkeypatch, "The end of reply 29.", theme="textual-dark")


async def test_no_lines_are_shown_at_another_terminal_size(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored_long(data_dir)
    await close_with_ctrl_q()
    await start_without_the_lines(monkeypatch, "The end of reply 29.",
                                  size=(SIZE[0] - 10, SIZE[1]))


async def test_lines_scrolled_up_from_are_not_kept(data_dir: Path) -> None:
    stored_long(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await active(app).view.all_loaded()
        await settle(pilot)
        await pilot.press("shift+pageup")  # a start shows the bottom, not this
        await until(pilot, lambda: "The end of reply 29." not in screen_text(app))
        await pilot.press("ctrl+q")
    flush_all()
    assert not ConversationStore(data_dir).remembered_path.exists()


async def test_a_message_sent_at_once_comes_after_the_messages(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored_long(data_dir)
    await close_with_ctrl_q()
    app = ClaudeTUI(demo_options())
    first = FirstPaint(monkeypatch, app, hold=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: first.cells is not None)
        await pilot.pause()
        view = active(app).view
        assert view.query(RememberedLines)  # still the lines: the message is sent over them
        await pilot.press(*"Sent at once", "enter")
        await settle(pilot)
        await until(pilot, lambda: view.query(MessageBlock)
                    and view.query(MessageBlock)[-1].message is not None
                    and view.query(MessageBlock)[-1].message.role == "assistant"
                    and view.query(MessageBlock)[-2].message.text == "Sent at once")
        texts = [b.message.text for b in view.query(MessageBlock) if b.message is not None]
        assert texts[-3] == REPLY.format(n=29)
        assert not view.query(RememberedLines)


@pytest.mark.parametrize("damage", [
    b"not json at all",
    b'{"schema": 1, "conversation": "x"}',
    "control",
])
async def test_a_damaged_or_doctored_file_of_lines_is_not_shown(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes | str) -> None:
    stored_long(data_dir)
    await close_with_ctrl_q()
    path = ConversationStore(data_dir).remembered_path
    if damage == "control":  # an escape sequence in a line would reach the terminal as is
        data = json.loads(path.read_bytes())
        data["lines"][0][0][0] = "\x1b]0;owned\x07"
        path.write_text(json.dumps(data))
    else:
        path.write_bytes(damage)  # type: ignore[arg-type]
    assert "owned" not in await start_without_the_lines(monkeypatch, "The end of reply 29.")


def test_a_remembered_view_reads_back_as_written(tmp_path: Path) -> None:
    view = RememberedView("01abc", FileSignature(10, 20, 30), "looks", (0, 2, 10, 2),
                          ["bold #ffffff on #000000", ""], [[("héllo ", 0), ("世界", 1)], []])
    path = tmp_path / "view.json"
    path.write_text(json.dumps(view.to_json()))
    back = read_remembered(path)
    assert back is not None
    assert (back.conversation_id, back.signature, back.looks, back.where, back.styles,
            back.lines) == ("01abc", FileSignature(10, 20, 30), "looks", (0, 2, 10, 2),
                            view.styles, view.lines)
    assert back.shows("01abc", FileSignature(10, 20, 30))
    assert not back.shows("01abc", FileSignature(11, 20, 30))
    assert not back.shows("01abd", FileSignature(10, 20, 30))


async def test_a_closed_terminal_keeps_the_lines_too(data_dir: Path) -> None:
    conversation_id = stored_long(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await active(app).view.all_loaded()
        await settle(pilot)
        await app.shutdown.save_everything()  # as SIGHUP and SIGTERM do (tests/test_signals.py)
    flush_all()
    kept = read_remembered(ConversationStore(data_dir).remembered_path)
    assert kept is not None and kept.conversation_id == conversation_id


async def test_no_lines_are_kept_while_a_reply_streams(data_dir: Path) -> None:
    stored_long(data_dir)
    app = ClaudeTUI(demo_options(demo_chars_per_second=50.0))
    async with app.run_test(size=SIZE) as pilot:
        await active(app).view.all_loaded()
        await settle(pilot)
        await pilot.press(*"tell me more", "enter")
        await until(pilot, lambda: active(app).streaming)
        await app.shutdown.save_everything()  # the reply is cut off: a start shows it otherwise
    flush_all()
    assert not ConversationStore(data_dir).remembered_path.exists()


async def test_lines_that_cannot_be_kept_never_stop_a_quit(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored_long(data_dir)

    def broken(screen: object) -> None:
        raise RuntimeError("a Textual that renders otherwise")

    monkeypatch.setattr("claude_tui.ui.transcript.remembered.screen_lines", broken)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await active(app).view.all_loaded()
        await settle(pilot)
        await pilot.press(*"a draft", "ctrl+q")
        await until(pilot, lambda: not app.is_running)
    flush_all()
    assert app.return_code == 0
    assert not ConversationStore(data_dir).remembered_path.exists()
    assert "a draft" in json.loads((data_dir / "tabs.json").read_text("utf-8"))["drafts"].values()
