"""The screen's paint timer (``paint_promptly`` in ``claude_tui/ui/textual_private.py``).

A key typed just after the screen painted must be painted one frame later at most. The timers
run here on a clock of the test's own (time passes only when a timer sleeps, or the test says
so), so what is measured is when each timer chooses to tick, never how busy the machine is.
"""

from __future__ import annotations

import asyncio
import inspect

import pytest
import textual._time
import textual.timer
from textual._context import active_app
from textual.app import App, ComposeResult
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import Timer
from textual.widgets import Static

from claude_tui.ui import textual_private
from claude_tui.ui.textual_private import paint_promptly
from tests.ui_helpers import screen_text, until

FRAME = UPDATE_PERIOD


class Clock:
    """Time that passes only when a timer sleeps or the test moves it on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def get_time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(textual._time, "get_time", clock.get_time)
    monkeypatch.setattr(textual._time, "sleep", clock.sleep)
    monkeypatch.setattr(textual.timer, "sleep", clock.sleep)  # Textual's Timer imports it
    return clock


class Target:
    """What a timer belongs to (held by a weak reference, as a widget is)."""


async def ticked(ticks: list[float], count: int) -> None:
    for _ in range(1000):
        if len(ticks) >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the timer ticked {len(ticks)} times, not {count}")


async def wait_after_a_paint(timer_class: type[Timer], clock: Clock, typed_after: float
                             ) -> float:
    """How long after a paint the next one comes, asked for ``typed_after`` seconds after it:
    the screen's timer pauses itself on each tick, as ``Screen._on_timer_update`` does."""
    ticks: list[float] = []
    target = Target()

    def paint() -> None:
        timer.pause()
        ticks.append(clock.now)

    active_app.set(App())  # a tick reads it (not run: no timer of its own)
    timer = timer_class(target, FRAME, name="screen_update", callback=paint,  # type: ignore[arg-type]
                        pause=True)
    timer._start()  # its task runs with this context
    try:
        timer.resume()
        await ticked(ticks, 1)
        clock.now += 1.0  # nothing to paint for a second: the timer waits, paused
        timer.resume()  # a piece of a reply: painted
        await ticked(ticks, 2)
        clock.now += typed_after
        timer.resume()  # a key, typed just after
        await ticked(ticks, 3)
        return ticks[2] - ticks[1]
    finally:
        timer.stop()


def test_paint_promptly_finds_the_screens_update_timer() -> None:
    assert isinstance(Screen.__dict__.get("_update_timer"), property), (
        "paint_promptly: Screen._update_timer")
    assert "_Screen__update_timer" in vars(Screen()), "paint_promptly: Screen.__update_timer"
    assert list(inspect.signature(Timer._tick).parameters) == ["self", "next_timer", "count"]
    assert inspect.iscoroutinefunction(Timer._run), "paint_promptly: Timer._run"
    timer = Timer(Target(), FRAME)  # type: ignore[arg-type]
    assert isinstance(timer._active, asyncio.Event), "paint_promptly: Timer._active"
    assert timer._interval == FRAME, "paint_promptly: Timer._interval"


@pytest.mark.parametrize("typed_after", [0.002, 0.005, 0.010, 0.016])
async def test_a_paint_asked_for_just_after_one_comes_a_frame_after_it(
    clock: Clock, typed_after: float
) -> None:
    wait = await wait_after_a_paint(textual_private._PaintTimer, clock, typed_after)
    assert wait == pytest.approx(FRAME, abs=0.001)


async def test_a_paint_asked_for_a_frame_after_the_last_comes_at_once(clock: Clock) -> None:
    wait = await wait_after_a_paint(textual_private._PaintTimer, clock, 0.050)
    assert wait == pytest.approx(0.050, abs=0.001)


async def test_textuals_own_timer_still_waits_a_second_frame(clock: Clock) -> None:
    wait = await wait_after_a_paint(Timer, clock, 0.005)
    if wait <= FRAME + 0.001:
        pytest.skip("Textual's timer ticks a frame after the last now: paint_promptly can go")
    assert wait > FRAME + 0.004


class Words(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("first words", id="words")


async def test_screens_paint_from_the_prompt_timer() -> None:
    assert paint_promptly(), "paint_promptly could not be applied"
    app = Words()
    async with app.run_test(size=(40, 5)) as pilot:
        timer = app.screen._update_timer
        assert isinstance(timer, textual_private._PaintTimer)
        assert app.screen._update_timer is timer  # made once a screen
        app.query_one("#words", Static).update("second words")
        await until(pilot, lambda: "second words" in screen_text(app))
