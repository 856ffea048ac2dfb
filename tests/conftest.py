"""Every test runs with temporary XDG folders and no credentials from the real environment."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from tests.fake_api import fake_api  # noqa: F401

# Tests that try many inputs: modest counts, no per-example deadline (CI has 2 busy cores).
# HYPOTHESIS_PROFILE=thorough tries more.
settings.register_profile("ci", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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


_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "", None}


class NetworkRefused(OSError):
    """A test tried to reach an address other than this machine's loopback."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Any connection (or name lookup) but to 127.0.0.1, ::1 or localhost fails, and fails the
    test too: the SDK would turn the refusal into a "could not connect" a test might expect."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse(where: object) -> NetworkRefused:
        attempts.append(repr(where))
        return NetworkRefused(f"tests may not reach the network: {where!r}")

    def checked(address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in _LOCAL_HOSTS:
            raise refuse(address)

    def connect(self: socket.socket, address: Any) -> None:
        checked(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        checked(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOCAL_HOSTS:
            raise refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail(f"the test tried to reach the network: {', '.join(attempts)}")


@pytest.fixture
def data_dir(isolated_home: Path) -> Path:
    return isolated_home / "data" / "claude-tui"


@pytest.fixture
def dialog_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock the yes/no dialogs measure their grace period on, moved on by the test."""
    from tests.ui_helpers import Clock  # the UI only where a test asks for it

    clock = Clock()
    monkeypatch.setattr("claude_tui.ui.dialogs.yes_no.clock", clock)
    return clock


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with a picture and a Markdown file, to attach."""
    from tests.test_attachments import png

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "chart.png").write_bytes(png())
    (folder / "notes.md").write_text("# Notes\n\nbuy milk\n", "utf-8")
    return folder
