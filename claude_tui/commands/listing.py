"""``claude-tui list``: the stored conversations, newest first, as a table or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from claude_tui.commands.common import EXIT_OK, CommandError, data_dir_of, safe_json, say, write_out
from claude_tui.commands.table import columns, fit
from claude_tui.storage.refresh import IndexRefresh
from claude_tui.storage.store import ConversationStore, ConversationSummary, StoreError
from claude_tui.text import one_line

TITLE_CELLS = 48


def summary_json(summary: ConversationSummary) -> dict[str, Any]:
    """One conversation in ``list --json`` (and in each ``search --json`` hit)."""
    return {
        "id": summary.id,
        "title": summary.title,
        "status": summary.status,
        "model": summary.model,
        "created": summary.created or None,
        "updated": summary.updated,
        "messages": summary.message_count,
    }


def open_store(args: argparse.Namespace) -> ConversationStore:
    try:
        return ConversationStore(data_dir_of(args))
    except (StoreError, OSError) as exc:
        raise CommandError(f"cannot use the data folder: {exc}") from None


def refreshed(store: ConversationStore) -> None:
    """Bring the index in step with the files, and say which files could not be read."""
    IndexRefresh(store, None).run_all()
    for problem in store.problems:
        kept = f"; kept as {problem.kept_as}" if problem.kept_as else ""
        say(f"{problem.path.name} left out: {one_line(problem.reason, 300)}{kept}")


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        refreshed(store)
        found = store.index.list(status=args.status, limit=args.limit)
    except (StoreError, OSError) as exc:
        raise CommandError(f"cannot list the conversations: {exc}") from None
    finally:
        store.close()
    if args.json:
        write_out(safe_json([summary_json(s) for s in found]) + "\n")
        return EXIT_OK
    if not found:
        say("no conversations" + (f" with status {args.status}" if args.status else ""))
        return EXIT_OK
    rows = [
        [s.id, fit(one_line(s.title), TITLE_CELLS), s.status, fit(one_line(s.model), 30),
         one_line(s.updated), str(s.message_count)]
        for s in found
    ]
    write_out(columns(["ID", "TITLE", "STATUS", "MODEL", "UPDATED", "MESSAGES"], rows))
    return EXIT_OK
