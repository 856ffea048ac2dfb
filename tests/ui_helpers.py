"""Shared set-up for the app's Pilot tests: start options, screen text, waiting."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from claude_tui.config import DEFAULT_MODEL, DEMO_MODEL, Settings, default_config_path
from claude_tui.config import default_data_dir as _default_data_dir
from claude_tui.startup import StartOptions, build_providers
from claude_tui.storage.writer import flush_all
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.tabs.pane import ConversationPane
from tests.fake_api import API_KEY, FakeAPI

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits for animations after each key (0.3 s per tab switch): none in these tests.

    Autouse in every module that imports it.
    """
    monkeypatch.setattr("textual.constants.TEXTUAL_ANIMATIONS", "none")


class Clock:
    """A clock a test moves on by hand: grace periods pass without sleeping (the
    ``dialog_clock`` fixture in conftest.py puts one under the yes/no dialogs)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _settings(**changes: Any) -> Settings:
    settings = Settings(path=default_config_path())
    settings.max_retries = 0  # a scripted error should fail at once, not be retried
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def claude_options(fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, *,
                   model: str = DEFAULT_MODEL, **settings: Any) -> StartOptions:
    """Talk to the fake server with the real SDK, as a user with a key would."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    chosen, data_dir = _settings(**settings), _default_data_dir()
    return StartOptions(settings=chosen, data_dir=data_dir, model=model, api_key=API_KEY,
                        demo=False, demo_reason=None,
                        providers=build_providers(chosen, data_dir, API_KEY))


def demo_options(**settings: Any) -> StartOptions:
    """No key: the offline demo model, typing fast so tests stay quick."""
    settings.setdefault("demo_chars_per_second", 1_000_000.0)
    chosen, data_dir = _settings(**settings), _default_data_dir()
    return StartOptions(settings=chosen, data_dir=data_dir, model=DEMO_MODEL, api_key="",
                        demo=True, demo_reason="no API key",
                        providers=build_providers(chosen, data_dir, ""))


def screen_text(app: ClaudeTUI) -> str:
    """What the terminal shows now, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def layouts_showing(app: App[Any], text: str) -> list[bool]:
    """From now on, after each layout of the app's screen: is ``text`` on screen."""
    screen = app.screen
    layouts: list[bool] = []
    refresh_layout = screen._refresh_layout

    def counted_layout(*args: object, **kwargs: object) -> None:
        refresh_layout(*args, **kwargs)  # type: ignore[arg-type]
        layouts.append(text in screen_text(app))  # type: ignore[arg-type]

    screen._refresh_layout = counted_layout  # type: ignore[method-assign]
    return layouts


def main_screen_text(app: ClaudeTUI) -> str:
    """What the tabs show under any open dialog, as plain text."""
    strips = app.screen_stack[0]._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def until(pilot: Pilot[None], check: Callable[[], object], tries: int = 400,
                timeout: float = 60.0) -> None:
    """Let the app run until ``check()`` holds (fails the test if it never does).

    Gives up after ``tries`` pauses and ``timeout`` seconds, whichever comes later: a pause
    takes a process waiting for a busy CPU for an idle one and returns at once, so a count
    alone runs out in moments on a loaded machine.
    """
    deadline = time.monotonic() + timeout
    attempt = 0
    while attempt < tries or time.monotonic() < deadline:
        if check():
            return
        attempt += 1
        await pilot.pause(0.01 if attempt > tries // 4 else None)
    raise AssertionError(f"never happened: {getattr(check, '__name__', check)}")


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every running turn and let the tabs render what the engine sent."""
    app = pilot.app
    await app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


def panes(app: ClaudeTUI) -> list[ConversationPane]:
    """The tabs in the order they are shown."""
    by_id = {p.id: p for p in app.query(ConversationPane)}
    order = [tab.id.removeprefix("--content-tab-") for tab in app.tabs.query("ContentTab")]
    return [by_id[i] for i in order if i in by_id]


def active(app: ClaudeTUI) -> ConversationPane:
    pane = app.active_pane
    assert pane is not None
    return pane


def tabs_file(data_dir: Path) -> dict[str, Any]:
    flush_all()  # the app's writer thread may still be at it
    return json.loads((data_dir / "tabs.json").read_text("utf-8"))


def conversation_file(data_dir: Path, conversation_id: str) -> dict[str, Any]:
    path = data_dir / "conversations" / f"{conversation_id}.json"
    flush_all()
    return json.loads(path.read_text("utf-8"))


async def type_and_send(pilot: Pilot[None], text: str) -> None:
    composer = active(pilot.app).composer  # type: ignore[arg-type]
    assert composer is not None, "the shown tab has no composer"
    composer.focus()
    composer.insert(text)
    await pilot.press("enter")

