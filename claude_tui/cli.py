"""Command line: arguments, start-up, provider choice.

Kept light: ``--help`` and ``--version`` import neither Textual nor the SDK.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from claude_tui import __version__
from claude_tui.config import (
    DEMO_MODEL,
    ConfigError,
    Settings,
    default_config_path,
    default_data_dir,
    load_settings,
)
from claude_tui.data_lock import DataFolderInUse, DataFolderLock


@dataclass
class StartOptions:
    settings: Settings
    data_dir: Path
    # The model for new conversations (the demo model when there is no key or --demo).
    model: str
    api_key: str = field(repr=False)
    demo: bool
    # Why the demo model is in use, for the one-time notice; None when talking to Claude.
    demo_reason: str | None


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
        "--data-dir", type=Path, metavar="PATH",
        help="keep conversations under PATH instead of the user data folder",
    )
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="read settings from PATH instead",
    )
    parser.add_argument(
        "--model", metavar="NAME", help="model for new conversations (default from the config)",
    )
    parser.add_argument(
        "--demo", action="store_true",
        help="use the offline demo model even when an API key is set",
    )
    return parser


def resolve(args: argparse.Namespace, environ: dict[str, str] | None = None) -> StartOptions:
    env = dict(os.environ) if environ is None else environ
    if args.config is not None and not Path(args.config).expanduser().is_file():
        # A mistyped --config would otherwise run on defaults without a word.
        raise ConfigError(f"{args.config}: no such config file")
    settings = load_settings(Path(args.config).expanduser() if args.config else None)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    api_key = settings.resolved_api_key(env)
    demo_reason = None
    if args.demo:
        demo_reason = "--demo"
    elif args.model == DEMO_MODEL:
        demo_reason = "--model"
    elif not api_key:
        demo_reason = "no API key"
    model = DEMO_MODEL if demo_reason else (args.model or settings.model)
    return StartOptions(
        settings=settings,
        data_dir=data_dir.expanduser(),
        model=model,
        api_key=api_key,
        demo=demo_reason is not None,
        demo_reason=demo_reason,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
