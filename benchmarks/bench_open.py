"""Opening a 5,000-message conversation from ctrl+o, against opening a 10-message one, in a
real terminal (tmux).

Both are stored (neither open) before the app starts. Each run is a fresh app: ctrl+o, the
conversation's title typed into the picker's filter, and, once it is listed, enter; timed from
enter until its last message is on screen with the picker gone. Interleaved, N runs each, after
one untimed run each. **Reference:** the 10-message conversation. Target: within 3x.

    python benchmarks/bench_open.py         # about a minute
    python benchmarks/bench_open.py -n 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import fixtures
from terminal import POLL, TerminalApp

from claude_tui.conversation import Message

PICKER = "Open a conversation"


def make_home() -> tuple[Path, dict[str, str]]:
    home = Path(tempfile.mkdtemp(prefix="claude-tui-bench-"))
    titles = {}
    made = []
    for messages, title in ((10, "Ten messages here"), (5000, "Five thousand messages")):
        each = fixtures.conversation(messages, seed=messages, title=title)
        marker = f"Last-words-{messages}-omega"
        each.messages.append(Message(role="user", content=[{"type": "text", "text": marker}]))
        made.append(each)
        titles[title] = marker
    fixtures.store(home / "data" / "claude-tui", made, open_ids=[], active=None)
    return home, titles


def open_once(home: Path, title: str, marker: str) -> float:
    app = TerminalApp("http://127.0.0.1:9", home=home)
    app.start()
    try:
        app.wait_for("^q", 60)
        app.wait_quiet()
        app.keys("C-o")
        app.wait_for(PICKER, 30)
        app.keys(title, literal=True)
        app.wait_for(title, 30)
        time.sleep(0.3)  # the filter applied
        app.keys("Enter")
        sent = time.perf_counter()
        while time.perf_counter() - sent < 60:
            screen = app.screen()
            if marker in screen and PICKER not in screen:
                return time.perf_counter() - sent
            time.sleep(POLL)
        raise TimeoutError(f"{marker} not on screen:\n{app.screen()}")
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="timed runs of each")
    args = parser.parse_args()
    home, titles = make_home()
    times: dict[str, list[float]] = {title: [] for title in titles}
    for title, marker in titles.items():
        open_once(home, title, marker)  # untimed: bytecode, disk cache, the index built
    for _ in range(args.n):
        for title, marker in titles.items():
            times[title].append(open_once(home, title, marker))
    small, large = (statistics.median(t) for t in times.values())
    print(f"\nOpening from ctrl+o until the last message shows, median of {args.n}:")
    print("| conversation | median | runs | vs 10 messages | target |")
    print("|---|---:|---|---:|---|")
    for (title, each), median in zip(times.items(), (small, large), strict=True):
        runs = ", ".join(f"{t * 1000:.0f}" for t in each)
        ratio = median / small
        target = "" if median is small else f"<= 3x: {'met' if ratio <= 3 else 'MISSED'}"
        print(f"| {title} | {median * 1000:.0f} ms | {runs} ms | {ratio:.2f}x | {target} |")


if __name__ == "__main__":
    main()
