"""Quitting when the open tabs cannot be saved: the unsent drafts are printed to standard error
after the app exits, with the reason, so nothing typed is lost. The real app in a real pty."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_signals import WAIT, Terminal, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

LEAVE_ALT_SCREEN = b"\x1b[?1049l"


@pytest.fixture
def env(isolated_home: Path) -> dict[str, str]:
    environment = dict(os.environ)  # no key: the offline demo model, nothing to reach
    environment.update(TERM="xterm-256color", PYTHONDONTWRITEBYTECODE="1")
    return environment


def quit_with_a_draft(env: dict[str, str], data_dir: Path,
                      break_saving: Callable[[], None], attached: Path | None = None) -> str:
    """Start the app, make ``tabs.json`` unwritable, type a draft (after attaching
    ``attached``), quit: what the terminal shows after the app has left its screen."""
    terminal = Terminal(env)
    try:
        wait_for(lambda: terminal.shows("Quit"), "the app's first screen")
        wait_for(lambda: (data_dir / "tabs.json").is_file(), "the open tabs saved at start")
        break_saving()
        if attached is not None:
            terminal.type(f"/attach {attached}\r")
            wait_for(lambda: terminal.shows(f"📎 {attached.name}"), "the file's chip")
        terminal.type("my unsent words, typed with care")
        wait_for(lambda: terminal.shows("typed with care"), "the draft on screen")
        terminal.type("\x11")  # ctrl+q
        assert terminal.process.wait(WAIT) == 0
        wait_for(lambda: terminal.shows("end of draft"), "the draft printed after the exit")
        with terminal._lock:
            output = bytes(terminal.output)
    finally:
        terminal.stop()
    after = output.rsplit(LEAVE_ALT_SCREEN, 1)[-1]  # printed once the app's screen was gone
    return after.decode("utf-8", "replace").replace("\r\n", "\n")


def assert_draft_printed(after_exit: str, reason: str, attached: tuple[Path, ...] = ()) -> None:
    printed = after_exit[after_exit.index("claude-tui:"):]  # after the terminal's resets
    first = printed.splitlines()[0]
    assert first.startswith("claude-tui: the unsent draft could not be saved (")
    assert "tabs.json" in first and reason in first  # one line: what failed, and why
    assert "--- draft in “New conversation” (" in printed
    files = "".join(f"attached: {path}\n" for path in attached)
    assert f"\nmy unsent words, typed with care\n{files}--- end of draft ---\n" in printed


def test_a_tabs_file_that_cannot_be_written_prints_the_drafts_at_quit(
        env: dict[str, str], data_dir: Path) -> None:
    tabs = data_dir / "tabs.json"

    def folder_in_its_place() -> None:  # works as root too, unlike a read-only folder
        tabs.unlink()
        tabs.mkdir()

    after = quit_with_a_draft(env, data_dir, folder_in_its_place)
    assert_draft_printed(after, "could not save tabs.json")


def test_the_files_attached_to_a_draft_are_printed_at_quit_too(
        env: dict[str, str], data_dir: Path, tmp_path: Path) -> None:
    tabs = data_dir / "tabs.json"
    notes = tmp_path / "notes.md"
    notes.write_text("buy milk\n", "utf-8")

    def folder_in_its_place() -> None:
        tabs.unlink()
        tabs.mkdir()

    after = quit_with_a_draft(env, data_dir, folder_in_its_place, attached=notes)
    assert_draft_printed(after, "could not save tabs.json", attached=(notes,))


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes to a read-only folder anyway")
def test_a_read_only_data_folder_prints_the_drafts_at_quit(
        env: dict[str, str], data_dir: Path) -> None:
    try:
        after = quit_with_a_draft(env, data_dir, lambda: data_dir.chmod(0o500))
    finally:
        data_dir.chmod(0o700)
    assert_draft_printed(after, "could not save tabs.json")


def test_nothing_is_printed_when_the_drafts_were_saved(
        env: dict[str, str], data_dir: Path) -> None:
    terminal = Terminal(env)
    try:
        wait_for(lambda: terminal.shows("Quit"), "the app's first screen")
        terminal.type("kept safely")
        wait_for(lambda: terminal.shows("kept safely"), "the draft on screen")
        terminal.type("\x11")
        assert terminal.process.wait(WAIT) == 0
        with terminal._lock:
            after = bytes(terminal.output).rsplit(LEAVE_ALT_SCREEN, 1)[-1]
    finally:
        terminal.stop()
    assert b"draft" not in after
    assert b"kept safely" in (data_dir / "tabs.json").read_bytes()
