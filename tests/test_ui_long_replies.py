"""Long replies: the live part stays small while streaming, and finished replies are several
bounded widgets that are not rendered again when the reply ends."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Markdown

from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.blocks import (
    BLOCK_CHARS,
    CODE_CHUNK_LINES,
    BlockSplitter,
    split_text,
)
from claude_tui.ui.transcript.message import (
    LiveReply,
    MessageBlock,
    MessagePart,
    StreamedReply,
)
from claude_tui.ui.transcript.parts import GROUP_PARTS, PartGroup
from tests.fake_api import FakeAPI, reply, text
from tests.test_ui_actions import _stored
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)


def _long_reply(sections: int) -> str:
    parts = []
    for n in range(sections):
        parts.append(f"## Heading {n}\n\nParagraph {n} with `code` and **bold** words.\n\n"
                     f"- item {n}a\n- item {n}b\n\n| k | v |\n|---|---|\n| {n} | x |\n")
    return "\n".join(parts) + "\nThe very last words."


def test_streamed_blocks_equal_the_blocks_of_the_whole_text() -> None:
    whole = _long_reply(5) + "\n```python\n" + "x = 1\n" * (3 * CODE_CHUNK_LINES) + "```\n"
    splitter = BlockSplitter()
    streamed = []
    for start in range(0, len(whole), 7):
        splitter.feed(whole[start:start + 7])
        streamed += splitter.take()
        assert len(splitter.open_text) < 4000  # the live block stays small
    streamed += splitter.finish()
    assert streamed == split_text(whole)
    chunks = [s.code for s in streamed if s.code is not None]
    assert len(chunks) >= 3 and chunks[0].first and chunks[-1].last
    assert "".join(c.code + "\n" for c in chunks).count("x = 1") == 3 * CODE_CHUNK_LINES


def test_an_unclosed_fence_and_tildes_are_blocks_too() -> None:
    segments = split_text("intro\n~~~\na\n\nb\n~~~\n\n```\nnever closed\n\nstill code\n")
    assert [s.text for s in segments] == ["intro\n", "~~~\na\n\nb\n~~~\n", "\n",
                                          "```\nnever closed\n\nstill code\n"]


async def test_a_long_streamed_reply_keeps_one_small_live_markdown(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = threading.Event()
    long = _long_reply(40)
    fake_api.add(reply(text(long + "\n\nstill going"), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "write a lot")
            view = active(app).view
            await until(pilot, lambda: "still going" in view.live_text)
            await until(pilot, lambda: view.query(LiveReply)
                        and "still going" in view.query_one(LiveReply).source)
            # The old design had one Markdown with a block widget per block of the reply;
            # now one small live widget holds the open block, and no Markdown widget at all.
            assert len(view.query(LiveReply)) == 1
            assert not view.query(Markdown)
            assert len(view.query_one(LiveReply).source) <= BLOCK_CHARS + 200
            parts = view.query(MessagePart)
            assert len(parts) >= 4  # 40 sections in parts of bounded size
            hold.set()
            await settle(pilot)
            reply_widget = view.query(MessageBlock).last()
            assert isinstance(reply_widget, StreamedReply)  # the streamed widgets stayed
            assert reply_widget.index == 1
            assert not view.query(LiveReply)  # nothing live is left
            assert "The very last words." in screen_text(app)
    finally:
        hold.set()


async def test_a_finished_long_message_is_several_bounded_widgets(data_dir) -> None:
    code = "```python\n" + "".join(f"value_{n} = {n}\n" for n in range(500)) + "```\n"
    long = _stored(data_dir, ["show me", _long_reply(30) + "\n" + code + "\nDone."])
    ConversationStore(data_dir).session.save(TabState(open=[long.id], active=long.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = active(app).view
        answer = view.query(MessageBlock).last()
        parts = list(answer.query(MessagePart))
        assert len(parts) >= 5  # 12 KB in parts of about 1.5 KB
        assert "Done." in screen_text(app)
        # The fence is cut into chunks, each shown as code (not as ``` source text).
        view.scroll_to(y=answer.region.y + 40, animate=False)
        await pilot.pause()
        assert "```" not in screen_text(app)


async def test_a_code_fence_split_across_chunks_renders_as_code_while_streaming(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = threading.Event()
    lines = "".join(f"number_{n} = {n}\n" for n in range(2 * CODE_CHUNK_LINES + 5))
    fake_api.add(reply(text("Here:\n\n```python\n" + lines), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "code please")
            view = active(app).view
            last = f"number_{2 * CODE_CHUNK_LINES + 4} = "
            await until(pilot, lambda: view.query(LiveReply)
                        and last in view.query_one(LiveReply).source)
            # The still-open tail of the fence is a fence in the live block.
            assert view.query_one(LiveReply).source.startswith("```python")
            assert len(view.query(MessagePart)) >= 2
            assert "```" not in screen_text(app)
            hold.set()
            await settle(pilot)
            assert last.strip() in screen_text(app)
            assert "```" not in screen_text(app)
    finally:
        hold.set()


async def test_a_very_long_reply_keeps_its_parts_in_a_few_groups_in_order(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A layout walks the reply's groups, not its hundreds of parts; the text stays in order,
    streamed and when opened again. Streamed faster than shown, the text above the screen is
    held in fewer, larger parts (they wait to be rendered and never change)."""
    sections = 1000  # about 117 KB: two groups of parts or more, however fast it comes
    long = _long_reply(sections)
    fake_api.add(reply(text(long)))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "write a lot")
        await settle(pilot)
        view = active(app).view
        answer = view.query(MessageBlock).last()
        assert isinstance(answer, StreamedReply)
        await until(pilot, lambda: answer.waiting == 0)  # rendered in the background
        groups = list(answer.query(PartGroup))
        assert len(groups) >= 2
        assert all(len(group.children) <= GROUP_PARTS for group in groups)
        streamed_parts = len(answer.query(MessagePart))
        # The reply's own children: its heading and the groups, nothing per part.
        assert len(answer.children) == 1 + len(groups)
        assert "The very last words." in screen_text(app)
        shown = [text for part in answer.query(MessagePart)
                 for text in (strip.text for strip in part.render_strips(part.size.width))]
        headings = [int(line.split()[-1]) for line in shown if "Heading" in line]
        assert headings == list(range(sections))
        conversation = active(app).conversation
    options = claude_options(fake_api, monkeypatch)
    ConversationStore(options.data_dir).session.save(
        TabState(open=[conversation.id], active=conversation.id))
    again = ClaudeTUI(options)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        answer = active(again).view.query(MessageBlock).last()
        groups = list(answer.query(PartGroup))
        assert len(groups) >= 3 and len(answer.children) == len(groups)
        assert "The very last words." in screen_text(again)
        assert streamed_parts < len(answer.query(MessagePart)) / 2


async def test_a_backlog_shows_its_end_at_once_and_renders_the_text_above_it_after(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text that streamed into a hidden tab: shown again, the end is rendered at once and the
    parts above it wait (a guessed height each) until they are scrolled into view or the
    reply is complete."""
    hold = threading.Event()
    sections = 300
    fake_api.add(reply(text(_long_reply(sections) + "\n\nstill going"), hold=hold,
                       delay=0.001))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "write a lot")
            first = active(app)
            await until(pilot, lambda: "Heading" in first.view.live_text)
            await pilot.press("ctrl+n")  # the reply streams on in a hidden tab
            await until(pilot, lambda: first.view.live_text.endswith("still going"))
            await pilot.press("alt+1")
            answer = first.view.query(StreamedReply).last()
            await until(pilot, lambda: "still going" in screen_text(app))
            assert answer.waiting > 0  # not rendered, nor seen, and the reply goes on
            first.view.scroll_home(animate=False)
            await until(pilot, lambda: "Heading 1" in screen_text(app))  # seen: rendered
            assert answer.waiting > 0
            hold.set()
            await settle(pilot)
            await until(pilot, lambda: answer.waiting == 0)  # complete: all rendered
            assert not first.view.query(LiveReply)
            shown = [line for part in answer.query(MessagePart)
                     for line in (s.text for s in part.render_strips(part.size.width))]
            assert [int(line.split()[-1]) for line in shown if "Heading" in line] == list(
                range(sections))
    finally:
        hold.set()
