"""How much the index saves when listing conversations (the ``ctrl+o`` picker, start-up).

Creates N conversations of realistic size in a temporary folder, then times:

- parsing every file into a Conversation (the reference: what a list without an index costs),
- ``ConversationStore.list()`` cold (no index: it parses everything and writes the index),
- ``ConversationStore.list()`` warm (index present and fresh: a stat per file, no parsing),

and prints each as a ratio against the reference measured in the same run, so the numbers mean
the same on a slow or a fast machine. Nothing outside the temporary folder is touched.

Run from the checkout::

    python benchmarks/bench_store_list.py            # 300 conversations
    python benchmarks/bench_store_list.py -n 1000 --repeat 7
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claude_tui.conversation import Conversation, Message
from claude_tui.store import INDEX_NAME, ConversationStore

WORDS = [
    "the", "model", "request", "stream", "token", "reply", "function", "table", "index", "file",
    "terminal", "python", "error", "value", "list", "state", "tab", "window", "key", "config",
    "test", "data", "async", "await", "return", "class", "import",
]


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def make_conversation(store: ConversationStore, rng: random.Random) -> None:
    """A conversation like real ones: 2-40 messages, replies of a few hundred words, code."""
    conversation = store.create("claude-opus-5-5", title=paragraph(rng, 4))
    for turn in range(rng.randint(1, 20)):
        conversation.messages.append(
            Message(role="user", content=[{"type": "text", "text": paragraph(rng, 30)}])
        )
        reply = paragraph(rng, rng.randint(50, 600))
        if turn % 3 == 0:
            reply += "\n```python\n" + "\n".join(paragraph(rng, 8) for _ in range(20)) + "\n```"
        conversation.messages.append(
            Message(role="assistant", content=[{"type": "text", "text": reply}],
                    model="claude-opus-5-5", stop_reason="end_turn",
                    usage={"input_tokens": 1000 + turn * 800, "output_tokens": 400})
        )
    store.save(conversation)


def best_of(repeat: int, action: Callable[[], object], before: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="conversations to create")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing (best kept)")
    args = parser.parse_args()
    rng = random.Random(1)

    with tempfile.TemporaryDirectory() as tmp:
        store = ConversationStore(Path(tmp))
        for _ in range(args.n):
            make_conversation(store, rng)
        files = sorted(p for p in store.folder.glob("*.json") if p.name != INDEX_NAME)
        sizes = [p.stat().st_size for p in files]
        index = store.folder / INDEX_NAME

        def drop_index() -> None:
            index.unlink(missing_ok=True)

        def parse_all() -> None:
            for path in files:
                Conversation.from_dict(json.loads(path.read_bytes()))

        store.list()  # warm the page cache; every timing then reads from memory alike
        reference = best_of(args.repeat, parse_all, lambda: None)
        cold = best_of(args.repeat, lambda: ConversationStore(Path(tmp)).list(), drop_index)
        store.list()
        warm = best_of(args.repeat, lambda: ConversationStore(Path(tmp)).list(), lambda: None)
        count = len(ConversationStore(Path(tmp)).list())

    assert count == args.n, (count, args.n)
    print(f"{args.n} conversations, {sum(sizes) / 1e6:.1f} MB, "
          f"median file {statistics.median(sizes) / 1e3:.0f} KB, best of {args.repeat}")
    print(f"  parse every file (reference) {reference * 1e3:8.1f} ms   1.00x")
    print(f"  list(), no index (cold)      {cold * 1e3:8.1f} ms   "
          f"{cold / reference:.2f}x the reference (parses, then writes the index)")
    print(f"  list(), index fresh (warm)   {warm * 1e3:8.1f} ms   "
          f"{warm / reference:.2f}x the reference")
    print(f"warm list is {reference / warm:.0f}x faster than parsing every file")


if __name__ == "__main__":
    main()
