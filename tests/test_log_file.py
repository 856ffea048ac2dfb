"""Errors the app catches land in the log file with their traceback, never with the API key
or what was written in the conversation."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from claude_tui import log_file
from claude_tui.chat import ChatEngine
from claude_tui.config import Settings
from claude_tui.events import TextDelta, TurnFailed
from claude_tui.providers.base import ModelRequest, StreamItem, TextChunk
from claude_tui.providers.choice import Providers
from claude_tui.storage.store import ConversationStore
from tests.chat_support import MODEL, Confirm, Events

KEY = "sk-ant-api03-SECRETSECRETSECRET-abcdef"
DIARY = "my private diary entry about the garden"


class BuggyProvider:
    """A provider with a bug: it fails with the key and the user's words in its message."""

    name = "buggy"

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        yield TextChunk("Some reply text that must not be logged")
        said = request.messages[-1]["content"][0]["text"]
        raise KeyError(f"bug near {said!r} with {KEY}")

    async def aclose(self) -> None:
        pass


@pytest.fixture
def log_path(isolated_home: Path) -> Iterator[Path]:
    path = log_file.setup(KEY)
    assert path is not None
    yield path
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "claude_tui", False):
            logging.getLogger().removeHandler(handler)
            handler.close()


def test_the_log_is_in_the_user_state_dir_and_private(log_path: Path, isolated_home) -> None:
    assert log_path == isolated_home / "state" / "claude-tui" / "claude-tui.log"
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


async def test_a_caught_bug_is_logged_with_its_traceback_not_the_key_or_the_text(
        log_path: Path, data_dir: Path) -> None:
    engine = ChatEngine(ConversationStore(data_dir), Settings(path=data_dir / "c.toml"),
                        Providers(claude=BuggyProvider(), demo=BuggyProvider()))
    conversation = engine.new_conversation(MODEL)
    events = Events()
    await engine.send(conversation, DIARY, on_event=events, confirm_end=Confirm())
    assert events.of(TurnFailed)  # the user was told; the app goes on

    def broken_display(event) -> None:
        if isinstance(event, TextDelta):
            raise RuntimeError(f"display bug showing {event.text}")

    await engine.send(conversation, DIARY + " again", on_event=broken_display,
                      confirm_end=Confirm())
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_path.read_text("utf-8")
    assert f"turn of {conversation.id} failed" in logged
    assert "Traceback (most recent call last):" in logged and "KeyError" in logged
    assert "in stream" in logged  # the frame where the bug was
    assert f"event handler failed for TextDelta of {conversation.id}" in logged
    assert "RuntimeError" in logged
    for secret in (KEY, "SECRETSECRET", DIARY, "garden", "Some reply text"):
        assert secret not in logged


def test_anything_shaped_like_a_key_is_blanked(log_path: Path) -> None:
    logging.getLogger("claude_tui.test").error("sent with %s", "sk-ant-other-key-123")
    try:
        open("/nonexistent/folder/file.json")  # noqa: SIM115
    except OSError:
        logging.getLogger("claude_tui.test").exception("could not open")
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_path.read_text("utf-8")
    assert "sent with [key]" in logged and "sk-ant-other" not in logged
    # An OSError keeps what helps: errno, reason, the file.
    assert "FileNotFoundError [errno 2] No such file or directory: /nonexistent" in logged


def test_the_log_rotates(log_path: Path) -> None:
    logger = logging.getLogger("claude_tui.test")
    for number in range(5000):  # 5 MB: the file and its three backups fill, the rest goes
        logger.warning("line %d %s", number, "x" * 1000)
    rotated = sorted(p.name for p in log_path.parent.iterdir())
    assert rotated == ["claude-tui.log", "claude-tui.log.1", "claude-tui.log.2",
                       "claude-tui.log.3"]
    for path in log_path.parent.iterdir():
        assert path.stat().st_size <= log_file.MAX_BYTES + 1000
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_command_sets_the_log_up_before_the_app_runs(isolated_home: Path) -> None:
    """A real process: a config error is not logged, but a start-up is set up to log."""
    code = ("import logging, sys; from claude_tui import cli, log_file; "
            "import claude_tui.ui.app as app; "
            "app.run_app = lambda options: logging.getLogger('claude_tui.x').error('ran') or 0; "
            "sys.exit(cli.main(['--demo']))")
    env = dict(os.environ, ANTHROPIC_API_KEY=KEY)
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
    logged = (isolated_home / "state" / "claude-tui" / "claude-tui.log").read_text("utf-8")
    assert "ERROR claude_tui.x: ran" in logged
