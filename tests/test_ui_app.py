"""The app end to end: sending, streaming, start-up, restore, status, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from claude_tui.events import TurnFinished
from claude_tui.providers.anthropic import AnthropicProvider
from claude_tui.ui.app import DEMO_NOTICE, ClaudeTUI
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.messages import EngineEvent
from tests.fake_api import FakeAPI, reply, text
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    demo_options,
    layouts_showing,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)


async def test_sending_streams_the_reply_and_saves_it(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.add(reply(text("Hello from the **fake** server, a longer reply to stream.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Composer)
        await type_and_send(pilot, "hi there")
        await settle(pilot)
        shown = screen_text(app)
        assert "Hello from the fake server" in shown
        assert "hi there" in shown
        conversation_id = active(app).conversation.id
        assert app.focused is active(app).composer
        assert active(app).composer.text == ""
    saved = conversation_file(data_dir, conversation_id)
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant"]
    assert "fake** server" in saved["messages"][1]["content"][0]["text"]
    assert fake_api.requests[0]["messages"][-1]["content"][0]["text"] == "hi there"


async def test_demo_mode_says_so(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(DEMO_NOTICE in n.message for n in app._notifications)
        assert "offline demo model" in str(app.query_one("#status").render())
        await type_and_send(pilot, "hello")
        await settle(pilot)
        assert len(active(app).conversation.messages) == 2


async def test_the_status_line_changes_without_repainting_or_laying_out_the_screen(
        data_dir) -> None:
    """A turn's start and end change the status line: one line repainted, not the whole
    screen laid out and painted again (which walks every widget of a long reply)."""
    from claude_tui.ui.status_line import Status

    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        layouts = layouts_showing(app, "")
        app.status = Status(("a model", "replying… (escape stops)"))
        assert not screen._repaint_required  # the app's own repaint is the whole screen's
        await until(pilot, lambda: "replying… (escape stops)" in screen_text(app))
        for _ in range(3):
            await pilot.pause()
        assert not layouts


# Run in a fresh interpreter: the SDK is in this one already. The app starts as the command
# line starts it with a key set, and sys.modules is read when Textual announces the first frame.
FIRST_FRAME_PROBE = """
import asyncio, json, sys
from textual import events
import claude_tui.ui.sdk_warm_up as warm_up_module
from claude_tui.cli import build_parser, resolve
from claude_tui.ui.app import ClaudeTUI
from tests.ui_helpers import until

LATER = ("anthropic", "rich.markdown", "markdown_it")
# Needed only to read a config file: there is none here.
UNNEEDED = ("tomllib",)
at_first_frame, at_warm_up = [], []

def note(message):
    if isinstance(message, events.Ready) and not at_first_frame:
        at_first_frame.append("anthropic" in sys.modules)

warm_up = warm_up_module.warm_up_in_background

def noted_warm_up(*args):
    # Run after the first paint: what was imported for it.
    at_warm_up.append(sorted(name for name in LATER + UNNEEDED if name in sys.modules)
                      + sorted(name for name in sys.modules  # imported when first opened
                               if name.startswith("claude_tui.ui.dialogs.")
                               and name != "claude_tui.ui.dialogs.dialog"))
    warm_up(*args)

warm_up_module.warm_up_in_background = noted_warm_up

async def main():
    options = resolve(build_parser().parse_args([]))
    assert not options.demo, options.demo_reason
    app = ClaudeTUI(options)
    async with app.run_test(message_hook=note) as pilot:
        # They do load, afterwards, and the focus went straight to the composer.
        await until(pilot, lambda: all(name in sys.modules for name in LATER))
        print(json.dumps(type(app.focused).__name__))
    print(json.dumps([at_first_frame, at_warm_up]))

asyncio.run(main())
"""


def test_the_first_screen_is_shown_before_the_sdk_and_markdown_are_imported() -> None:
    """The SDK costs over a second to import, Rich's Markdown (with markdown-it and Pygments)
    a tenth of start-up: both load in a thread after the first paint. No dialog is imported
    for the first screen either, nor what reads a config file when there is none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["ANTHROPIC_API_KEY"] = "sk-ant-not-a-real-key"
    env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9"  # were anything sent, it goes nowhere
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME_PROBE], capture_output=True,
                            text=True, env=env, cwd=Path(__file__).parents[1], timeout=120)
    assert result.returncode == 0, result.stderr
    focused, seen = result.stdout.strip().splitlines()[-2:]
    # One first frame, painted before the SDK was imported; none of them was needed for it.
    assert json.loads(seen) == [[False], [[]]]
    assert json.loads(focused) == "Composer"


async def test_the_sdk_is_ready_after_start_up(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        assert app.claude is not None
        await until(pilot, lambda: app.claude.ready)


def test_quitting_does_not_wait_for_the_sdk_warm_up(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    """A user quitting in the first second must not wait for the SDK import to finish."""
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_warm_up(self: object) -> None:
        started.set()
        release.wait(timeout=20)  # bounded, so the old behaviour fails instead of hanging
        finished.set()

    monkeypatch.setattr(AnthropicProvider, "warm_up", slow_warm_up)
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))

    async def quit_once_warming(pilot) -> None:
        await until(pilot, started.is_set)
        await pilot.press("ctrl+q")

    # app.run() ends with asyncio.run, which joins its default executor's threads.
    app.run(headless=True, size=SIZE, auto_pilot=quit_once_warming)
    try:
        assert started.is_set()
        assert not finished.is_set(), "quitting waited for the warm-up"
    finally:
        release.set()


async def test_a_replys_last_event_arriving_as_the_app_quits_is_no_crash(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app).composer is not None)
        shown = active(app).conversation.id
    # A reply's events reach the app through several widgets: the last one can be handled
    # after quitting has taken the screens away (as here), and must not raise there.
    assert not app.screen_stack
    app.on_engine_event(EngineEvent(TurnFinished(shown, "end_turn")))


async def test_the_footer_keeps_its_labels_short(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=(140, 30)) as pilot:
        # The footer is drawn once the bindings are known: wait for its last key.
        await until(pilot, lambda: "Quit" in screen_text(app).splitlines()[-1])
        footer = screen_text(app).splitlines()[-1]
        for label in ("New", "Close tab", "Open", "Rename", "End", "Help", "Quit"):
            assert label in footer, label
        assert "New conversation in a new tab" not in footer
        assert "permanent" not in footer
