"""The real app in a real pseudo-terminal, stopped by real signals while a reply streams.

SIGTERM and SIGHUP (the terminal window closed) save the reply received so far and exit
cleanly; after SIGKILL the reply is still there as of its last periodic save, and a restart
shows it with a way to retry.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.fake_api import API_KEY, FakeAPI, reply, text

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty and signals")

WAIT = 60.0  # a bound for a failing test on a busy machine, never a pace
MARK = "Zanzibarquux"  # one text_delta piece: on screen means the app has it


class Terminal:
    """The app running in a pty; everything it prints is collected."""

    def __init__(self, env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.master = master
        self.process = subprocess.Popen(
            [sys.executable, "-m", "claude_tui"], stdin=slave, stdout=slave, stderr=slave,
            env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.output += data

    def shows(self, needle: str) -> bool:
        with self._lock:
            return needle.encode() in self.output

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def hang_up(self) -> None:
        """What closing the terminal window does: the pty goes, SIGHUP arrives."""
        os.close(self.master)
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(WAIT)
        with contextlib.suppress(OSError):
            os.close(self.master)


def wait_for(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def app_env(fake_api: FakeAPI, isolated_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(ANTHROPIC_API_KEY=API_KEY, ANTHROPIC_BASE_URL=fake_api.base_url,
               TERM="xterm-256color", PYTHONDONTWRITEBYTECODE="1")
    return env


def conversation_files(data_dir: Path) -> list[dict]:  # type: ignore[type-arg]
    folder = data_dir / "conversations"
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


def the_reply(data_dir: Path) -> dict | None:  # type: ignore[type-arg]
    for data in conversation_files(data_dir):
        for message in data["messages"]:
            if message["role"] == "assistant":
                return message
    return None


def start_streaming(env: dict[str, str], fake_api: FakeAPI) -> Terminal:
    fake_api.add(reply(text(MARK + " is where this long answer starts"), fault="stall"))
    terminal = Terminal(env)
    wait_for(lambda: terminal.shows("Quit"), "the app's first screen")
    terminal.type("tell me a long story\r")
    wait_for(lambda: terminal.shows(MARK), "the first words of the reply on screen")
    return terminal


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_a_signal_while_streaming_keeps_the_reply_and_exits_cleanly(
        app_env: dict[str, str], fake_api: FakeAPI, data_dir: Path, how: str) -> None:
    terminal = start_streaming(app_env, fake_api)
    try:
        if how == "SIGTERM":
            terminal.process.send_signal(signal.SIGTERM)
        else:
            terminal.hang_up()
        assert terminal.process.wait(WAIT) == 0
    finally:
        terminal.stop()
    kept = the_reply(data_dir)
    assert kept is not None, "the reply received so far was lost"
    assert kept["interrupted"] is True and kept["interruption"] == "app_closed"
    assert kept["content"][0]["text"].startswith(MARK)
    assert fake_api.hung_up.wait(WAIT)  # the connection was let go, not left to time out
    assert json.loads((data_dir / "tabs.json").read_text("utf-8"))["open"]


def test_after_sigkill_the_reply_so_far_is_kept_and_a_restart_offers_a_retry(
        app_env: dict[str, str], fake_api: FakeAPI, data_dir: Path) -> None:
    terminal = start_streaming(app_env, fake_api)
    try:
        # Saved while it streams, every couple of seconds, marked interrupted until done.
        wait_for(lambda: the_reply(data_dir) is not None, "the partial reply on disk")
        terminal.process.send_signal(signal.SIGKILL)
        terminal.process.wait(WAIT)
    finally:
        terminal.stop()
    kept = the_reply(data_dir)
    assert kept is not None and kept["interrupted"] is True
    assert kept["content"][0]["text"].startswith(MARK)

    again = Terminal(app_env)
    try:
        wait_for(lambda: again.shows(MARK), "the kept reply after the restart")
        wait_for(lambda: again.shows("ctrl+r"), "the way to retry")
    finally:
        again.stop()
