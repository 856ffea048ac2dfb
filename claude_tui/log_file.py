"""The log file: errors the app catches, with their tracebacks, for troubleshooting.

``<user state dir>/claude-tui/claude-tui.log`` (``$XDG_STATE_HOME/claude-tui/`` on Linux),
rotated at 1 MB with three old files kept, private (0600). It holds exception types,
tracebacks and ids, never the API key nor what was written in a conversation: an exception's
own message can quote either (a parser quoting the reply it choked on), so only an OSError's
errno and file name are kept of it, and anything looking like a key is blanked.
"""

from __future__ import annotations

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from claude_tui.config import APP_NAME
from claude_tui.text import without_keys

LOG_NAME = "claude-tui.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_path() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / LOG_NAME


def describe_exception(exc: BaseException) -> str:
    """The traceback of ``exc`` (and of its causes), with each exception's type but not its
    message; an OSError keeps its errno, strerror and file name."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts: list[str] = []
    for each in reversed(chain):  # the first cause first, as Python prints them
        kind = type(each)
        name = f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins.")
        if isinstance(each, OSError):
            name += f" [errno {each.errno}] {each.strerror or ''}"
            if each.filename:
                name += f": {each.filename}"
        frames = "".join(traceback.format_tb(each.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{name}")
    return "\n\nThe above led to:\n\n".join(parts)


class Redact(logging.Filter):
    """Blanks the API key (and anything shaped like one) and leaves exception messages out."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        return without_keys(text, *self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(describe_exception(record.exc_info[1]))
        record.exc_info = None  # the formatter must not format it again, messages and all
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Creates each log file 0600, whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup(api_key: str | None = None, path: Path | None = None) -> Path | None:
    """Send the app's log records (warnings and errors, and the app's own info) to the file.

    Returns the file's path, or None when it cannot be written (the app runs on without it).
    Calling it again replaces the handler it added before.
    """
    path = path or log_path()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "claude_tui", False):
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                             encoding="utf-8")
        os.chmod(path, 0o600)
    except OSError:
        return None
    handler.claude_tui = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(Redact([api_key or ""]))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    logging.getLogger("claude_tui").setLevel(logging.INFO)
    return path
