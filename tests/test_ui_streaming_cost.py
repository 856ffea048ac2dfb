"""What keeps the app answering keys while a reply streams: no garbage cycles from painting,
the live block's height growing in steps, text pieces delivered in batches, parts rendered in a
thread showing what a direct render shows."""

from __future__ import annotations

import gc
import threading

import pytest
from rich.segment import Segment as RichSegment
from textual.strip import Strip

from claude_tui import events
from claude_tui.ui import heap
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.message import LiveReply, MessagePart, StreamedReply
from tests.fake_api import FakeAPI, reply, text, tool_use
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)


def test_dividing_a_strip_that_is_not_cut_leaves_no_garbage_cycle() -> None:
    heap.install()
    strip = Strip([RichSegment("a" * 50), RichSegment("b" * 10)])
    assert strip.divide([60]) == [strip]  # what Textual returns
    assert [s.text for s in strip.divide([20, 60])] == ["a" * 20, "a" * 30 + "b" * 10]
    while gc.collect():  # an earlier test's app (a long reply's widgets) may take several
        pass
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(50):
            Strip([RichSegment("c" * 40)]).divide([40])
        gc.collect()
        # Only these strips count: other threads (an idle writer ending, a render thread
        # letting go of an earlier test's lines) may leave garbage too.
        assert [o for o in gc.garbage if isinstance(o, Strip) and o.text == "c" * 40] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_settling_freezes_the_heap_and_release_undoes_it() -> None:
    before = gc.get_threshold()
    heap.settle()
    try:
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
    finally:
        heap.release()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


async def test_the_live_block_grows_a_few_lines_at_a_time_and_leaves_none_behind(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = threading.Event()
    lines = "".join(f"- item number {n} of a list\n" for n in range(7))
    fake_api.add(reply(text("Some items:\n\n" + lines + "- the last one"), hold=hold))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "a list please")
            view = active(app).view
            await until(pilot, lambda: view.query(LiveReply)
                        and "the last one" in view.query_one(LiveReply).source)
            await until(pilot, lambda: view.query_one(LiveReply).size.height > 0)
            live = view.query_one(LiveReply)
            assert live.size.height % LiveReply.HEIGHT_STEP == 0
            assert "the last one" in screen_text(app)
            hold.set()
            await settle(pilot)
            assert not view.query(LiveReply)
            answer = view.query(StreamedReply).last()
            shown = sum(part.size.height for part in answer.query(MessagePart))
            # The finished text is as tall as it is: the line before the list, a blank line and
            # eight items (10, not a multiple of 4), without the live block's spare lines.
            assert shown == 10
            assert "the last one" in screen_text(app)
    finally:
        hold.set()


async def test_text_after_a_notice_is_shown_after_it_however_fast_it_comes(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.add(reply(text("First words."), tool_use("issue_warning", {"behavior": "spam"})))
    fake_api.add(reply(text("Later words.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=(100, 40)) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        shown = screen_text(app)
        assert shown.index("First words.") < shown.index("gave a warning") < shown.index(
            "Later words.")


async def test_pieces_of_text_reach_the_tab_together_and_in_order(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        pane = active(app)
        cid = pane.conversation.id
        delivered: list[str] = []
        write = pane.view.write_reply

        async def record(text: str) -> None:
            delivered.append(text)
            await write(text)

        pane.view.write_reply = record  # type: ignore[method-assign]
        app.turns.route(events.TurnStarted(cid))
        for number in range(200):
            app.turns.route(events.TextDelta(cid, f"{number} "))
        await until(pilot, lambda: "".join(delivered).endswith("199 "))
        assert "".join(delivered) == "".join(f"{n} " for n in range(200))
        assert len(delivered) < 20  # batched, not one message per piece
        await pane.view.render_new()


async def test_a_part_rendered_in_a_thread_shows_what_a_direct_render_shows(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claude_tui.ui.transcript.blocks import render_part, split_text

    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        content = render_part(split_text("# Title\n\nSome *text* and `code`.\n\n```python\n"
                                         "x = 1\n```\n"), continues=False)
        threaded, direct = MessagePart(), MessagePart(content)
        view = active(app).view
        await view.mount_all([threaded, direct])
        await pilot.pause()
        width = direct.size.width
        await threaded.update_off_loop(content, width)
        await pilot.pause()
        assert threaded.render_strips(width) == direct.render_strips(width)
        assert threaded.size.height == direct.size.height > 3
