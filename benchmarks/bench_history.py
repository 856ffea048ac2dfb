"""How a long conversation costs on screen: mounting its history, and streaming under it.

Builds a conversation of realistic Markdown (default 80 KB over 40 messages: headings, lists,
tables, quotes, code fences) and measures, in one run:

1. Mounting the history in a bare Textual app, as the app does it (its own ``ConversationView``
   and message widgets: one ``Static`` per message) against THE REFERENCE: one Textual
   ``Markdown`` widget per message, which builds a widget per block. Both until painted.
2. The real app (``ClaudeTUI``) opening the conversation from the store at start-up, against the
   same app opening an empty conversation, until the first paint.
3. Streaming a 4 KB reply in 4-character chunks through the app's live-reply path (the engine's
   event sink, ``ClaudeTUI.route_event``) with that history on screen, against an empty
   screen. Chunks arrive at a steady rate (150 a second, Claude's fast end, and 1000 a second,
   a stress test); the figures are the CPU time spent, how late the event loop answered
   meanwhile (how late a key press would be handled: worst and 95th percentile while
   streaming, worst while the finished reply replaces the live one), the time from the last
   chunk to the finished reply on screen, and Python's full garbage collections meanwhile
   (the longest pauses).

Each measurement runs in a fresh process holding one app, as in real use. Everything is
headless, in temporary folders, with the offline demo model; nothing is sent anywhere. Ratios
compare figures measured in this same run.

Run from the checkout::

    python benchmarks/bench_history.py            # about a minute and a half on 2 cores
    python benchmarks/bench_history.py --quick    # smaller history, fewer repeats
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Markdown

import claude_tui.ui.app as app_module
from claude_tui import events
from claude_tui.cli import build_parser, resolve
from claude_tui.config import DEMO_MODEL
from claude_tui.conversation import Conversation, Message
from claude_tui.store import ConversationStore, TabState
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.conversation.view import ConversationView

SIZE = (120, 40)
APP_CSS = Path(app_module.__file__).with_name("app.tcss")

WORDS = [
    "the", "model", "request", "stream", "token", "reply", "function", "table", "index", "file",
    "terminal", "python", "error", "value", "list", "state", "tab", "window", "key", "config",
    "test", "data", "async", "await", "return", "class", "import", "widget", "render", "layout",
    "cache", "batch", "parse", "mount", "scroll",
]


# realistic Markdown ------------------------------------------------------------------------
def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def sentence(rng: random.Random) -> str:
    text = words(rng, rng.randint(8, 18))
    if rng.random() < 0.4:
        text += f" `{rng.choice(WORDS)}()`"
    if rng.random() < 0.3:
        text += f" **{words(rng, 2)}**"
    if rng.random() < 0.15:
        text += f" [{words(rng, 2)}](https://example.com/{rng.choice(WORDS)})"
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def code_block(rng: random.Random) -> str:
    lines = [f"def {rng.choice(WORDS)}_{rng.choice(WORDS)}({rng.choice(WORDS)}):"]
    for _ in range(rng.randint(6, 16)):
        lines.append(f"    {rng.choice(WORDS)} = {rng.choice(WORDS)}({words(rng, 2)!r})")
    lines.append(f"    return {rng.choice(WORDS)}")
    return "```python\n" + "\n".join(lines) + "\n```"


def section(rng: random.Random) -> str:
    kind = rng.choice(["list", "numbered", "code", "code", "table", "quote", "text"])
    parts = [f"## {words(rng, 3).capitalize()}", paragraph(rng)]
    if kind == "list":
        parts.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(3, 6))))
    elif kind == "numbered":
        parts.append("\n".join(f"{i}. {sentence(rng)}" for i in range(1, rng.randint(3, 6))))
    elif kind == "code":
        parts.append(code_block(rng))
    elif kind == "table":
        rows = ["| name | value | note |", "|---|---|---|"]
        rows += [f"| `{rng.choice(WORDS)}` | {rng.randint(1, 999)} | {words(rng, 4)} |"
                 for _ in range(rng.randint(3, 6))]
        parts.append("\n".join(rows))
    elif kind == "quote":
        parts.append("> " + sentence(rng))
    else:
        parts.append(paragraph(rng))
    return "\n\n".join(parts)


def reply_text(rng: random.Random, size: int) -> str:
    text = paragraph(rng)
    while len(text) < size:
        text += "\n\n" + section(rng)
    return text


def question_text(rng: random.Random) -> str:
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
    if rng.random() < 0.3:
        text += "\n\n" + code_block(rng)
    return text


def make_conversation(store: ConversationStore, kilobytes: int, messages: int) -> Conversation:
    """A saved conversation of about ``kilobytes`` KB of text over ``messages`` messages."""
    rng = random.Random(7)
    conversation = store.create(DEMO_MODEL, title="A long conversation")
    # Less than the share: questions take ~400 bytes, and a reply ends past its target.
    per_reply = kilobytes * 1000 // (messages // 2) - 800
    for _ in range(messages // 2):
        conversation.messages.append(
            Message(role="user", content=[{"type": "text", "text": question_text(rng)}]))
        text = reply_text(rng, per_reply)
        conversation.messages.append(
            Message(role="assistant", content=[{"type": "text", "text": text}],
                    model="claude-opus-5-5", stop_reason="end_turn"))
    store.save(conversation)
    return conversation


# 1. mounting in a bare app -------------------------------------------------------------------
class BareApp(App[None]):
    CSS_PATH = str(APP_CSS)  # the app's own styles, so messages have their real margins


async def painted(app: App[object]) -> None:
    """Until everything mounted so far has been laid out and drawn."""
    await app.wait_for_refresh()


async def time_in_bare_app(mount: Callable[[App[None]], Awaitable[object]]) -> tuple[float, int]:
    """Seconds from mounting to painted, and the widgets on screen."""
    app = BareApp()
    async with app.run_test(size=SIZE):
        await painted(app)
        start = time.perf_counter()
        await mount(app)
        await painted(app)
        elapsed = time.perf_counter() - start
        return elapsed, len(list(app.screen.walk_children()))


async def mount_app_view(conversation: Conversation) -> tuple[float, int]:
    """The app's own transcript widget, loading the conversation as a shown tab does."""
    async def mount(app: App[None]) -> None:
        view = ConversationView(conversation, id="view")
        await app.screen.mount(view)
        await view.load()

    return await time_in_bare_app(mount)


async def mount_markdown_widgets(conversation: Conversation) -> tuple[float, int]:
    """The reference: a Textual Markdown widget per message."""
    async def mount(app: App[None]) -> None:
        widgets = [Markdown(m.text, classes="message") for m in conversation.messages]
        await app.screen.mount(VerticalScroll(*widgets, classes="transcript"))

    return await time_in_bare_app(mount)


# 2 and 3. the real app -------------------------------------------------------------------------
def app_for(data_dir: Path) -> ClaudeTUI:
    args = build_parser().parse_args(
        ["--data-dir", str(data_dir), "--config", str(data_dir / "config.toml")])
    return ClaudeTUI(resolve(args, environ={}))  # no key: the demo model, nothing sent


def data_dir_with(root: Path, name: str, make: Callable[[ConversationStore], Conversation]
                  ) -> tuple[Path, str]:
    """A data folder whose only open tab is the conversation ``make`` saves."""
    data_dir = root / name
    store = ConversationStore(data_dir)
    (data_dir / "config.toml").write_text("")  # defaults, and never the user's own config
    conversation = make(store)
    store.save(conversation)
    store.save_tabs(TabState(open=[conversation.id], active=conversation.id))
    return data_dir, conversation.id


async def time_app_start(data_dir: Path) -> float:
    start = time.perf_counter()
    app = app_for(data_dir)
    async with app.run_test(size=SIZE):
        await painted(app)
        elapsed = time.perf_counter() - start
    return elapsed


async def _probe(lags: list[tuple[float, float]]) -> None:
    """Records (when, how late) each 5 ms sleep woke: how late a key press would be handled."""
    while True:
        start = time.perf_counter()
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        lags.append((now, now - start - 0.005))


def full_collections(pauses: list[float]) -> Callable[[str, dict[str, int]], None]:
    """A ``gc.callbacks`` entry recording how long each full (generation 2) collection took:
    Python stops everything meanwhile, so these are the longest pauses while streaming."""
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])

    return callback


async def time_stream(data_dir: Path, conversation_id: str, reply: str, rate: float
                      ) -> dict[str, float]:
    """Stream ``reply`` in 4-character chunks through the app's event sink, as the engine does.

    ``rate``: chunks a second, arriving on a steady schedule (late chunks arrive together, as
    from a network buffer).
    """
    chunks = [reply[i:i + 4] for i in range(0, len(reply), 4)]
    app = app_for(data_dir)
    async with app.run_test(size=SIZE):
        await painted(app)
        pane = app.active_pane
        assert pane is not None and pane.conversation.id == conversation_id
        lags: list[tuple[float, float]] = []
        probe = asyncio.create_task(_probe(lags))
        collections: list[float] = []
        gc.callbacks.append(full_collections(collections))
        cpu, start = time.process_time(), time.perf_counter()
        app.route_event(events.TurnStarted(conversation_id))
        for number, chunk in enumerate(chunks):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            app.route_event(events.TextDelta(conversation_id, chunk))
        last_chunk = time.perf_counter()
        # The engine saves the reply, then says the turn is done; the live reply becomes a
        # finished message.
        pane.conversation.messages.append(Message(
            role="assistant", content=[{"type": "text", "text": reply}], model=DEMO_MODEL,
            stop_reason="end_turn"))
        app.route_event(events.TurnFinished(conversation_id, "end_turn"))
        handled = asyncio.get_running_loop().create_future()
        pane.call_later(handled.set_result, None)  # after the pane has handled every event
        await handled
        await painted(app)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        probe.cancel()
        gc.callbacks.pop()
        shown = pane.view.rendered == len(pane.conversation.messages)
    streaming = sorted(lag for when, lag in lags if when <= last_chunk) or [0.0]
    finishing = [lag for when, lag in lags if when > last_chunk] or [0.0]
    return {
        "cpu": cpu,
        "wall": done - start,
        "behind": done - last_chunk,
        "chunks_per_s": len(chunks) / (done - start),
        "max_lag": streaming[-1],
        "p95_lag": streaming[int(len(streaming) * 0.95)],
        "finish_lag": max(finishing),
        "gc_count": len(collections),
        "gc_max": max(collections, default=0.0),
        "shown": float(shown),
    }


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


# each measurement in a fresh process ------------------------------------------------------
# One process holds one app, as in real use: Textual and Rich keep objects from every app run
# before in the same process, and the bigger heap makes Python's full garbage collections (the
# longest pauses while streaming) longer, which would bias whichever case runs later.
def reply_for(kilobytes: int) -> str:
    return reply_text(random.Random(11), kilobytes * 1000)[: kilobytes * 1000]


async def measure_here(spec: dict[str, Any]) -> dict[str, float]:
    kind = spec["kind"]
    data_dir = Path(spec["data_dir"])
    if kind == "app_start":
        return {"time": await time_app_start(data_dir)}
    if kind == "stream":
        return await time_stream(data_dir, spec["id"], reply_for(spec["reply_kb"]), spec["rate"])
    conversation = ConversationStore(data_dir).load(spec["id"])
    mount = mount_app_view if kind == "view_mount" else mount_markdown_widgets
    # First a small conversation: the one-time costs (imports of lexers, parsers' set-up) are
    # paid at start-up, which part 2 measures; here only the size of the history should count.
    warm_up = Conversation(id=conversation.id, model=conversation.model,
                           messages=conversation.messages[:2])
    await mount(warm_up)
    elapsed, widgets = await mount(conversation)
    return {"time": elapsed, "widgets": widgets}


def in_fresh_process(script: str, **spec: Any) -> dict[str, float]:
    done = subprocess.run([sys.executable, script, "--child", json.dumps(spec, default=str)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"measurement {spec} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(**spec: Any) -> dict[str, float]:
    return in_fresh_process(__file__, **spec)


# report ----------------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def run(args: argparse.Namespace) -> None:
    repeat = 1 if args.quick else args.repeat
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        root = Path(tmp)
        history_dir, history_id = data_dir_with(
            root, "history", lambda s: make_conversation(s, args.kb, args.messages))
        empty_dir, empty_id = data_dir_with(root, "empty", lambda s: s.create(DEMO_MODEL))
        conversation = ConversationStore(history_dir).load(history_id)
        size = sum(len(m.text.encode()) for m in conversation.messages)
        reply = reply_for(args.reply_kb)
        print(f"History: {len(conversation.messages)} messages, {size / 1000:.0f} KB of Markdown; "
              f"terminal {SIZE[0]}x{SIZE[1]}; median of {repeat} runs (the Markdown reference: "
              f"{1 if args.quick else args.reference_repeat}), each in a fresh process",
              flush=True)

        # 1. history mount in a bare app
        history = {"data_dir": history_dir, "id": history_id}
        view_runs = [measure(kind="view_mount", **history) for _ in range(repeat)]
        md_runs = [measure(kind="markdown_mount", **history)
                   for _ in range(1 if args.quick else args.reference_repeat)]
        view_time = statistics.median(r["time"] for r in view_runs)
        md_time = statistics.median(r["time"] for r in md_runs)
        print("\n1. Mounting the history until painted (bare Textual app)")
        print(f"  one Markdown widget per message (reference) {ms(md_time)}   "
              f"{md_runs[0]['widgets']:5.0f} widgets   1.00x")
        print(f"  the app's ConversationView                  {ms(view_time)}   "
              f"{view_runs[0]['widgets']:5.0f} widgets   {view_time / md_time:.3f}x")
        print(f"app's history mount is {md_time / view_time:.1f}x faster than a Markdown widget "
              f"per message", flush=True)

        # 2. the real app opening it from the store
        starts: dict[str, list[float]] = {"empty": [], "history": []}
        for _ in range(repeat):
            starts["empty"].append(measure(kind="app_start", data_dir=empty_dir)["time"])
            starts["history"].append(measure(kind="app_start", data_dir=history_dir)["time"])
        empty_start = statistics.median(starts["empty"])
        history_start = statistics.median(starts["history"])
        print("\n2. claude-tui start-up until painted, opening the conversation from the store")
        print(f"  an empty conversation (reference)           {ms(empty_start)}   1.00x")
        print(f"  the {size / 1000:.0f} KB history{'':26}{ms(history_start)}   "
              f"{history_start / empty_start:.2f}x")
        extra = history_start - empty_start
        print(f"the history adds {extra * 1e3:.0f} ms to start-up; mounting it as Markdown widgets "
              f"would take {md_time / max(extra, 1e-3):.1f}x that", flush=True)

        # 3. streaming
        print(f"\n3. Streaming a {len(reply) / 1000:.0f} KB reply in 4-character chunks "
              f"({len(reply) // 4} chunks) through the app's live reply")
        print(f"  {'':28} {'CPU':>11} {'last chunk':>11}   key delay: {'worst':>9} {'p95':>9} "
              f"{'finishing':>9}   full GCs: {'longest':>9}")
        for rate in args.rates:
            cases = {"empty screen (reference)": {"data_dir": empty_dir, "id": empty_id},
                     "history on screen": history}
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
            for _ in range(1 if args.quick else args.stream_repeat):
                for name, case in cases.items():
                    runs[name].append(measure(kind="stream", reply_kb=args.reply_kb, rate=rate,
                                              **case))
            results = {name: median_run(r) for name, r in runs.items()}
            print(f"  {rate:.0f} chunks/s arriving ({len(reply) / 4 / rate:.1f} s of text):")
            for name, r in results.items():
                ok = "" if r["shown"] == 1.0 else "   (REPLY NOT SHOWN AS A FINISHED MESSAGE)"
                print(f"    {name:26} {ms(r['cpu'])} {ms(r['behind'])}   {'':10} "
                      f"{ms(r['max_lag'])} {ms(r['p95_lag'])} {ms(r['finish_lag'])}   "
                      f"{r['gc_count']:8.0f} {ms(r['gc_max'])}{ok}")
            base, hist = results["empty screen (reference)"], results["history on screen"]
            print(f"    history on screen vs empty: CPU {hist['cpu'] / base['cpu']:.2f}x, "
                  f"last chunk to painted {hist['behind'] / base['behind']:.2f}x, worst key "
                  f"delay while streaming {hist['max_lag'] / max(base['max_lag'], 1e-4):.2f}x, "
                  f"p95 {hist['p95_lag'] / max(base['p95_lag'], 1e-4):.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a 20 KB history, one run of each (a smoke run)")
    parser.add_argument("--kb", type=int, default=80, help="history size in KB")
    parser.add_argument("--messages", type=int, default=40, help="messages in the history")
    parser.add_argument("--reply-kb", type=int, default=4, help="streamed reply size in KB")
    parser.add_argument("--rates", type=lambda v: [float(r) for r in v.split(",")],
                        default=[150.0, 1000.0],
                        help="chunks a second arriving, comma-separated (default 150,1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the mounts and starts")
    parser.add_argument("--reference-repeat", type=int, default=1,
                        help="runs of the slow Markdown-widget reference")
    parser.add_argument("--stream-repeat", type=int, default=2, help="runs of each stream")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measurement, as JSON
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure_here(json.loads(args.child)))))
        return
    if args.quick:
        args.kb, args.messages = min(args.kb, 20), min(args.messages, 10)
    run(args)


if __name__ == "__main__":
    main()
