"""What the subcommands share: exit codes, messages on stderr, safe output, finding ids.

Data goes to stdout, messages to stderr. Every failure a user can cause (an unknown id, a
damaged file) is a ``CommandError`` with a one-line message, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from claude_tui.conversation import Conversation, is_valid_id
from claude_tui.storage.reading import DamagedConversationError, NewerSchemaError, parse_file
from claude_tui.text import one_line

EXIT_OK = 0
EXIT_FAILURE = 1  # an unknown id, a damaged file, a failed request ...
EXIT_USAGE = 2  # what argparse uses for a bad command line
EXIT_ENDED = 3  # ask: the conversation was ended during this turn

PROG = "claude-tui"


class CommandError(Exception):
    """A failure to report in one line on stderr, with the exit code to end with."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    """A message for the person at the terminal (stderr), never data."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def write_out(text: str) -> None:
    sys.stdout.write(text)


# Characters json.dumps(ensure_ascii=False) leaves raw that a terminal would act on: DEL, C1
# controls (CSI, OSC as one byte), line separators, bidi and zero-width characters, and lone
# surrogates (which could not even be encoded). They only ever occur inside JSON strings, so
# writing them as \uXXXX escapes keeps the document equal and the terminal safe.
_JSON_UNSAFE = re.compile(
    r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060\ufeff"
    r"\ud800-\udfff]"
)


def safe_json(value: Any, *, indent: int | None = 2) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def data_dir_of(args: Any) -> Path:
    """The data folder from ``--data-dir`` or the default, without reading the config: the
    read-only commands work even while the config has a mistake in it."""
    from claude_tui.config import default_data_dir

    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def conversations_folder(data_dir: Path) -> Path:
    return data_dir / "conversations"


def stored_ids(folder: Path) -> list[str]:
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CommandError(f"cannot read {folder}: {exc.strerror or exc}") from None
    return [name[:-5] for name in names if name.endswith(".json") and is_valid_id(name[:-5])]


def find_id(folder: Path, given: str) -> str:
    """The one stored id equal to ``given`` or starting with it."""
    prefix = given.strip().lower()
    if not prefix:
        raise CommandError("an empty conversation id", EXIT_USAGE)
    ids = stored_ids(folder)
    if prefix in ids:
        return prefix
    matches = sorted(i for i in ids if i.startswith(prefix))
    shown = _printable_id(given)
    if not matches:
        raise CommandError(f"no conversation with the id {shown} (claude-tui list shows them)")
    if len(matches) > 1:
        examples = ", ".join(matches[:3]) + (", ..." if len(matches) > 3 else "")
        raise CommandError(f"the id {shown} is ambiguous: {len(matches)} conversations start "
                           f"with it ({examples}); give more of it")
    return matches[0]


def _printable_id(given: str) -> str:
    return repr(one_line(given, 40))


def read_conversation(folder: Path, conversation_id: str) -> Conversation:
    """Read a conversation without changing anything in the folder.

    Unlike the store, a damaged file is reported and left where it is: a command that only
    reads must not move files under a running app.
    """
    path = folder / f"{conversation_id}.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"no conversation with the id {conversation_id!r}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        conversation = parse_file(path, raw)
    except DamagedConversationError as exc:
        raise CommandError(f"{path} is damaged: {one_line(exc.reason, 300)}") from None
    except NewerSchemaError:
        raise CommandError(f"{path} was written by a newer version of claude-tui; upgrade "
                           "to read it") from None
    if conversation.read_only_reason:
        raise CommandError(f"{path} was written by a newer version of claude-tui "
                           f"({one_line(conversation.read_only_reason, 200)}); upgrade to "
                           "read it all")
    if conversation.id != conversation_id:
        raise CommandError(f"{path} is damaged: it names another id")
    return conversation


