"""How fast claude-tui appears, against a minimal Textual app timed in the same run.

Every timing is a whole process (median of N interleaved runs, after one untimed run of each
that warms the bytecode and disk caches; bytecode goes to a temporary PYTHONPYCACHEPREFIX, as an
installed copy has it), started with temporary XDG and HOME folders and no ANTHROPIC_*
variables, so the offline demo model is used:

- ``python -c pass`` and ``import textual.app``: the floor any Textual app pays;
- a minimal Textual app, headless, until its first paint, then exiting: THE REFERENCE;
- ``claude-tui --version`` (must not import Textual or the SDK);
- claude-tui headless until its first paint, then exiting: without a key, and with a dummy
  key (``ANTHROPIC_API_KEY=sk-test``, ``ANTHROPIC_BASE_URL=http://127.0.0.1:9``) so the SDK
  provider is set up but never reached;
- ``import anthropic`` alone, to show what keeping it off the first screen saves.

"First paint" is the first callback Textual runs after the screen has been laid out and drawn
(``call_after_refresh``), asked for as soon as the app is ready; "settled" the first such paint
whose screen has the footer's keys (and, for claude-tui, the composer): the first paints of
both apps come before their footers are filled. The app runs are made by a small
driver (``python -c``) that also records whether ``anthropic`` was imported before that point,
and from which thread and which line of claude_tui, via an import hook.

Run from the checkout::

    python benchmarks/bench_startup.py           # 5 runs of each
    python benchmarks/bench_startup.py -n 9
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Records when and where ``anthropic`` starts being imported. Installed before anything else.
_IMPORT_WATCH = """
import os, sys, threading, time, traceback
_t0 = float(os.environ["BENCH_T0"])
_seen = {}
class _Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "anthropic" and not _seen:
            thread = threading.current_thread()
            where = [f"{f.filename.split('claude_tui')[-1]}:{f.lineno} {f.name}"
                     for f in traceback.extract_stack()[:-1] if "claude_tui" in f.filename]
            _seen.update(at=time.time() - _t0, thread=thread.name,
                         main=thread is threading.main_thread(), where=where[-3:])
        return None
sys.meta_path.insert(0, _Watch())
"""

# Runs an app headless until its first paint; prints what it saw as JSON. With WARM set it then
# waits for the SDK warm-up (app.sdk_ready) while a probe task measures how late the event
# loop answers, which is how late a key press would be handled meanwhile.
_FIRST_PAINT = """
import asyncio, json
_report = {"constructed": time.time() - _t0}
async def _probe(lags):
    while True:
        start = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append(time.perf_counter() - start - 0.005)
async def _autopilot(pilot):
    app = pilot.app
    _report["ready"] = time.time() - _t0
    _report["anthropic_at_ready"] = "anthropic" in sys.modules
    painted = asyncio.Event()
    def on_paint():
        _report["paint"] = time.time() - _t0
        _report["anthropic_at_paint"] = "anthropic" in sys.modules
        painted.set()
    app.call_after_refresh(on_paint)
    await painted.wait()
    # The first paint may come before the screen is complete (the footer's keys, the
    # composer): the screen a person sees settled is the first paint that has them.
    from textual.widgets import Footer, TextArea
    def settled():
        footer = app.screen.query(Footer)
        return (bool(footer) and bool(footer.first().children)
                and (not COMPOSER or bool(app.screen.query(TextArea))))
    while not settled():
        painted.clear()
        app.call_after_refresh(painted.set)
        await painted.wait()
    _report["settled"] = time.time() - _t0
    if WARM:
        lags = []
        probe = asyncio.create_task(_probe(lags))
        # The warm-up runs in a daemon thread started after the paint; the provider says
        # when the SDK is in (a failed import leaves it for the first request: not waited).
        deadline = time.time() + 30
        while not app.claude.ready and time.time() < deadline:
            await asyncio.sleep(0.005)
        probe.cancel()
        _report["warm"] = time.time() - _t0
        _report["sdk_ready"] = app.claude.ready
        _report["anthropic_loaded"] = "anthropic" in sys.modules
        _report["max_lag"] = max(lags, default=0.0)
    app.exit()
APP.run(headless=True, size=(100, 30), auto_pilot=_autopilot)
_report["returned"] = time.time() - _t0
_report["anthropic_import"] = _seen or None
print("BENCH " + json.dumps(_report))
"""

MINIMAL_APP = _IMPORT_WATCH + """
from textual.app import App, ComposeResult
from textual.widgets import Footer, Static
class Minimal(App):
    def compose(self) -> ComposeResult:
        yield Static("hello")
        yield Footer()
APP = Minimal()
WARM = False
COMPOSER = False
""" + _FIRST_PAINT

CLAUDE_TUI_APP = _IMPORT_WATCH + """
import gc
gc.disable()  # as the command's entry point does (claude_tui/launch.py) until the first paint
from claude_tui.cli import build_parser, resolve
from claude_tui.ui.app import ClaudeTUI
APP = ClaudeTUI(resolve(build_parser().parse_args([])))
WARM = False
COMPOSER = True
""" + _FIRST_PAINT
CLAUDE_TUI_WARM = CLAUDE_TUI_APP.replace("WARM = False", "WARM = True")


def clean_env(home: Path, key: bool, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "XDG_", "TEXTUAL", "PYTHONDONTWRITEBYTECODE"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
               XDG_CACHE_HOME=str(home / "cache"), PYTHONPATH=str(ROOT),
               # Bytecode as an installed copy has it, written outside the checkout.
               PYTHONPYCACHEPREFIX=str(pycache))
    if key:
        # Set up the SDK provider, but never reach anything: port 9 is closed.
        env.update(ANTHROPIC_API_KEY="sk-test", ANTHROPIC_BASE_URL="http://127.0.0.1:9")
    return env


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, dict | None]:
    env = dict(env, BENCH_T0=repr(time.time()))
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd!r} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    report = None
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            report = json.loads(line[6:])
    return elapsed, report


def measure_all(
    cases: list[tuple[str, list[str], dict[str, str]]], runs: int
) -> dict[str, tuple[float, list[dict]]]:
    """Median time of each case. Runs are interleaved (one of each case per round) so that
    other load on the machine slows every case alike and the ratios stay meaningful."""
    for _label, cmd, env in cases:
        run_once(cmd, env)  # untimed: bytecode, disk cache, and the app's first-start files
    times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    reports: dict[str, list[dict]] = {label: [] for label, _, _ in cases}
    for round_number in range(runs):
        for label, cmd, env in cases:
            elapsed, report = run_once(cmd, env)
            times[label].append(elapsed)
            if report is not None:
                reports[label].append(report)
        print(f"  round {round_number + 1}/{runs} done", file=sys.stderr, flush=True)
    return {label: (statistics.median(times[label]), reports[label]) for label in times}


def median_of(reports: list[dict], key: str) -> float | None:
    values = [r[key] for r in reports if r.get(key) is not None]
    return statistics.median(values) if values else None


def version_command() -> list[str]:
    script = Path(sys.executable).parent / "claude-tui"
    if script.exists():
        return [str(script), "--version"]
    found = shutil.which("claude-tui")
    return [found, "--version"] if found else [sys.executable, "-m", "claude_tui", "--version"]


def describe_sdk(reports: list[dict]) -> str:
    """Whether the SDK was in memory at first paint, and who imported it."""
    if not reports:
        return "no report"
    at_paint = sum(1 for r in reports if r.get("anthropic_at_paint"))
    early = [r["anthropic_import"] for r in reports
             if r.get("anthropic_import") and r["anthropic_import"]["at"] < r["paint"]
             and r["anthropic_import"]["main"]]
    if early:
        where = " <- ".join(reversed(early[0]["where"])) or "outside claude_tui"
        return (f"anthropic IMPORTED BEFORE FIRST PAINT on the main thread in "
                f"{len(early)}/{len(reports)} runs, from {where}")
    imports = [r["anthropic_import"] for r in reports if r.get("anthropic_import")]
    if not imports:
        # With a key, the warm-up thread is a daemon: a process that exits at first paint
        # does not wait for it, and may end before it imports anything.
        return "anthropic not imported at all (without a key, or exited before the warm-up)"
    threads = sorted({i["thread"] for i in imports})
    note = (f"; already partly in sys.modules at the paint callback in {at_paint} runs "
            "(the warm-up thread had started)" if at_paint else "")
    return (f"anthropic not imported before first paint; imported afterwards in thread "
            f"{', '.join(threads)}{note}")


def ms(seconds: float | None) -> str:
    return f"{seconds * 1e3:5.0f} ms" if seconds is not None else "     -   "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=5, help="timed runs of each (median)")
    args = parser.parse_args()
    py = sys.executable

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        pycache = Path(tmp) / "pycache"
        no_key = clean_env(Path(tmp) / "nokey", key=False, pycache=pycache)
        with_key = clean_env(Path(tmp) / "key", key=True, pycache=pycache)
        cases: list[tuple[str, list[str], dict[str, str]]] = [
            ("python -c pass", [py, "-c", "pass"], no_key),
            ("import textual.app", [py, "-c", "import textual.app"], no_key),
            (REFERENCE, [py, "-c", MINIMAL_APP], no_key),
            ("claude-tui --version", version_command(), no_key),
            (NO_KEY, [py, "-c", CLAUDE_TUI_APP], no_key),
            (WITH_KEY, [py, "-c", CLAUDE_TUI_APP], with_key),
            (WARM_UP, [py, "-c", CLAUDE_TUI_WARM], with_key),
            ("import anthropic (kept off the start path)", [py, "-c", "import anthropic"], no_key),
        ]
        results = measure_all(cases, args.runs)

    reference = results[REFERENCE][0]
    ref_paint = median_of(results[REFERENCE][1], "paint")
    print(f"Start-up, whole process, median of {args.runs} runs "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs); reference: {REFERENCE}")
    ref_settled = median_of(results[REFERENCE][1], "settled")
    print(f"  {'':50} {'total':>8} {'vs ref':>7}  {'imported':>8} {'painted':>8} {'vs ref':>7}"
          f"  {'settled':>8} {'vs ref':>7}")
    for label, (total, reports) in results.items():
        paint = median_of(reports, "paint")
        paint_ratio = f"{paint / ref_paint:6.2f}x" if paint and ref_paint else ""
        line = f"  {label:50} {ms(total)} {total / reference:6.2f}x"
        if reports:
            settled = median_of(reports, "settled")
            settled_ratio = f"{settled / ref_settled:6.2f}x" if settled and ref_settled else ""
            line += (f"  {ms(median_of(reports, 'constructed'))} {ms(paint)} {paint_ratio}"
                     f"  {ms(settled)} {settled_ratio}")
        print(line)
    print("  (imported: imports done and the app object built; painted: first paint; settled: "
          "the first paint with the footer's keys (and claude-tui's composer); all measured "
          "inside the process from its launch)")
    for label in (NO_KEY, WITH_KEY):
        total, reports = results[label]
        paint = median_of(reports, "paint")
        if paint and ref_paint:
            print(f"{label}: first paint {paint / ref_paint:.2f}x the minimal app's "
                  f"({(paint - ref_paint) * 1e3:+.0f} ms); {describe_sdk(reports)}")
        returned = median_of(reports, "returned")
        if returned is not None and paint is not None and returned - paint > 0.25:
            # The app exits at its first paint; anything after that is waiting on something.
            print(f"  NOTE: exit was asked at first paint ({ms(paint).strip()}) but app.run() "
                  f"returned at {ms(returned).strip()} and the process ended at "
                  f"{ms(total).strip()}: quitting waits for a running thread")
    warm = results[WARM_UP][1]
    if warm:
        loaded = sum(1 for r in warm if r.get("anthropic_loaded"))
        print(f"{WARM_UP}: first paint at {ms(median_of(warm, 'paint')).strip()}, SDK client "
              f"ready at {ms(median_of(warm, 'warm')).strip()} ({loaded}/{len(warm)} runs "
              f"loaded it); a key press waited at most {ms(median_of(warm, 'max_lag')).strip()} "
              f"meanwhile (median of the runs' worst); {describe_sdk(warm)}")


REFERENCE = "minimal Textual app, first paint (reference)"
NO_KEY = "claude-tui, first paint, no key (demo model)"
WITH_KEY = "claude-tui, first paint, dummy key"
WARM_UP = "claude-tui, dummy key, until the SDK warm-up ends"


if __name__ == "__main__":
    main()
