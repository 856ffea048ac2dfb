"""How long saving holds up the event loop: an asyncio ticker's lag while the store saves a
5 MB conversation and while it indexes 1,000 conversations for the first time.

A ticker task sleeps 1 ms at a time on the loop and records how late each wake-up is (what a
key press would wait). In the same process, with the app's switch interval (1 ms, as
``run_app`` sets it) and real files in temporary folders:

- **reference:** the ticker with nothing else to do, for as long as the longest case;
- ``ConversationStore.asave`` of a 5 MB conversation (2,500 messages), five times (the first
  writes every message, later ones reuse the unchanged messages' bytes), then ``aappend`` of
  one message to it, five times;
- ``store.refresh_soon`` on 1,000 conversation files with an empty cache folder (the index
  built from nothing), until it reports done.

The garbage collector is set as the app sets it once up (``ui/heap.py`` ``settle()``).

Target (issue 8): no save blocks the loop for more than 5 ms, that is a worst lag within 5 ms
of the reference's worst.

    python benchmarks/bench_save_lag.py     # about 30 s
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import fixtures

from claude_tui.conversation import Message
from claude_tui.storage.store import ConversationStore
from claude_tui.ui import heap

TICK = 0.001


async def with_ticker(work: Callable[[], Awaitable[None]]) -> tuple[list[float], float]:
    """Lags (s) of a 1 ms ticker while ``work`` runs, and how long it ran."""
    lags: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            due = time.perf_counter() + TICK
            await asyncio.sleep(TICK)
            lags.append(max(0.0, time.perf_counter() - due))

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.05)
    lags.clear()
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    done.set()
    await ticker
    return lags, took


def describe(lags: list[float]) -> str:
    ms = sorted(x * 1000 for x in lags)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"n={len(ms)} median {statistics.median(ms):.2f} ms, p99 {p99:.1f} ms, " \
           f"worst {ms[-1]:.1f} ms"


async def main() -> None:
    sys.setswitchinterval(0.001)
    root = Path(tempfile.mkdtemp(prefix="claude-tui-bench-"))
    big_dir = root / "big"
    store = ConversationStore(big_dir, cache_dir=root / "big-cache")
    big = fixtures.conversation(2500, reply_chars=4000, title="Five megabytes")
    store.save(store.create(fixtures.MODEL))  # the writer thread started

    async def save_big() -> None:
        for _ in range(5):
            big.touch()
            await store.asave(big)

    async def append_big() -> None:
        for number in range(5):
            await store.aappend(big, Message(role="user", content=[
                {"type": "text", "text": f"one more question {number}"}]))

    many_dir = root / "many"
    fixtures.store(many_dir, [fixtures.conversation(6, seed=n, title=f"Conversation {n}")
                              for n in range(1000)])
    many = ConversationStore(many_dir, cache_dir=root / "many-cache")
    # The collector as the app runs it once up: what is held now frozen, young objects
    # collected young. Else a full collection (15 ms here) lands in one case or another.
    heap.settle()

    async def index_many() -> None:
        finished = asyncio.Event()
        loop = asyncio.get_running_loop()
        many.refresh_soon(done=lambda: loop.call_soon_threadsafe(finished.set))
        await finished.wait()

    cases: list[tuple[str, list[float], float]] = []
    for name, work in (("save a 5 MB conversation, 5 times", save_big),
                       ("append a message to it, 5 times", append_big),
                       ("index 1,000 conversations from nothing", index_many)):
        lags, took = await with_ticker(work)
        cases.append((name, lags, took))
    size = (big_dir / "conversations" / f"{big.id}.json").stat().st_size
    longest = max(took for _, _, took in cases)
    reference, _ = await with_ticker(lambda: asyncio.sleep(max(1.0, longest)))
    worst_ref = max(reference) * 1000
    print(f"\nEvent-loop lag of a 1 ms ticker (the big file: {size / 1e6:.1f} MB)")
    print("| while | took | ticker lag | worst minus reference worst | target <= 5 ms |")
    print("|---|---:|---|---:|---|")
    print(f"| nothing (reference) | | {describe(reference)} | | |")
    for name, lags, took in cases:
        extra = max(lags) * 1000 - worst_ref
        print(f"| {name} | {took:.2f} s | {describe(lags)} | {extra:+.1f} ms | "
              f"{'met' if extra <= 5 else 'MISSED'} |")
    store.close()
    many.close()


if __name__ == "__main__":
    asyncio.run(main())
