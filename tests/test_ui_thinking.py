"""Thinking in the transcript: streamed into a dim block above the reply, collapsed once the
text starts, shown and hidden by ctrl+g and by a click, and there again after a restart."""

from __future__ import annotations

import threading

import pytest

from claude_tui import thinking
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.thinking import ThinkingBlock
from tests.fake_api import FakeAPI, redacted_thinking, reply, text
from tests.fake_api import thinking as thought
from tests.ui_helpers import (
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


def flat(shown: str) -> str:
    """The screen's words on one line: a wrapped sentence is found whole."""
    return " ".join(shown.split())


THOUGHT = "Weighing the options here."  # 26 characters: three thinking pieces


def blocks(app: ClaudeTUI) -> list[ThinkingBlock]:
    return list(active(app).view.query(ThinkingBlock))


async def test_thinking_streams_then_collapses_and_toggles_by_key_and_click(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    held = threading.Event()
    # message_start, ping, the thinking block's start, 3 pieces, its signature: then a pause
    # before the text begins.
    fake_api.add(reply(thought(THOUGHT), text("The answer is four."), fault_after=7, hold=held))
    options = claude_options(fake_api, monkeypatch, thinking=True)
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "What is 2+2?")
        await until(pilot, lambda: THOUGHT in flat(screen_text(app)))
        (streaming,) = blocks(app)
        assert streaming.expanded and "Thinking…" in screen_text(app)
        held.set()
        await until(pilot, lambda: "The answer is four." in flat(screen_text(app)))
        await settle(pilot)
        (block,) = blocks(app)
        assert not block.expanded
        shown = flat(screen_text(app))
        assert THOUGHT not in shown and "▸ Thinking" in shown

        await pilot.press("ctrl+g")
        await until(pilot, lambda: THOUGHT in flat(screen_text(app)))
        await pilot.press("ctrl+g")
        await until(pilot, lambda: THOUGHT not in flat(screen_text(app)))

        await pilot.click(block)
        await until(pilot, lambda: THOUGHT in flat(screen_text(app)))
        assert block.expanded
        await pilot.click(block)
        await until(pilot, lambda: not block.expanded)
        conversation_id = active(app).conversation.id
    assert fake_api.requests[0]["thinking"] == {"type": "adaptive", "display": "summarized"}
    saved = conversation_file(data_dir, conversation_id)["messages"][1]["content"][0]
    assert saved["type"] == "thinking" and saved["thinking"] == THOUGHT and saved["signature"]

    again = ClaudeTUI(options)  # a restart: the same folders, a new app
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "▸ Thinking" in flat(screen_text(again)))
        assert THOUGHT not in flat(screen_text(again))
        await pilot.press("ctrl+g")
        await until(pilot, lambda: THOUGHT in flat(screen_text(again)))


async def test_the_demo_thinks_when_the_palette_turns_thinking_on(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        assert not blocks(app)  # off by default: no thinking

        await pilot.press("ctrl+p")
        await pilot.press(*["space" if c == " " else c for c in "Thinking on for this"])
        await until(pilot, lambda: "Thinking on for this conversation" in screen_text(app))
        await pilot.press("enter")
        conversation = active(app).conversation
        await until(pilot, lambda: thinking.choice(conversation) is True)
        await settle(pilot)
        assert conversation_file(data_dir, conversation.id)["thinking"] == "on"

        await type_and_send(pilot, "what about tabs?")
        await until(pilot, lambda: len(blocks(app)) == 1 and not blocks(app)[0].expanded)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: "the demo model's fixed rules" in flat(screen_text(app)))
    saved = conversation_file(data_dir, conversation.id)["messages"][-1]["content"]
    assert [b["type"] for b in saved] == ["thinking", "text"]


async def test_long_thinking_renders_only_its_open_piece_per_flush(monkeypatch) -> None:
    from textual.app import App

    from claude_tui.ui.transcript import thinking as shown

    rendered: list[int] = []
    original = shown.ThinkingPiece.update

    def update(self, content="", **kwargs):
        rendered.append(len(str(content)))
        return original(self, content, **kwargs)

    monkeypatch.setattr(shown.ThinkingPiece, "update", update)

    class Host(App[None]):
        def compose(self):
            yield ThinkingBlock(streaming=True)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        block = app.query_one(ThinkingBlock)
        line = "A line of thinking that goes on for a while.\n"
        for _ in range(100):  # about 40 KB in 100 flushes
            for _ in range(9):
                block.write(line)
            await block.flush()
        await pilot.pause()
        assert len(block.text) == 100 * 9 * len(line)
        # Each flush rendered the open piece (and a piece as it filled), never the whole text.
        assert max(rendered) <= shown.CHUNK
        # Rendering it all at each flush would cost about 50 times the text; by pieces it
        # costs a few times, however long the thinking grows.
        assert sum(rendered) < 5 * len(block.text)
        assert len(block.query(shown.ThinkingPiece)) >= len(block.text) // shown.CHUNK


async def test_redacted_thinking_is_named_not_hidden(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    # Thinking the API sent encrypted has nothing to read, but the reply did think: the block
    # says so, live and after a restart, rather than showing nothing.
    fake_api.add(reply(redacted_thinking("opaque-bytes"), text("Here is my answer.")))
    options = claude_options(fake_api, monkeypatch, thinking=True)
    app = ClaudeTUI(options)
    note = flat(thinking.REDACTED_NOTE)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "A hard question")
        await until(pilot, lambda: "Here is my answer." in flat(screen_text(app)))
        await settle(pilot)
        await until(pilot, lambda: "▸ Thinking" in flat(screen_text(app)))
        await pilot.press("ctrl+g")
        await until(pilot, lambda: note in flat(screen_text(app)))
    again = ClaudeTUI(options)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "▸ Thinking" in flat(screen_text(again)))
        await pilot.press("ctrl+g")
        await until(pilot, lambda: note in flat(screen_text(again)))
