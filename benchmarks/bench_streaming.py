"""What the live reply's batching saves, against Textual's Markdown stream fed every chunk.

Streams a 4 KB Markdown reply in 4-character chunks, arriving at a steady rate, into:

- THE REFERENCE: a Textual ``Markdown`` widget fed through ``Markdown.get_stream()``, one
  ``write`` per chunk (the stream itself joins fragments that pile up while it is busy);
- the app's ``LiveReply`` widget, which hands text to that same stream at most every
  ``LiveReply.FLUSH_EVERY`` seconds.

Both in a bare Textual app on an empty screen, each run in a fresh process. The figures are the
CPU time spent, how late the event loop answered while the text streamed (how late a key press
would be handled), the time from the last chunk to the whole text on screen, and Python's full
garbage collections meanwhile. Ratios compare figures measured in this same run.

Run from the checkout::

    python benchmarks/bench_streaming.py                 # 150 and 1000 chunks/s, ~40 s
    python benchmarks/bench_streaming.py --rates 500 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_history import BareApp, full_collections, in_fresh_process, painted, reply_for
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from claude_tui.ui.widgets.conversation.message import LiveReply

SIZE = (120, 40)


class Target:
    """Something to stream into: mount it, write a chunk, finish."""

    def __init__(self, widget: Markdown, write: Callable[[str], Awaitable[None]],
                 finish: Callable[[], Awaitable[None]]) -> None:
        self.widget, self.write, self.finish = widget, write, finish


def markdown_stream() -> Target:
    widget = Markdown("")
    stream = None

    async def write(chunk: str) -> None:
        nonlocal stream
        if stream is None:
            stream = Markdown.get_stream(widget)
        await stream.write(chunk)

    async def finish() -> None:
        if stream is not None:
            await stream.stop()

    return Target(widget, write, finish)


def live_reply() -> Target:
    widget = LiveReply()

    async def write(chunk: str) -> None:
        widget.write(chunk)

    async def finish() -> None:
        await widget.flush()  # what is still pending (the app replaces it with a message)
        await widget.finish()

    return Target(widget, write, finish)


async def _probe(lags: list[float]) -> None:
    while True:
        start = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append(time.perf_counter() - start - 0.005)


async def time_stream(make: Callable[[], Target], reply: str, rate: float) -> dict[str, float]:
    chunks = [reply[i:i + 4] for i in range(0, len(reply), 4)]
    app = BareApp()
    async with app.run_test(size=SIZE):
        target = make()
        await app.screen.mount(VerticalScroll(target.widget, classes="transcript"))
        await painted(app)
        lags: list[float] = []
        probe = asyncio.create_task(_probe(lags))
        collections: list[float] = []
        gc.callbacks.append(full_collections(collections))
        cpu, start = time.process_time(), time.perf_counter()
        for number, chunk in enumerate(chunks):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await target.write(chunk)
        last_chunk = time.perf_counter()
        await target.finish()
        await painted(app)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        probe.cancel()
        gc.callbacks.pop()
        complete = target.widget.source == reply
    lags.sort()
    return {"cpu": cpu, "behind": done - last_chunk, "max_lag": lags[-1],
            "p95_lag": lags[int(len(lags) * 0.95)], "gc_count": len(collections),
            "gc_max": max(collections, default=0.0), "complete": float(complete)}


TARGETS = {"markdown": markdown_stream, "live": live_reply}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def run(args: argparse.Namespace) -> None:
    reply = reply_for(args.reply_kb)
    print(f"Streaming a {len(reply) / 1000:.0f} KB reply in 4-character chunks "
          f"({len(reply) // 4} chunks), terminal {SIZE[0]}x{SIZE[1]}, median of {args.repeat}, "
          f"each run in a fresh process")
    print(f"  {'':40} {'CPU':>11} {'last chunk':>11}   key delay: {'worst':>9} {'p95':>9}"
          f"   full GCs: {'longest':>9}")
    names = {"markdown": "Markdown.get_stream(), every chunk (ref)",
             "live": "the app's LiveReply (batched)"}
    for rate in args.rates:
        print(f"  {rate:.0f} chunks/s arriving ({len(reply) / 4 / rate:.1f} s of text):")
        runs: dict[str, list[dict[str, float]]] = {target: [] for target in names}
        for _ in range(args.repeat):  # interleaved, so other load hits both alike
            for target in names:
                runs[target].append(in_fresh_process(
                    __file__, target=target, rate=rate, reply_kb=args.reply_kb))
        results = {t: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
                   for t, rs in runs.items()}
        for target, r in results.items():
            ok = "" if r["complete"] == 1.0 else "   (TEXT INCOMPLETE ON SCREEN)"
            print(f"    {names[target]:40} {ms(r['cpu'])} {ms(r['behind'])}   {'':10} "
                  f"{ms(r['max_lag'])} {ms(r['p95_lag'])}   {r['gc_count']:8.0f} "
                  f"{ms(r['gc_max'])}{ok}")
        ref, app = results["markdown"], results["live"]
        print(f"    LiveReply vs reference: CPU {app['cpu'] / ref['cpu']:.2f}x, worst key delay "
              f"{app['max_lag'] / ref['max_lag']:.2f}x, p95 key delay "
              f"{app['p95_lag'] / max(ref['p95_lag'], 1e-4):.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reply-kb", type=int, default=4, help="streamed reply size in KB")
    parser.add_argument("--rates", type=lambda v: [float(r) for r in v.split(",")],
                        default=[150.0, 1000.0],
                        help="chunks a second arriving, comma-separated (default 150,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measurement, as JSON
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        result = asyncio.run(time_stream(TARGETS[spec["target"]], reply_for(spec["reply_kb"]),
                                         spec["rate"]))
        print(json.dumps(result))
        return
    run(args)


if __name__ == "__main__":
    main()
