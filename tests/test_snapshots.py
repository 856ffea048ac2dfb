"""Snapshot tests (pytest-textual-snapshot): the modal screens over a tiny host app, and the
real app on the offline demo model.

Regenerate after an intended change with ``pytest tests/test_snapshots.py --snapshot-update``
and look at the report before keeping the new baselines. Times are pinned (a fixed clock and
the UTC time zone) so the pictures do not change with the day or the machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.dialogs.help import HelpScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.picker import ConversationPicker
from tests.test_ui_screens import FIXED_NOW, Host, chat, fill_store
from tests.ui_helpers import demo_options, no_animations  # noqa: F401 (autouse)

APP_SIZE = (100, 32)
# When the conversations of the app's pictures end, warn or are refused an end.
FIXED_ISO = "2026-03-14T15:09:26Z"


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    """Local time is UTC while a snapshot is taken."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_end_dialog(snap_compare) -> None:
    app = Host(lambda: ConfirmEndScreen("Plan a trip to Lisbon", "assistant"))
    assert snap_compare(app, terminal_size=(90, 30))


def test_picker(snap_compare, data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = Host(lambda: ConversationPicker(store, {ids["Recipes"]}, now=lambda: FIXED_NOW))
    assert snap_compare(app, terminal_size=(100, 26))


def test_picker_filtered(snap_compare, data_dir: Path) -> None:
    store, _ids = fill_store(data_dir)
    app = Host(lambda: ConversationPicker(store, set(), now=lambda: FIXED_NOW))
    assert snap_compare(app, press=[*"lisbon"], terminal_size=(100, 26))


def test_help(snap_compare) -> None:
    app = Host(lambda: HelpScreen({"rename": "f12"}))  # a remapped key is shown remapped
    assert snap_compare(app, terminal_size=(90, 60))


def test_branch_chooser(snap_compare) -> None:
    app = Host(lambda: MessageChooser(chat(), "branch", now=lambda: FIXED_NOW))
    assert snap_compare(app, terminal_size=(100, 24))


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine stamps warnings, refusals and ends with this time (the locked notice shows
    it), so a picture taken on another day is the same picture."""
    monkeypatch.setattr("claude_tui.end_tools.now_iso", lambda: FIXED_ISO)
    monkeypatch.setattr("claude_tui.protocol.now_iso", lambda: FIXED_ISO)


def _demo_app() -> ClaudeTUI:
    return ClaudeTUI(demo_options())  # the demo types a million characters a second


async def _send(pilot: Pilot[None], text: str) -> None:
    """Type and send in the shown tab, then wait for the whole turn to be shown."""
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    pane = app.active_pane
    assert pane is not None and pane.composer is not None
    pane.composer.insert(text)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


async def _still(pilot: Pilot[None]) -> None:
    """What changes from run to run goes: the start-up toast, and the blinking cursor."""
    pilot.app.clear_notifications()
    for area in pilot.app.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


def test_app_tabs_and_a_code_reply(snap_compare, fixed_clock: None) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await _send(pilot, "What keys can I use?")
        await pilot.press("ctrl+n")
        await _send(pilot, "How does ending work?")
        await pilot.press("ctrl+n")
        await _send(pilot, "Show me Python code")
        await _still(pilot)

    assert snap_compare(_demo_app(), terminal_size=APP_SIZE, run_before=run_before)


def test_app_warning_banner(snap_compare, fixed_clock: None) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await _send(pilot, "You are useless")  # a calm redirect first
        await _send(pilot, "You are stupid")  # then the warning
        await _still(pilot)

    assert snap_compare(_demo_app(), terminal_size=APP_SIZE, run_before=run_before)


def test_app_locked_tab(snap_compare, fixed_clock: None) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await _send(pilot, "You are useless")
        await _send(pilot, "You are stupid")
        await _send(pilot, "You idiot")  # after the warning: the end
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("alt+left")  # back to the ended tab, shown locked
        await _still(pilot)

    assert snap_compare(_demo_app(), terminal_size=APP_SIZE, run_before=run_before)
