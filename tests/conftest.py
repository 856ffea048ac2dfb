"""Every test runs with temporary XDG folders and no credentials from the real environment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fake_api import fake_api  # noqa: F401

if TYPE_CHECKING:
    from tests.ui_helpers import Clock

_CREDENTIAL_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and the XDG folders into tmp_path so no test touches the user's files."""
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        folder = home / sub
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setenv("HOME", str(home))
    for name in _CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def data_dir(isolated_home: Path) -> Path:
    return isolated_home / "data" / "claude-tui"


@pytest.fixture
def dialog_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock the yes/no dialogs measure their grace period on, moved on by the test."""
    from tests.ui_helpers import Clock  # the UI only where a test asks for it

    clock = Clock()
    monkeypatch.setattr("claude_tui.ui.screens.yes_no.clock", clock)
    return clock
