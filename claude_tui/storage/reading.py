"""Reading a conversation file, and the store's errors, in the user's words.

Every ``OSError`` that reading or writing a conversation can raise becomes a ``StoreError`` here
at the store's edge, naming the file and what to do, so no caller needs to know about errno.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

from claude_tui.conversation import SCHEMA_VERSION, Conversation
from claude_tui.record import Record


class StoreError(Exception):
    """A store operation that cannot be done; the message says why, in the user's words."""


class ConversationReadOnlyError(StoreError):
    """The conversation came from a newer version and is never written back."""


class NewerSchemaError(ConversationReadOnlyError):
    """A file from a newer version that this one cannot read at all; it is left untouched."""


class UnknownConversationError(StoreError):
    pass


class UnreadableConversationError(StoreError):
    """The file is there but cannot be read (permissions, a folder in its place)."""


class StorageError(StoreError):
    """A write failed (disk full, permissions, read-only file system)."""

    def __init__(self, message: str, path: Path, errno_: int | None) -> None:
        super().__init__(message)
        self.path = path
        self.errno = errno_


class FileSignature(Record):
    """Which version of a file was read: a file changed since has another signature."""

    size: int
    mtime_ns: int
    ino: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileSignature:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class FileProblem(Record):
    """A conversation file that could not be read: moved aside (``kept_as``) when damaged,
    left in place (``kept_as`` None) when newer or unreadable."""

    path: Path
    reason: str
    kept_as: Path | None


class DamagedConversationError(StoreError):
    """A file that is not a conversation this version can read. ``damaged``: where it was
    kept, once it has been moved aside (None while it is still in place)."""

    def __init__(self, damaged: FileProblem | str) -> None:
        if isinstance(damaged, FileProblem):
            super().__init__(f"{damaged.path}: {damaged.reason} (kept as {damaged.kept_as})")
            self.damaged: FileProblem | None = damaged
            self.reason = damaged.reason
        else:
            super().__init__(damaged)
            self.damaged = None
            self.reason = damaged


_HINTS = {
    errno.ENOSPC: "the disk is full: free some space, then try again",
    errno.EDQUOT: "the disk quota is used up: free some space, then try again",
    errno.EACCES: "permission denied: check the folder's permissions",
    errno.EPERM: "permission denied: check the folder's permissions",
    errno.EROFS: "the file system is read-only",
    errno.EISDIR: "a folder is in the way of the file: move it aside",
    errno.ENOTDIR: "a file is in the way of the folder: move it aside",
}


def storage_error(path: Path, exc: OSError) -> StorageError:
    hint = _HINTS.get(exc.errno or 0) or (exc.strerror or str(exc))
    return StorageError(f"could not save {path.name} ({hint})", path, exc.errno)


def schema_of(data: Any) -> int:
    schema = data.get("schema", 0) if isinstance(data, dict) else 0
    return schema if isinstance(schema, int) and not isinstance(schema, bool) else 0


# The exceptions a strange but well-formed JSON document can cause while it is read.
_SHAPE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, RecursionError)


def parse_file(path: Path, raw: bytes) -> Conversation:
    """The conversation in ``raw``; ``DamagedConversationError`` (with a reason, the file not
    yet moved) or ``NewerSchemaError``."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DamagedConversationError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DamagedConversationError(
            f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise DamagedConversationError("not usable JSON (nested too deeply)") from None
    try:
        return Conversation.from_dict(data)
    except _SHAPE_ERRORS as exc:
        schema = schema_of(data)
        if schema > SCHEMA_VERSION:
            # Not damaged, just newer: moving it would hide it from the version that wrote it.
            raise NewerSchemaError(
                f"{path}: written by a newer version of claude-tui (schema {schema}) in a "
                f"form this one cannot read; it is left untouched"
            ) from None
        raise DamagedConversationError(str(exc) or type(exc).__name__) from None
