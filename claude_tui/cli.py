"""Command line: arguments, then the start-up they ask for (``startup.py``).

Kept light: ``--help`` and ``--version`` import neither Textual nor the SDK, and the UI is
imported only to run the app.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from claude_tui import __version__
from claude_tui.config import ConfigError, default_config_path, default_data_dir, load_settings
from claude_tui.startup import StartOptions, start_options
from claude_tui.storage.data_lock import DataFolderInUse, DataFolderLock


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui",
        description=(
            "A terminal chat client for Claude. Conversations are tabs, each one JSON file on "
            "disk. Set ANTHROPIC_API_KEY to talk to Claude; without it the app runs the offline "
            "demo model."
        ),
        epilog=(
            f"Conversations: {default_data_dir() / 'conversations'}\n"
            f"Config:        {default_config_path()}\n"
            "Environment:   ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, XDG_DATA_HOME, "
            "XDG_CONFIG_HOME"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"claude-tui {__version__}")
    parser.add_argument(
        "--data-dir", type=folder_path, metavar="PATH",
        help="keep conversations under PATH instead of the user data folder",
    )
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="read settings from PATH instead",
    )
    parser.add_argument(
        "--model", type=model_name, metavar="NAME",
        help="model for new conversations (default from the config)",
    )
    parser.add_argument(
        "--demo", action="store_true",
        help="use the offline demo model even when an API key is set",
    )
    add_subcommands(parser)
    return parser


def add_subcommands(parser: argparse.ArgumentParser) -> None:
    """The commands for scripts and pipes; without one, the app starts."""
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND",
        title="commands (data on stdout, messages on stderr; exit 0 ok, 1 failure, 2 usage, "
              "3 conversation ended by ask)",
    )
    listing = sub.add_parser("list", help="list stored conversations, newest first")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--status", choices=("active", "ended"), help="only these")
    listing.add_argument("--limit", type=count, metavar="N", help="at most N conversations")

    show = sub.add_parser("show", help="print a conversation (Markdown on a terminal)")
    show.add_argument("id", metavar="ID", help="a conversation id, or a unique start of one")

    export = sub.add_parser("export", help="write a conversation as Markdown or JSON")
    export.add_argument("id", metavar="ID", help="a conversation id, or a unique start of one")
    export.add_argument("--format", choices=("markdown", "json"), default="markdown")
    export.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to FILE instead of standard output")

    search = sub.add_parser(
        "search", help="find the conversations whose title or a message holds the words")
    search.add_argument("text", metavar="TEXT", help="the words to look for (all of them)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.add_argument("--status", choices=("active", "ended"), help="only these")
    search.add_argument("--limit", type=count, default=50, metavar="N",
                        help="at most N matches (default 50)")
    search.add_argument("--sort", choices=("rank", "updated", "created"), default="rank",
                        help="best matches first (default), or newest first")

    ask = sub.add_parser(
        "ask", help="send one message and stream the reply to standard output",
        description="Send one message and stream the reply. The message is PROMPT, or "
        "standard input when PROMPT is absent or '-'; piped input with a PROMPT is sent "
        "first, then the PROMPT. Exit 3 when the conversation was ended in this turn.",
    )
    ask.add_argument("prompt", nargs="?", metavar="PROMPT")
    which = ask.add_mutually_exclusive_group()
    which.add_argument("--continue", dest="continue_id", metavar="ID",
                       help="add to this conversation instead of starting a new one")
    which.add_argument("-c", dest="latest", action="store_true",
                       help="add to the most recently updated conversation")
    ask.add_argument("--model", dest="ask_model", type=model_name, metavar="NAME",
                     help="model for the new conversation")
    ask.add_argument("--system", metavar="TEXT", help="your system prompt for this request")
    ask.add_argument("--json", action="store_true",
                     help="print the reply, its usage and the conversation's state as JSON")
    ask.add_argument("--yes", action="store_true",
                     help="confirm an end the model offers at your request")
    ask.add_argument("-a", "--attach", action="append", default=[], metavar="FILE",
                     help="attach a file (an image, a PDF or a text file); repeatable")


# Option checks: argparse names the option ("argument --limit: ...") and exits 2 with the
# usage line, so each says only what is expected and what was given.
def count(value: str) -> int:
    """A ``--limit``: 0 would ask for nothing at all, which is never what a user meant."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {value!r}")
    return number


def model_name(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(
            "expected a model name such as claude-opus-5-5, got an empty one")
    return value


def folder_path(value: str) -> Path:
    """A ``--data-dir``: a folder, or one still to be made; never a file."""
    if not value.strip():
        raise argparse.ArgumentTypeError("expected a folder, got an empty path")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder, but {value!r} is a file")
    return path


def resolve(args: argparse.Namespace, environ: dict[str, str] | None = None) -> StartOptions:
    env = dict(os.environ) if environ is None else environ
    if args.config is not None and not Path(args.config).expanduser().is_file():
        # A mistyped --config would otherwise run on defaults without a word.
        raise ConfigError(f"{args.config}: no such config file")
    settings = load_settings(Path(args.config).expanduser() if args.config else None)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    return start_options(settings, data_dir.expanduser(), api_key=settings.resolved_api_key(env),
                         model=args.model, demo=args.demo)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is not None:
        gc.enable()  # paused by launch.py for the app's start-up only
        from claude_tui.commands import run_command  # only what that command needs

        return run_command(args)
    try:
        options = resolve(args)
    except ConfigError as exc:
        print(f"claude-tui: config error: {exc}", file=sys.stderr)
        return 2
    from claude_tui import log_file

    log_file.setup(options.api_key)  # before anything that may log
    lock = DataFolderLock(options.data_dir)
    try:
        lock.acquire()
    except DataFolderInUse as exc:
        print(f"claude-tui: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"claude-tui: cannot use the data folder {options.data_dir}: {exc}", file=sys.stderr)
        return 1
    from claude_tui.ui.app import run_app  # Textual is imported only to run the app

    try:
        return run_app(options)
    finally:
        lock.release()
