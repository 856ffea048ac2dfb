"""Snapshot tests of the modal screens over a tiny host app (pytest-textual-snapshot).

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

from claude_tui.ui.screens.confirm_end import ConfirmEndScreen
from claude_tui.ui.screens.help import HelpScreen
from claude_tui.ui.screens.message_chooser import MessageChooser
from claude_tui.ui.screens.picker import ConversationPicker
from tests.test_ui_screens import FIXED_NOW, Host, chat, fill_store


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
    app = Host(lambda: HelpScreen({"rename": "f6"}))
    assert snap_compare(app, terminal_size=(90, 50))


def test_branch_chooser(snap_compare) -> None:
    app = Host(lambda: MessageChooser(chat(), "branch", now=lambda: FIXED_NOW))
    assert snap_compare(app, terminal_size=(100, 24))
