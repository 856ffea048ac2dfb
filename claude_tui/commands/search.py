"""``claude-tui search TEXT``: every conversation whose title or a message holds the words.

Asks the search index in the user cache folder (``index.py``), first bringing it in step with
the conversation files (only files changed since it last saw them are read again). Never
takes the data-folder lock.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from claude_tui.commands.common import EXIT_OK, EXIT_USAGE, CommandError, safe_json, say, write_out
from claude_tui.commands.listing import open_store, refreshed, summary_json
from claude_tui.storage.index import SearchHit, has_words
from claude_tui.storage.store import StoreError
from claude_tui.text import one_line
from claude_tui.transcript import snippet_pieces

# Our own styling for the matched words on a terminal (never from the text itself).
BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """One match in ``search --json``: the conversation as ``list --json`` has it, plus where
    (``message``: its index in the conversation, null for the title) and the snippet."""
    return {
        **summary_json(hit.summary),
        "message": hit.message_index if hit.message_index >= 0 else None,
        "snippet": "".join(text for text, _ in snippet_pieces(hit.snippet, hit.highlights)),
    }


def run(args: argparse.Namespace) -> int:
    if not has_words(args.text):
        # Punctuation alone would match every conversation.
        raise CommandError("nothing to search for: give a word (letters or digits)",
                           EXIT_USAGE)
    store = open_store(args)
    try:
        refreshed(store)
        hits = store.search(args.text, limit=args.limit, status=args.status, order=args.sort)
    except (StoreError, OSError) as exc:
        raise CommandError(f"the search failed: {exc}") from None
    finally:
        store.close()
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
        where = "title" if hit.message_index < 0 else f"message {hit.message_index}"
        status = " (ended)" if summary.status == "ended" else ""
        lines.append(f"{summary.id}  {one_line(summary.title, 80)}{status}")
        snippet = "".join(f"{BOLD}{text}{PLAIN}" if match and styled else text
                          for text, match in snippet_pieces(hit.snippet, hit.highlights))
        lines.append(f"    {where}: {snippet}")
    write_out("\n".join(lines) + "\n")
    return EXIT_OK
