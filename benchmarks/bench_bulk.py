"""A 400 KB reply (about 100k tokens) streamed as fast as the server sends it, in a real
terminal (tmux), against the SDK alone consuming the same stream in the same run.

1. **Reference:** ``anthropic.AsyncAnthropic().messages.stream()`` in a fresh process, reading
   every event and the final message from the local server (``stream_server.py``); the time
   is from the request reaching the server until the SDK has the whole message. Run before and
   after the app; the median is used.
2. The installed app, sent a message, streaming the same reply. Measured from the request
   reaching the server: **saved whole** (the conversation file holds the whole reply; target
   within 1.5x of the SDK), **on screen** (the reply's last words visible; target within 2x),
   keys typed into the composer throughout (``terminal.KeyProbe``; target p95 within 100 ms)
   and the app's peak RSS after it (``VmHWM``; target under 250 MB).

    python benchmarks/bench_bulk.py              # about a minute
    python benchmarks/bench_bulk.py --size 100   # KB
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from stream_server import END_MARK, SDK_ALONE, StreamServer, markdown_reply
from terminal import APP, KeyProbe, TerminalApp, p95, summary


def sdk_time(server: StreamServer) -> tuple[float, float]:
    """Seconds from the request reaching the server until the SDK had the whole message, and
    the CPU seconds the SDK used from sending the request."""
    done = subprocess.run([str(APP.parent / "python"), "-c", SDK_ALONE, server.url],
                          capture_output=True, text=True, check=True)
    _, length, finished, cpu = done.stdout.split()
    if int(length) != len(server.text):
        sys.exit(f"the SDK got {length} characters of {len(server.text)}")
    return float(finished) - server.requested_at, float(cpu)


def run_app(server: StreamServer) -> dict[str, float | list[float]]:
    app = TerminalApp(server.url)
    app.start()
    try:
        app.wait_for("^q", 60)
        app.wait_quiet()
        app.keys("Write it all down please", literal=True)
        time.sleep(0.2)
        probe = KeyProbe(app)
        cpu_before = app.cpu_seconds()
        app.keys("Enter")
        app.spy()
        probe.watch = END_MARK
        probe.start()
        saved_at = 0.0
        cpu_saved = cpu_shown = 0.0
        deadline = time.perf_counter() + 300
        while time.perf_counter() < deadline:
            if not saved_at and app.saved_reply_length() >= len(server.text):
                saved_at = time.perf_counter()
                cpu_saved = app.cpu_seconds() - cpu_before
                if os.environ.get("BENCH_PYSPY_UNTIL") == "saved":
                    app.spy_stop()
            if probe.watch_seen_at and not cpu_shown:
                cpu_shown = app.cpu_seconds() - cpu_before
            if saved_at and probe.watch_seen_at:
                break
            time.sleep(0.1)
        time.sleep(1.0)  # keys just after the end count too: finishing must not stall
        probe.stop()
        cpu_after = app.cpu_seconds() - cpu_before
        start = server.requested_at
        if os.environ.get("BENCH_KEYLOG"):  # each key: when it was typed, how long it took
            Path(os.environ["BENCH_KEYLOG"]).write_text(f"# request at {start:.4f}\n" + "".join(
                f"{when - lat - start:.4f} {lat:.4f}\n" for when, lat in probe.samples))
        return {"saved": saved_at - start if saved_at else float("nan"),
                "shown": probe.watch_seen_at - start if probe.watch_seen_at else float("nan"),
                "keys": probe.between(start, time.perf_counter()),
                "rss": app.rss_peak_mb(), "sent": server.sent_at - start,
                "cpu": (cpu_saved, cpu_shown, cpu_after)}
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=400, help="reply size in KB")
    args = parser.parse_args()
    text = markdown_reply(args.size * 1000)
    server = StreamServer(text, fast_chars=len(text))
    try:
        runs = [sdk_time(server)]
        result = run_app(server)
        runs.append(sdk_time(server))
    finally:
        server.close()
    sdk = [wall for wall, _ in runs]
    sdk_cpu = [cpu for _, cpu in runs]
    reference = statistics.median(sdk)
    keys: list[float] = result["keys"]  # type: ignore[assignment]
    saved, shown, rss = result["saved"], result["shown"], result["rss"]
    assert isinstance(saved, float) and isinstance(shown, float) and isinstance(rss, float)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"\n{args.size} KB reply ({len(text):,} characters, {len(text) // 16:,} deltas) "
          f"as fast as the server sends")
    print(f"the SDK alone (reference): {' / '.join(f'{s:.2f} s' for s in sdk)}; "
          f"the server sent it all in {result['sent']:.2f} s with the app reading")
    print("| figure | value | vs the SDK alone | target |")
    print("|---|---:|---:|---|")
    print(f"| saved whole | {saved:.2f} s | {saved / reference:.2f}x | <= 1.5x: "
          f"{verdict(saved / reference <= 1.5)} |")
    print(f"| last words on screen | {shown:.2f} s | {shown / reference:.2f}x | <= 2x: "
          f"{verdict(shown / reference <= 2)} |")
    print(f"| keys throughout | {summary(keys)} | | p95 <= 100 ms: "
          f"{verdict(p95(keys) <= 0.100)} |")
    print(f"| peak RSS after it | {rss:.0f} MB | | < 250 MB: {verdict(rss < 250)} |")
    cpu_saved, cpu_shown, cpu_after = result["cpu"]  # type: ignore[misc]
    # CPU time moves less than wall-clock time when other work shares the machine.
    print(f"app CPU from sending: {cpu_saved:.2f} s when saved, {cpu_shown:.2f} s when shown, "
          f"{cpu_after:.2f} s a second after both; the SDK alone: "
          f"{' / '.join(f'{c:.2f} s' for c in sdk_cpu)}")


if __name__ == "__main__":
    main()
