"""Full-text search with 10,000 conversations against 10: the ctrl+o picker and `claude-tui search`.

Builds two data folders in a temporary directory: the reference of 10 conversations and a large
one of 10,000 conversations holding 50,000,000 characters of message text in all (written
directly as JSON files, which is what the app finds on disk). The search index (SQLite FTS5 in
the cache folder) is then built once for each, untimed: the first build happens once per data
folder (the app does it in the background after start-up), and is reported for information.

Timed, median of the runs, each large figure as a ratio against the 10-conversation reference
measured in the same run:

1. The index work the picker does on the event loop when it opens and when a word is typed:
   the number of files against the number indexed (a directory listing, no stat), the counts
   it shows, and the search itself (or the newest conversations). The check of every file's
   signature, which the picker leaves to the writer thread, is shown beside it.
2. The picker screen itself (``ConversationPicker`` in a headless Textual app): from pushing
   the screen to its first results on screen, then typing a word until the matches are shown.
3. ``claude-tui search WORD`` as a real subprocess (index check, query, output).

The words searched for: a rare one (in about 0.1 % of conversations), a common one (in most of
them) and two words together. Nothing outside the temporary folder is touched.

    python benchmarks/bench_search.py                 # ~3-5 min on a 2-core machine
    python benchmarks/bench_search.py -n 2000 --chars 10000000 --repeat 3   # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claude_tui.conversation import Conversation, Message, new_conversation_id
from claude_tui.storage.refresh import IndexRefresh
from claude_tui.storage.store import ConversationStore

RARE = "quokka"  # in about one conversation in a thousand (and in one of the ten)
COMMON = "terminal"  # in most conversations
QUERIES = {"rare word": RARE, "common word": COMMON, "two words": f"{COMMON} {RARE}"}


def vocabulary(rng: random.Random) -> list[str]:
    """A few thousand made-up words, drawn with a skew like real text's."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(5000)}
    return sorted(made - {RARE, COMMON})


def paragraphs(rng: random.Random, words: list[str], count: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    out = []
    for _ in range(count):
        chosen = rng.choices(words, weights, k=rng.randint(40, 160))
        if rng.random() < 0.6:
            chosen[rng.randrange(len(chosen))] = COMMON
        out.append(" ".join(chosen) + ".")
    return out


def write_folder(data_dir: Path, count: int, total_chars: int, rng: random.Random,
                 pool: list[str]) -> int:
    """``count`` conversation files with about ``total_chars`` of message text in all."""
    folder = data_dir / "conversations"
    folder.mkdir(parents=True)
    per_conversation = total_chars // count
    written = 0
    for number in range(count):
        conversation = Conversation(id=new_conversation_id(), model="claude-opus-5-5",
                                    title=" ".join(rng.sample(pool, 1)[0].split()[:5]))
        size = 0
        turn = 0
        while size < per_conversation:
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
            if number % 1000 == 7 and turn == 1:
                text = f"A {RARE} sighting. {text}"
            role = "user" if turn % 2 == 0 else "assistant"
            conversation.messages.append(Message(role=role, content=[
                {"type": "text", "text": text[: per_conversation - size + 200]}]))
            size += len(conversation.messages[-1].text)
            turn += 1
        written += size
        path = folder / f"{conversation.id}.json"
        path.write_text(json.dumps(conversation.to_dict()), "utf-8")
    return written


def median_time(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def index_work(store: ConversationStore, query: str | None) -> Callable[[], object]:
    """What the picker asks of the index on the event loop when it opens and as words are
    typed: the file count against the indexed count, the counts it shows, and the search
    (or the newest conversations)."""
    from claude_tui.ui.dialogs import picker

    def work() -> object:
        picker.count_files(store)
        store.index.count()
        total = store.index.count(status=None, model=None)
        if query is None:
            return store.index.list(limit=total if total <= picker.ALL_UP_TO else picker.PAGE)
        return store.search(query, limit=picker.SEARCH_PAGE)

    return work


def signature_check(store: ConversationStore) -> Callable[[], object]:
    """The check of every file's (size, mtime, inode) against the index, nothing changed: the
    picker runs it on the writer thread after showing its list; ``search`` before its query."""
    return lambda: IndexRefresh(store, None).run_all()


async def picker_timings(store: ConversationStore, repeat: int, word: str
                         ) -> tuple[float, float]:
    """The picker screen: open until its first results show, then type ``word``."""
    from textual.app import App
    from textual.widgets import Input, OptionList

    from claude_tui.ui.dialogs.picker import ConversationPicker

    opened, typed = [], []
    for _ in range(repeat):
        store.writer.flush()  # the previous picker's background check is over: one at a time
        app: App[None] = App()
        async with app.run_test(size=(110, 40)) as pilot:
            start = time.perf_counter()
            picker = ConversationPicker(store, set())
            await app.push_screen(picker)
            options = picker.query_one(OptionList)
            while options.option_count == 0:
                await pilot.pause()
            await pilot.pause()  # painted
            opened.append(time.perf_counter() - start)
            start = time.perf_counter()
            picker.query_one(Input).value = word
            await pilot.pause()
            count = picker.query_one("#picker-count")
            while "matching" not in str(count.render()):
                await pilot.pause()
            await pilot.pause()
            typed.append(time.perf_counter() - start)
    return statistics.median(opened), statistics.median(typed)


def cli_search(data_dir: Path, cache: Path, word: str) -> Callable[[], object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "HOME": str(cache.parent)}
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        env.pop(name, None)

    def run() -> object:
        result = subprocess.run(
            [sys.executable, "-m", "claude_tui", "--data-dir", str(data_dir), "search", word,
             "--limit", "20"], capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        return result

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="conversations in the large set")
    parser.add_argument("--chars", type=int, default=50_000_000,
                        help="characters of message text in the large set")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing (median)")
    args = parser.parse_args()
    rng = random.Random(12)
    words = vocabulary(rng)
    pool = paragraphs(rng, words, 4000)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = root / "cache"
        os.environ["XDG_CACHE_HOME"] = str(cache)
        sets = {}
        for name, count, chars in (("10", 10, args.chars * 10 // args.n), ("large", args.n,
                                                                           args.chars)):
            start = time.perf_counter()
            written = write_folder(root / name, count, chars, rng, pool)
            made = time.perf_counter() - start
            store = ConversationStore(root / name, cache_dir=cache / "claude-tui")
            start = time.perf_counter()
            IndexRefresh(store, None).run_all()
            built = time.perf_counter() - start
            sets[name] = store
            print(f"{name:>5}: {count:,} conversations, {written / 1e6:.1f} M characters, "
                  f"written in {made:.1f} s, first index build {built:.1f} s (untimed below)")
        time.sleep(2.5)  # the folders' times are no longer "just changed" for any check

        print(f"\nmedian of {args.repeat}; ratio = {args.n:,} conversations / 10")
        print("1. the picker's index work on the event loop (count check, counts, query):")
        for label, query in (("no words", None), *QUERIES.items()):
            small = median_time(args.repeat, index_work(sets["10"], query))
            large = median_time(args.repeat, index_work(sets["large"], query))
            print(f"   {label:<12} {small * 1e3:7.1f} ms -> {large * 1e3:7.1f} ms   "
                  f"{large / small:5.2f}x")
        small = median_time(args.repeat, signature_check(sets["10"]))
        large = median_time(args.repeat, signature_check(sets["large"]))
        print(f"   (every file's signature checked, off the event loop: {small * 1e3:.1f} ms -> "
              f"{large * 1e3:.1f} ms, {large / small:.0f}x)")
        print("2. the picker screen (headless Textual):")
        for word in (RARE, COMMON):
            small_open, small_type = asyncio.run(picker_timings(sets["10"], args.repeat, word))
            large_open, large_type = asyncio.run(picker_timings(sets["large"], args.repeat, word))
            print(f"   open to first results {small_open * 1e3:7.1f} ms -> "
                  f"{large_open * 1e3:7.1f} ms   {large_open / small_open:5.2f}x")
            print(f"   type {word!r:<12}     {small_type * 1e3:7.1f} ms -> "
                  f"{large_type * 1e3:7.1f} ms   {large_type / small_type:5.2f}x")
        print("3. claude-tui search (a whole process):")
        for label, query in QUERIES.items():
            small = median_time(args.repeat, cli_search(root / "10", cache, query))
            large = median_time(args.repeat, cli_search(root / "large", cache, query))
            print(f"   {label:<12} {small * 1e3:7.1f} ms -> {large * 1e3:7.1f} ms   "
                  f"{large / small:5.2f}x")
        for store in sets.values():
            store.close()


if __name__ == "__main__":
    main()
