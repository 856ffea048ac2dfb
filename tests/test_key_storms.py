"""Random key storms, doubled enter and escape included, in every screen and dialog: the app
never ends (hypothesis; modest counts, each example is a whole app)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from claude_tui.ui.app import ClaudeTUI
from tests.ui_helpers import demo_options, settle

# Every key that opens a screen or dialog, and the app's other keys; not ctrl+q and ctrl+c,
# which quit as asked.
OPENERS = ["f1", "f2", "f4", "f8", "ctrl+o", "ctrl+p", "problems", "delete", "copy"]
KEYS = ["enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "y", "n", "q",
        "a", "space", "backspace", "f1", "f2", "f3", "f4", "f8", "ctrl+o", "ctrl+n", "ctrl+w",
        "ctrl+r", "ctrl+p", "ctrl+j", "alt+left", "alt+right", "ctrl+delete", "pageup",
        "ctrl+up"]
storms = st.lists(st.tuples(st.sampled_from(KEYS), st.booleans()), min_size=1, max_size=12)


async def _burst(app: ClaudeTUI, key: str, times: int) -> None:
    """The key ``times`` times in one go, as key repeat sends it."""
    for _ in range(times):
        event = events.Key(key, {"enter": "\r", "space": " "}.get(key, key if len(key) == 1
                                                                  else None))
        event.set_sender(app)
        app._driver.send_message(event)


async def _storm(opener: str, storm: list[tuple[str, bool]]) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        composer = app.active_pane.composer if app.active_pane else None
        if composer is not None:
            composer.insert("hello")
            await pilot.press("enter")  # a message to branch from, copy, rename after
            await settle(pilot)
        if opener == "problems":
            app.action_show_problems()
        elif opener == "delete":
            await app.run_action("delete_conversation")
        elif opener == "copy":
            await app.run_action("copy_message")
        else:
            await pilot.press(opener)
        await pilot.pause()
        for key, doubled in storm:
            await _burst(app, key, 2 if doubled else 1)
            await pilot.pause()
            assert app.is_running, f"{opener} then {storm} ended the app"
        # Close whatever is open (an end dialog holds its turn until answered), then every
        # turn must come to an end.
        for _ in range(10):
            if len(app.screen_stack) == 1:
                break
            await pilot.press("escape")
            await pilot.pause()
        assert len(app.screen_stack) == 1, f"escape did not close {app.screen_stack}"
        await asyncio.wait_for(app.workers.wait_for_complete(), 60)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app._exception is None


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(OPENERS), storms)
def test_a_key_storm_in_any_screen_never_ends_the_app(isolated_home, opener, storm) -> None:
    asyncio.run(_storm(opener, storm))


def test_every_opener_with_doubled_enter_and_escape(isolated_home) -> None:
    """Each screen at least once, whatever hypothesis picked."""
    for opener in OPENERS:
        asyncio.run(_storm(opener, [("enter", True), ("escape", True), ("enter", True)]))
