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
import struct
import sys
import tempfile
import time
import zlib
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
# The files attached in attachment.svg, written into the folder the app is started from.
NOTES = "# Release checklist\n\n- run the tests\n- update the changelog\n- tag the release\n"


def png_bytes(width: int = 64, height: int = 32) -> bytes:
    """A small, valid PNG (a grey gradient): the app reads an image's type from its bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\x00" + bytes(x * 4 % 256 for x in range(width)) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


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
    cwd = os.getcwd()
    # Attached files are named relative to the folder the app runs in, as a user types them.
    os.chdir(root / "files")
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    time.tzset()
    try:
        yield
    finally:
        os.chdir(cwd)
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
        dialog = app.screen
        while isinstance(dialog, ConfirmEndScreen) and dialog.too_soon():
            await pilot.pause(0.05)  # the model asked: keys in its first moments are ignored
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
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0], "the tabs again")

        # The tabs so far are closed (their conversations stay on disk), for room.
        for left in range(len(app.tabs) - 1, 0, -1):
            await pilot.press("ctrl+w")
            await until(pilot, lambda left=left: len(app.tabs) == left, "a tab closed")
        await pilot.press("ctrl+w")  # the last one gives way to a new conversation
        await until(pilot, lambda: (pane := app.tabs.active_pane) is not None
                    and not pane.conversation.messages, "a new conversation")

        # Extended thinking, switched on for one conversation from the palette; the block is
        # folded once the reply starts, and ctrl+g unfolds it.
        await command(pilot, "Thinking on for this")
        await say(pilot, "How do tabs work?")
        await pilot.press("ctrl+g")
        await pilot.pause()
        await save(pilot, output_dir, "thinking.svg", saved)

        # Attachments: two files sent alone, a third waiting as a chip for the next message.
        await pilot.press("ctrl+n")
        await attach(pilot, "checklist.md", 1)
        await attach(pilot, "diagram.png", 2)
        await say(pilot, "")
        await attach(pilot, "checklist.md", 1)
        await pilot.press(*"Which one should I fix first?")
        await pilot.pause()
        await save(pilot, output_dir, "attachment.svg", saved)
    return saved


async def attach(pilot: Pilot[None], name: str, chips: int) -> None:
    """``/attach NAME`` in the composer, until the composer shows ``chips`` attachments."""
    from claude_tui.ui.composer.attachment_row import AttachmentRow
    await pilot.press(*f"/attach {name}", "enter")

    def shown() -> bool:
        rows = [row for row in pilot.app.query(AttachmentRow) if row.is_on_screen]
        return bool(rows) and len(rows[0].attached) == chips
    await until(pilot, shown, f"{name} attached")


async def command(pilot: Pilot[None], words: str) -> None:
    """Run a palette command by typing the start of its name, as a user would."""
    from textual.command import CommandList, CommandPalette
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    await pilot.press(*words)
    await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0,
                "palette matches")
    await pilot.press("enter")
    await until(pilot, lambda: app.screen is app.screen_stack[0], "the tabs again")


def make_screenshots(output_dir: Path) -> list[Path]:
    """Write the SVG screenshots into ``output_dir`` and return their paths."""
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="claude-tui-screenshots-") as temp:
        root = Path(temp)
        (root / "config" / "claude-tui").mkdir(parents=True)
        (root / "config" / "claude-tui" / "config.toml").write_text(CONFIG, encoding="utf-8")
        (root / "files").mkdir()
        (root / "files" / "checklist.md").write_text(NOTES, encoding="utf-8")
        (root / "files" / "diagram.png").write_bytes(png_bytes())
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
