"""``claude-tui search TEXT``: every conversation whose title or messages hold all the words.

Reads the search index in the user cache folder, first bringing it in step with the
conversation files (only files changed since the last search are read again). Never takes
the data-folder lock and never changes the data folder.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import Any

from claude_tui.commands.common import EXIT_OK, CommandError, data_dir_of, safe_json, say, write_out
from claude_tui.commands.listing import summary_json
from claude_tui.search_index import ConversationIndex, SearchHit
from claude_tui.text import one_line

# Our own styling for the matched words on a terminal (never from the text itself).
BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def open_index(args: argparse.Namespace) -> ConversationIndex:
    """The index of the data folder, in step with its files."""
    try:
        index = ConversationIndex(data_dir_of(args))
    except (sqlite3.Error, OSError) as exc:
        raise CommandError(f"cannot open the search index: {exc}") from None
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            sys.stderr.write(f"\rclaude-tui: indexing conversations for search: {done} of "
                             f"{total}" + ("\n" if done == total else ""))
            sys.stderr.flush()

    try:
        plan = index.refresh(progress=progress)
    except sqlite3.OperationalError as exc:  # another process is writing it: search as it is
        say(f"the search index could not be updated just now ({exc}); results may be stale")
        return index
    for conversation_id in plan.unreadable:
        say(f"{conversation_id}.json could not be read; it is left out of the search")
    return index


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """One match in ``search --json``: the conversation as ``list --json`` has it, plus where."""
    return {
        **summary_json(hit.summary),
        "created": hit.created or None,
        "message": hit.message_index,
        "snippet": "".join(text for text, _ in hit.parts()),
    }


def run(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise CommandError("nothing to search for", 2)
    index = open_index(args)
    try:
        hits = index.search(args.text, limit=args.limit, status=args.status, order=args.sort)
    except sqlite3.Error as exc:
        raise CommandError(f"the search failed: {exc}") from None
    finally:
        index.close()
    if args.json:
        write_out(safe_json([hit_json(h) for h in hits]) + "\n")
        return EXIT_OK
    if not hits:
        say(f"nothing matches {one_line(args.text, 80)!r}")
        return EXIT_OK
    styled = sys.stdout.isatty()
    lines = []
    for hit in hits:
        summary = hit.summary
        where = "title" if hit.message_index is None else f"message {hit.message_index}"
        status = " (ended)" if summary.status == "ended" else ""
        lines.append(f"{summary.id}  {one_line(summary.title, 80)}{status}")
        snippet = "".join(
            f"{BOLD}{text}{PLAIN}" if match and styled else text for text, match in hit.parts())
        lines.append(f"    {where}: {snippet}")
    write_out("\n".join(lines) + "\n")
    return EXIT_OK
