"""The installed app in a real terminal: a detached tmux session, driven by keys, read back
with ``capture-pane``.

The screen is read through one tmux client in control mode (``tmux -C``) for the whole run: a
``capture-pane`` through it costs the tmux server about 0.03 ms, where a ``tmux`` process a
capture cost 3.7 ms (2.8 ms of CPU for the process, 0.6 ms for starting it), most of a CPU of a
2-CPU machine at one capture every few milliseconds, taken from the app being measured.

A key's latency is the time from ``tmux send-keys`` until ``capture-pane`` shows it: the probe
types ``z`` (the benchmark replies have none) into the composer, polls the screen every
``POLL`` seconds until the run of z's there has grown, and later deletes them again the same
way. tmux's own round trip is in every figure, the idle app's reference included.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / ".venv" / "bin" / "claude-tui"
POLL = 0.002
_RUN = re.compile(r"z+")
_PASSED = ("PYTHONPATH", "BENCH_GCLOG", "BENCH_GCTHRESH", "BENCH_SLOWLOG")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


class ControlClient:
    """A tmux client in control mode, attached to a session of its own: commands written to it,
    each answer read back between its ``%begin`` and ``%end`` lines. Safe across threads."""

    def __init__(self) -> None:
        self.session = f"ctb-probe-{os.getpid()}"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "20", "-y", "5",
                        "sleep 86400"], check=True)
        self._proc = subprocess.Popen(["tmux", "-C", "attach", "-t", self.session],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._lock = threading.Lock()
        self._answer()  # to the attach itself

    def _answer(self) -> bytes:
        assert self._proc.stdout is not None
        read = self._proc.stdout.readline
        line = read()
        while not line.startswith(b"%begin "):  # notifications between answers
            if not line:
                raise RuntimeError("the tmux control client has gone")
            line = read()
        # The answer ends at the %end (or %error) line of the same time and number.
        tag = line[len(b"%begin "):]
        ends = (b"%end " + tag, b"%error " + tag)
        lines: list[bytes] = []
        while (line := read()) not in ends:
            if not line:
                raise RuntimeError("the tmux control client has gone")
            lines.append(line)
        return b"".join(lines)

    def run(self, *args: str) -> str:
        assert self._proc.stdin is not None
        with self._lock:
            self._proc.stdin.write((" ".join(shlex.quote(a) for a in args) + "\n").encode())
            self._proc.stdin.flush()
            return self._answer().decode(errors="replace")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(5)
        tmux("kill-session", "-t", self.session)


_control: ControlClient | None = None


def control() -> ControlClient:
    """The run's control client, started on first use, closed at exit."""
    global _control
    if _control is None:
        _control = ControlClient()
        atexit.register(_control.close)
    return _control


class TerminalApp:
    """claude-tui in tmux with temporary XDG folders, talking to ``base_url``."""

    def __init__(self, base_url: str, *, home: Path | None = None, width: int = 120,
                 height: int = 40) -> None:
        if shutil.which("tmux") is None:
            sys.exit("tmux is needed for this benchmark")
        if not APP.exists():
            sys.exit(f"{APP} is missing: make the venv and `pip install -e .` first")
        self.home = home or Path(tempfile.mkdtemp(prefix="claude-tui-bench-"))
        self.session = f"ctb{os.getpid()}_{int(time.time() * 1000) % 100000}"
        self.width, self.height = width, height
        self.base_url = base_url
        self.started = 0.0
        self._spy: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self.program = ""  # another command line to run instead of the app

    @property
    def data_dir(self) -> Path:
        return self.home / "data" / "claude-tui"

    def env(self) -> dict[str, str]:
        h = self.home
        return {"HOME": str(h), "XDG_DATA_HOME": str(h / "data"),
                "XDG_CONFIG_HOME": str(h / "config"), "XDG_STATE_HOME": str(h / "state"),
                "XDG_CACHE_HOME": str(h / "cache"), "ANTHROPIC_API_KEY": "test",
                "ANTHROPIC_BASE_URL": self.base_url, "TERM": "xterm-256color",
                "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "ctb-pycache"),
                # Passed on for diagnostics (a sitecustomize on PYTHONPATH logging GC pauses).
                **{k: v for k, v in os.environ.items() if k in _PASSED}}

    def start(self, *args: str) -> None:
        env = " ".join(f"{k}={v}" for k, v in self.env().items())
        # BENCH_PROFILE=FILE runs the app under pyinstrument, its report written to FILE.
        profile = os.environ.get("BENCH_PROFILE")
        program = self.program or (
            f"{APP.parent / 'python'} -m pyinstrument -r text --show-all -o {profile} "
            f"-m claude_tui" if profile else str(APP))
        # The tmux server keeps the environment of whoever started it: a PYTHONDONTWRITEBYTECODE
        # there would compile every module of the app from source on each start, which no
        # installed copy does (pip writes the bytecode at install).
        command = (f"exec env -u ANTHROPIC_AUTH_TOKEN -u PYTHONDONTWRITEBYTECODE {env} {program} "
                   f"{' '.join(args)}")
        self.started = time.perf_counter()
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", str(self.width),
                        "-y", str(self.height), command], check=True)
        self._pid = None
        self._pid = self.pid

    def spy(self) -> None:
        """With BENCH_PYSPY=FILE, sample the app with py-spy from now on (collapsed stacks)."""
        out = os.environ.get("BENCH_PYSPY")
        if out and self._spy is None:
            self._spy = subprocess.Popen(
                [str(APP.parent / "py-spy"), "record", "-p", str(self.pid), "-r", "100",
                 "-f", "raw", "--gil", "--nonblocking", "-o", out],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def pid(self) -> int:
        if self._pid is None:
            found = tmux("display-message", "-p", "-t", self.session, "#{pane_pid}").strip()
            self._pid = int(found)
        return self._pid

    def screen(self) -> str:
        return control().run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *(["-l"] if literal else []),
                        *keys], check=False)

    def wait_for(self, text: str, timeout: float = 60.0) -> float:
        """Seconds until ``text`` is on screen (polled every POLL)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if text in self.screen():
                return time.perf_counter() - start
            time.sleep(POLL)
        raise TimeoutError(f"{text!r} not on screen after {timeout} s:\n{self.screen()}")

    def composer_run(self, screen: str | None = None) -> int:
        """The longest run of z's on the bottom lines (where the composer is)."""
        lines = (screen if screen is not None else self.screen()).splitlines()[-8:]
        return max((len(m.group()) for line in lines for m in _RUN.finditer(line)), default=0)

    def cpu_seconds(self) -> float:
        """CPU time the app has used (user + system, all threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_quiet(self, timeout: float = 60.0) -> float:
        """Wait until the app is idle (start-up work such as the SDK import done): under 5 %
        of a CPU over half a second. Returns the seconds waited."""
        start = time.perf_counter()
        last = self.cpu_seconds()
        while time.perf_counter() - start < timeout:
            time.sleep(0.5)
            now = self.cpu_seconds()
            if now - last < 0.025:
                break
            last = now
        return time.perf_counter() - start

    def rss_peak_mb(self) -> float:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    def spy_stop(self) -> None:
        """Stop sampling (``spy()``), the file written."""
        if self._spy is not None:
            self._spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            self._spy.wait(30)
            self._spy = None

    def quit(self, timeout: float = 30.0) -> None:
        """Quit as a user does (ctrl+q) and wait until the app has gone, then ``stop()``."""
        self.keys("C-q")
        deadline = time.perf_counter() + timeout
        while Path(f"/proc/{self.pid}").exists() and time.perf_counter() < deadline:
            time.sleep(POLL)
        self.stop()

    def stop(self) -> None:
        self.spy_stop()
        if os.environ.get("BENCH_PROFILE"):
            self.keys("C-q")  # a clean exit writes the profile
            time.sleep(10)
        pid = self._pid
        tmux("kill-session", "-t", self.session)
        # An app left behind would load the machine for the next run: on a hung-up terminal
        # Textual's exit can hang (its output thread stuck), so it is killed after a grace time.
        for _ in range(30 if pid else 0):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
        else:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def saved_reply_length(self) -> int:
        """Characters of the last saved reply in the only conversation file (0 if none)."""
        folder = self.data_dir / "conversations"
        best = 0
        for path in folder.glob("*.json"):
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            for message in data.get("messages", [])[-1:]:
                if message.get("role") == "assistant":
                    best = max(best, sum(len(b.get("text", "")) for b in message["content"]
                                         if b.get("type") == "text"))
        return best


class KeyProbe:
    """Types z's into the composer and times each one until it shows; runs in a thread."""

    def __init__(self, app: TerminalApp, *, gap: float = 0.05, limit: float = 5.0) -> None:
        self.app = app
        self.gap = gap
        self.limit = limit
        self.samples: list[tuple[float, float]] = []  # (when, latency in s)
        self.screens_seen: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.watch: str | None = None  # text to note the first time it is on screen
        self.watch_seen_at = 0.0

    def one(self, run: int, typing: bool) -> float:
        self.app.keys("z" if typing else "BSpace", literal=typing)
        sent = time.perf_counter()
        want = run + 1 if typing else run - 1
        while True:
            screen = self.app.screen()
            now = time.perf_counter()
            if self.watch and not self.watch_seen_at and self.watch in screen:
                self.watch_seen_at = now
            if self.app.composer_run(screen) == want:
                return now - sent
            if now - sent > self.limit:
                return self.limit  # counted as the limit: the app is that late at least
            time.sleep(POLL)

    def _loop(self) -> None:
        run = self.app.composer_run()
        typing = True
        while not self._stop.is_set():
            latency = self.one(run, typing)
            self.samples.append((time.perf_counter(), latency))
            run = self.app.composer_run()
            typing = run < 30 if typing else run == 0
            self._stop.wait(self.gap)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.limit + 1)

    def between(self, start: float, end: float) -> list[float]:
        return [lat for when, lat in self.samples if start <= when <= end]


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no samples"
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (f"n={len(ms)} median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
            f"worst {ms[-1]:.0f} ms")


def p95(latencies: list[float]) -> float:
    ms = sorted(latencies)
    return ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))] if ms else float("nan")


def ready(app: TerminalApp, timeout: float = 30.0) -> float:
    """Seconds from launch until the app's footer is drawn."""
    app.wait_for("^q", timeout)
    return time.perf_counter() - app.started
