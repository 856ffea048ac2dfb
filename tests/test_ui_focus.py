"""Where tab and shift+tab take the focus, and what typing does there: the focus is always on
something that shows it has it, and what is typed away from the composer is not lost."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Tabs

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.composer.composer import Composer
from tests.test_attachments import png
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    until,
)

Look = list[list[tuple[str, object]]]


def look(app: ClaudeTUI, widget: Widget, screen: list | None = None) -> Look:
    """How ``widget``'s part of the terminal is drawn: text and style, cell by cell."""
    strips = screen if screen is not None else app.screen._compositor.render_strips()
    region = widget.region
    return [[(segment.text, segment.style)
             for segment in strips[y].crop(region.x, region.right).simplify()]
            for y in range(region.y, region.bottom)]


async def press_and_draw(pilot: Pilot[None], key: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()  # the focus styles are applied on the next refresh


async def visit(pilot: Pilot[None], key: str) -> list[Widget]:
    """Press ``key`` until the composer has the focus again: each widget it stopped at, and
    each one checked to look different focused than it did a moment before."""
    app = pilot.app
    stops: list[Widget] = []
    for _ in range(8):
        before = app.screen._compositor.render_strips()
        await press_and_draw(pilot, key)
        focused = app.focused
        assert focused is not None, f"{key} left nothing focused"
        assert look(app, focused) != look(app, focused, before), (
            f"{focused!r} took the focus and shows nothing of it")
        if isinstance(focused, Composer):
            return stops
        stops.append(focused)
    raise AssertionError(f"{key} never came back to the composer: {stops}")


async def test_tab_and_shift_tab_stop_only_where_the_focus_shows(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = active(app)
        assert app.focused is pane.composer
        assert await visit(pilot, "tab") == [pane.view]  # the transcript, never the tab bar
        assert await visit(pilot, "shift+tab") == [pane.view]
        assert not any(isinstance(w, Tabs) for w in app.screen.focus_chain)


async def test_shift_tab_still_selects_the_chips_and_shows_it(data_dir, tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(png())
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        pane = active(app)
        composer = pane.composer
        assert composer is not None
        composer.insert(f"/attach {tmp_path}/chart.png")
        await pilot.press("enter")
        await until(pilot, lambda: pane.attachment_row.attached)
        await pilot.pause()
        assert await visit(pilot, "shift+tab") == [pane.attachment_row, pane.view]
        assert await visit(pilot, "tab") == [pane.view, pane.attachment_row]


async def test_typing_after_tab_goes_into_the_composer(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = active(app)
        composer = pane.composer
        assert composer is not None
        composer.insert("Hello")
        await pilot.press("tab")
        assert app.focused is pane.view
        await pilot.press("space", "t", "h", "e", "r", "e", "!")
        await until(pilot, lambda: composer.text == "Hello there!")
        assert app.focused is composer
        # Keys that are not characters keep working where the focus is.
        await pilot.press("shift+tab", "up", "end")
        assert app.focused is pane.view and composer.text == "Hello there!"
        await pilot.press("ctrl+j")  # a composer key, in the transcript: nothing is typed
        assert composer.text == "Hello there!"
