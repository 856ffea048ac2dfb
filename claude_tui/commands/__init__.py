"""The subcommands for scripts and pipes: list, show, export, search, ask.

Each is imported only when it runs, so a command loads just what it needs: list, show, export
and search never load Textual or the SDK.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from claude_tui.commands.common import EXIT_FAILURE, EXIT_OK, CommandError, say

# command -> (module, function)
_COMMANDS = {
    "list": ("listing", "run"),
    "show": ("show", "run_show"),
    "export": ("show", "run_export"),
    "search": ("search", "run"),
    "ask": ("ask", "run"),
}


def run_command(args: argparse.Namespace) -> int:
    module_name, function = _COMMANDS[args.command]
    module = importlib.import_module(f"claude_tui.commands.{module_name}")
    try:
        code = getattr(module, function)(args)
        sys.stdout.flush()
        return code
    except CommandError as exc:
        say(str(exc))
        return exc.code
    except BrokenPipeError:
        # The reader went away (| head): not a failure of ours. Python would complain again
        # when it flushes stdout at exit, so point stdout at nothing first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except OSError as exc:
        say(f"{exc.strerror or exc}")
        return EXIT_FAILURE
