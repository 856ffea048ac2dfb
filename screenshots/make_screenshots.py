"""Make the SVG screenshots of claude-tui from the real app on the offline demo model.

    python screenshots/make_screenshots.py [OUTPUT_DIR]    (default: this folder)

The app is started the way the command line starts it (``claude-tui --demo``) and driven by key
presses as a user would type them. It always runs in fresh temporary data and config folders
(whatever XDG_DATA_HOME / XDG_CONFIG_HOME say), with no API key and a config that makes the demo
model type instantly, so the pictures never show or touch anyone's own conversations. The time
zone is UTC and the terminal 120x36, so a new run differs only where the clock shows (the time a
conversation was ended).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

SIZE = (120, 36)
TITLE = "claude-tui"
# Everything the app or the SDK would read a key, a server or a profile from.
CREDENTIAL_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
)
CONFIG = """\
demo_chars_per_second = 1000000   # the whole reply at once
theme = "textual-dark"
"""
# The questions of the tabs in tabs.svg; their first lines become the tab titles.
# (Short enough to show whole in a tab label; typing is slow under the pilot.)
QUESTIONS = ("What keys can I use?", "Where are my files?", "Show me Python code")
INSULTS = ("You are useless", "You are stupid", "You idiot")


@contextmanager
def isolated_environment(root: Path) -> Iterator[None]:
    """Temporary XDG folders, no credentials, UTC; the previous environment comes back after."""
    changes: dict[str, str | None] = {name: None for name in CREDENTIAL_VARS}
    changes |= {
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "TZ": "UTC",
    }
    saved = {name: os.environ.get(name) for name in changes}
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    time.tzset()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        time.tzset()


async def until(pilot: Pilot[None], check: Callable[[], object], what: str) -> None:
    """Let the app process events until ``check()`` holds."""
    for _ in range(500):
        if check():
            return
        await pilot.pause()
    raise RuntimeError(f"the app never showed {what}")


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the running replies to finish and be drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def say(pilot: Pilot[None], text: str, *, wait: bool = True) -> None:
    """Type ``text`` into the composer key by key and press enter."""
    await pilot.press(*text, "enter")
    if wait:
        await settle(pilot)


async def save(pilot: Pilot[None], output_dir: Path, name: str, saved: list[Path]) -> None:
    app = pilot.app
    # The start-up notice is not what each picture is about, and a blinking cursor would make
    # each run differ: it is shown steadily where the focus is.
    app.clear_notifications()
    if isinstance(app.focused, (Input, TextArea)):
        app.focused.cursor_blink = False
    await pilot.pause()
    path = output_dir / name
    path.write_text(app.export_screenshot(title=TITLE), encoding="utf-8")
    saved.append(path)


async def _drive(output_dir: Path) -> list[Path]:
    # Imported here so the environment above is in place before anything reads it.
    from claude_tui.cli import build_parser, resolve
    from claude_tui.ui.app import ClaudeTUI
    from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
    from claude_tui.ui.dialogs.help import HelpScreen
    from claude_tui.ui.dialogs.picker import ConversationPicker

    options = resolve(build_parser().parse_args(["--demo"]))
    app = ClaudeTUI(options)
    saved: list[Path] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Three tabs, the last one showing Markdown with a fenced code block.
        for number, question in enumerate(QUESTIONS):
            if number:
                await pilot.press("ctrl+n")
            await say(pilot, question)
        await save(pilot, output_dir, "tabs.svg", saved)

        # Rude twice: a redirect, then a warning through issue_warning and its banner.
        await pilot.press("ctrl+n")
        await say(pilot, "How does ending work?")
        await say(pilot, INSULTS[0])
        await say(pilot, INSULTS[1])
        await save(pilot, output_dir, "warning.svg", saved)
        # Rude once more after the warning: the demo model ends it (persistent_abuse).
        await say(pilot, INSULTS[2])

        # Asking to end: the model calls end_conversation and the app asks to confirm.
        await pilot.press("ctrl+n")
        await say(pilot, "Please end this conversation", wait=False)
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen), "the end dialog")
        await pilot.pause()
        await save(pilot, output_dir, "end-dialog.svg", saved)
        await pilot.press("y")
        await settle(pilot)
        await save(pilot, output_dir, "locked.svg", saved)

        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker), "the picker")
        await pilot.pause()
        await save(pilot, output_dir, "picker.svg", saved)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0], "the tabs again")

        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        await pilot.pause()
        await save(pilot, output_dir, "help.svg", saved)
    return saved


def make_screenshots(output_dir: Path) -> list[Path]:
    """Write the SVG screenshots into ``output_dir`` and return their paths."""
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="claude-tui-screenshots-") as temp:
        root = Path(temp)
        (root / "config" / "claude-tui").mkdir(parents=True)
        (root / "config" / "claude-tui" / "config.toml").write_text(CONFIG, encoding="utf-8")
        with isolated_environment(root):
            return asyncio.run(_drive(output_dir))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(__doc__)
        return 0 if args and args[0] in ("-h", "--help") else 2
    default = Path(__file__).resolve().parent
    for path in make_screenshots(Path(args[0]) if args else default):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
