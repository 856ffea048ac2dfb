"""``claude-tui show ID`` and ``claude-tui export ID``: one conversation, read-only.

Neither takes the data-folder lock or changes a file in it, so both work while the app runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claude_tui.commands.common import (
    EXIT_OK,
    CommandError,
    conversations_folder,
    data_dir_of,
    find_id,
    read_conversation,
    safe_json,
    write_out,
)
from claude_tui.conversation import Conversation
from claude_tui.transcript import to_markdown


def load(args: argparse.Namespace) -> Conversation:
    folder = conversations_folder(data_dir_of(args))
    return read_conversation(folder, find_id(folder, args.id))


def run_show(args: argparse.Namespace) -> int:
    conversation = load(args)
    text = to_markdown(conversation)  # inert already
    if not sys.stdout.isatty():
        write_out(text + "\n")
        return EXIT_OK
    # Rich is only needed for a terminal; it comes with Textual but is far lighter to import.
    from rich.console import Console
    from rich.markdown import Markdown

    # No hyperlinks: an OSC 8 sequence would carry a URL from model text to the terminal.
    Console(highlight=False).print(Markdown(text, hyperlinks=False))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    conversation = load(args)
    if args.format == "json":
        text = safe_json(conversation.to_dict(), indent=1) + "\n"
    else:
        text = to_markdown(conversation) + "\n"
    if args.output is None or str(args.output) == "-":
        write_out(text)
        return EXIT_OK
    path = Path(args.output).expanduser()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    return EXIT_OK
