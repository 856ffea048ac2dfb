"""Conversation files that cannot be read: reported, and the damaged ones moved aside.

A file that is not a conversation this version can read is never overwritten and never
deleted. A damaged one (not JSON, not UTF-8, the wrong shape, another conversation's id) is
moved into ``conversations/damaged/`` with its bytes intact, so the folder keeps only
conversations; one from a newer version, or one that cannot be opened at all, stays where it
is. Each one is listed in ``problems`` once, for the app to show.

Files are moved aside by the steps that read a file on purpose: the refresh (``refresh.py``),
opening one conversation, and a save's look at the file it is about to replace. Listing and
searching read the index only and move nothing.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from claude_tui.conversation import Conversation, now_iso
from claude_tui.storage.atomic import fsync_dir, private_dir
from claude_tui.storage.reading import (
    DamagedConversationError,
    FileProblem,
    FileSignature,
    NewerSchemaError,
    StoreError,
    UnknownConversationError,
    UnreadableConversationError,
    parse_file,
)

# A file changed this recently that does not parse may still be being written by another
# program; it is looked at again after SETTLE_WAIT before it counts as damaged.
SETTLE_SECONDS = 2.0
SETTLE_WAIT = 0.3


class FileBeingWrittenError(StoreError):
    """The file is being written by another program just now; nothing was moved."""


class Quarantine:
    """Reads conversation files for the store, and deals with those that cannot be read."""

    def __init__(self, folder: Path, *, moved: Callable[[str], None]) -> None:
        self.folder = folder
        self.damaged_folder = folder / "damaged"
        # Told the id of each file moved aside (its index rows go).
        self._moved = moved
        # Files that could not be read since the store was made, for the UI to report.
        self.problems: list[FileProblem] = []
        self._lock = threading.Lock()

    def read(self, path: Path, *, set_aside: bool = True) -> tuple[Conversation, FileSignature]:
        """The conversation in ``path`` and the signature of the file it came from. A file that
        cannot be read is reported; a damaged one is moved aside first (unless ``set_aside``
        is false, or another program is still writing it)."""
        try:
            with open(path, "rb") as handle:
                signature = FileSignature.of(os.fstat(handle.fileno()))
                raw = handle.read()
        except FileNotFoundError:
            raise UnknownConversationError(f"no conversation {path.stem}") from None
        except OSError as exc:
            self.report(FileProblem(path, f"cannot be read: {exc.strerror or exc}", None))
            raise UnreadableConversationError(
                f"{path} cannot be read ({exc.strerror or exc}): check its permissions"
            ) from None
        try:
            return parse_file(path, raw), signature
        except DamagedConversationError as exc:
            if not set_aside:
                raise
            if not _settled(path, signature):
                # Another program is writing it in place (an editor, a sync tool): moving it
                # now would move their write with it. Read it again later.
                raise FileBeingWrittenError(
                    f"{path.name} is being written by another program; try again in a moment"
                ) from None
            raise DamagedConversationError(self.set_aside(path, exc.reason)) from None
        except NewerSchemaError as exc:
            self.report(FileProblem(path, str(exc), None))
            raise

    def set_aside_misnamed(self, path: Path, conversation: Conversation) -> StoreError:
        """A file that holds another conversation's id: moved aside, unless it comes from a
        newer version (then it is left as it is). The error to raise about it."""
        reason = f"the file names another id ({conversation.id})"
        if conversation.read_only_reason:
            return NewerSchemaError(f"{path}: {reason}")
        return DamagedConversationError(self.set_aside(path, reason))

    def set_aside(self, path: Path, reason: str) -> FileProblem:
        """Move an unreadable file into ``damaged/`` with its bytes intact; never delete it."""
        private_dir(self.damaged_folder)
        stamp = now_iso().replace(":", "")
        target = self.damaged_folder / f"{path.stem}.{stamp}{path.suffix}"
        counter = 1
        while target.exists():
            target = self.damaged_folder / f"{path.stem}.{stamp}-{counter}{path.suffix}"
            counter += 1
        # If another process moved it first, its bytes are kept there.
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, target)
        fsync_dir(self.folder)
        fsync_dir(self.damaged_folder)
        problem = FileProblem(path, reason, target)
        self.report(problem)
        with contextlib.suppress(Exception):
            self._moved(path.stem)
        return problem

    def report(self, problem: FileProblem) -> None:
        with self._lock:
            if not any(p.path == problem.path and p.reason == problem.reason
                       for p in self.problems):
                self.problems.append(problem)


def _settled(path: Path, read: FileSignature) -> bool:
    """A file that does not parse is damaged only once nobody is writing it: one changed just
    now is looked at again after a moment, and is still being written if it changed since."""
    try:
        stat = os.stat(path)
    except OSError:
        return True
    if time.time() - stat.st_mtime > SETTLE_SECONDS or FileSignature.of(stat) != read:
        return FileSignature.of(stat) == read
    time.sleep(SETTLE_WAIT)
    try:
        return FileSignature.of(os.stat(path)) == read
    except OSError:
        return True
