"""A long reply at a new width (a resized terminal, a tab opened): what is on screen is
rendered at once, the rest in the background, and the text in view stays in view."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.measuring import Measuring
from claude_tui.ui.transcript.message import MessageBlock, MessagePart
from claude_tui.ui.transcript.view import ConversationView
from tests.test_ui_actions import _stored
from tests.test_ui_long_replies import _long_reply
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    until,
)

SECTIONS = 300  # about 40 KB: a few dozen parts


def _open_long_reply(data_dir) -> ClaudeTUI:
    long = _stored(data_dir, ["show me", _long_reply(SECTIONS)])
    ConversationStore(data_dir).session.save(TabState(open=[long.id], active=long.id))
    return ClaudeTUI(demo_options())


def measured(view: ConversationView) -> tuple[int, int]:
    parts = list(view.query(MessageBlock).last().query(MessagePart))
    return sum(part.measured(part.size.width) for part in parts), len(parts)


async def test_a_width_change_renders_what_is_seen_then_the_rest(
    data_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _open_long_reply(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: measured(view)[0] == measured(view)[1])
        # The first measuring is over, not pausing between two batches: a pass still running
        # would go on with the parts the new width leaves unmeasured.
        await until(pilot, lambda: not [worker for worker in app.workers
                                        if worker.group == "measuring"
                                        and not worker.is_finished])
        background = Measuring.soon
        monkeypatch.setattr(Measuring, "soon", lambda self: None)
        await pilot.resize_terminal(SIZE[0] - 20, SIZE[1])
        await until(pilot, lambda: "The very last words." in screen_text(app))
        done, total = measured(view)
        assert total > 20 and done <= 4  # the parts on screen, not the whole reply
        assert view.scroll_y == view.max_scroll_y  # still at the end
        background(view.measuring)
        await until(pilot, lambda: measured(view)[0] == total)
        assert view.scroll_y == view.max_scroll_y
        assert "The very last words." in screen_text(app)
        await pilot.press("ctrl+home")
        await until(pilot, lambda: "Heading 0" in screen_text(app))


async def test_the_text_in_view_stays_in_view_as_the_parts_above_get_their_heights(
    data_dir,
) -> None:
    app = _open_long_reply(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: measured(view)[0] == measured(view)[1])
        # A part half way down, and the first heading in it (at its top when scrolled to).
        part = list(view.query(MessagePart))[measured(view)[1] // 2]
        middle = next(strip.text.strip() for strip in part.render_strips(part.size.width)
                      if "Heading" in strip.text)
        width = view.size.width
        await pilot.resize_terminal(SIZE[0] - 30, SIZE[1])
        await until(pilot, lambda: view.size.width == width - 30)
        view.scroll_to_widget(part, animate=False, top=True)
        await until(pilot, lambda: middle in screen_text(app))
        await until(pilot, lambda: measured(view)[0] == measured(view)[1])
        await pilot.pause()
        # Its parts above were measured after it was scrolled into view: it is in view still.
        assert middle in screen_text(app)




async def test_a_new_theme_keeps_every_height_it_had(data_dir) -> None:
    """A theme changes colours, never how many lines a part takes: the layouts after it (here
    a shorter terminal) keep the text in view where it was, and no part, painted since or
    not, needs measuring again (a long reply is not rendered anew in the background)."""
    app = _open_long_reply(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: measured(view)[0] == measured(view)[1])
        total = measured(view)[1]
        part = list(view.query(MessagePart))[total // 2]
        view.scroll_to_widget(part, animate=False, top=True)
        await pilot.pause()
        top, height, rows = view.scroll_y, view.virtual_size.height, view.size.height
        first = screen_text(app).splitlines()[3]
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await until(pilot, lambda: part._strips_style == part.visual_style)  # repainted
        await pilot.resize_terminal(SIZE[0], SIZE[1] - 4)
        await until(pilot, lambda: view.size.height == rows - 4)
        assert measured(view) == (total, total)
        for _ in range(3):
            await pilot.pause()
        assert (view.scroll_y, view.virtual_size.height) == (top, height)
        assert screen_text(app).splitlines()[3] == first



class _Column(App[None]):
    """Parts given their text before they are laid out, with a line under each."""

    def __init__(self) -> None:
        super().__init__()
        self.guessed = MessagePart(guess=lambda width: 6)
        self.exact = MessagePart(guess=lambda width: 6)
        self.guessed.update("held at its guess until painted")
        # How a streamed reply not laid out yet shows the parts that fill the screen.
        self.exact.update("on screen at once", exact=True)
        self.painted_at_a_guess: list[MessagePart] = []

    def compose(self) -> ComposeResult:
        with _Recorder(self.painted_at_a_guess):
            yield self.exact
            yield Static("under the first")
            yield self.guessed
            yield Static("under the second")


class _Recorder(VerticalScroll):
    def __init__(self, record: list[MessagePart]) -> None:
        super().__init__()
        self.record = record

    def on_message_part_measured(self, message: MessagePart.Measured) -> None:
        self.record.append(message.part)


async def test_parts_shown_before_their_first_layout_are_painted_at_their_height() -> None:
    """A fast reply's last parts, shown before the reply was laid out, take their own height
    on the first screen; a part that held a guessed height takes its own once painted (no
    blank lines left under the text)."""
    app = _Column()
    async with app.run_test(size=(60, 20)) as pilot:
        lines = [line.rstrip() for line in screen_text(app).splitlines()]
        assert lines[:3] == ["on screen at once", "under the first",
                             "held at its guess until painted"]
        await until(pilot, lambda: app.painted_at_a_guess)
        assert app.painted_at_a_guess == [app.guessed]
        await until(pilot, lambda: screen_text(app).splitlines()[3].startswith("under the s"))
        assert app.guessed.size.height == 1
