"""The refresh: bringing the index in step with the conversations folder.

The one step that looks at every file. It runs on the store's writer thread a few files at a
time, so a first indexing of thousands of conversations never holds up a save for long. On the
way it moves damaged files aside (``quarantine.py``; they are listed in ``store.problems``),
removes the temporary files of writes that were interrupted (a killed process), and offers a
sync tool's conflict copies as conversations of their own; files it does not recognise are
left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.conversation import is_valid_id
from claude_tui.storage.atomic import TEMP_SUFFIX
from claude_tui.storage.reading import FileProblem, FileSignature, StoreError
from claude_tui.storage.sync import SYNC_CONFLICT, conflict_copy
from claude_tui.storage.writer import GivingWay

if TYPE_CHECKING:
    from claude_tui.storage.store import ConversationStore

log = logging.getLogger(__name__)

REFRESH_KEY = "index-refresh"


class IndexRefresh:
    # Files read per step; between steps, saves waiting in the queue go first.
    STEP = 20
    # A temporary file older than this was left by a write that died (a write takes
    # milliseconds; another process may be in the middle of one).
    STALE_TEMP_SECONDS = 5.0

    def __init__(self, store: ConversationStore, done: Callable[[], None] | None) -> None:
        self.store = store
        self.done = done
        self._stale: list[tuple[str, Path]] = []
        # A system call or more a file, listed or read: the event loop would wait them out.
        self._give_way = GivingWay()

    def start(self) -> None:
        self.store.writer.submit(REFRESH_KEY, self._first_step)

    def run_all(self) -> list[FileProblem]:
        """The whole refresh, waiting for it; the files found unreadable meanwhile (also in
        ``store.problems``), the damaged ones with where they were moved."""
        before = len(self.store.problems)

        def everything() -> None:
            self._plan()
            while self._stale:
                self._index_some()
        self.store.writer.submit(REFRESH_KEY, everything).result()
        return self.store.problems[before:]

    def _first_step(self) -> None:
        self._plan()
        self._next_step()

    def _next_step(self) -> None:
        if not self._stale:
            if self.done is not None:
                with contextlib.suppress(Exception):
                    self.done()
            return
        self._index_some()
        # Back of the queue: the saves asked for meanwhile run first.
        self.store.writer.submit(f"{REFRESH_KEY}:{id(self)}", self._next_step)

    def _plan(self) -> None:
        store = self.store
        index = store.index
        known = index.signatures()
        present: set[str] = set()
        now = time.time()
        conflicts: list[tuple[str, os.DirEntry[str]]] = []
        try:
            entries = list(os.scandir(store.folder))
        except OSError:
            log.exception("the conversations folder cannot be listed")
            return
        for entry in entries:
            self._give_way()
            name = entry.name
            if name.endswith(TEMP_SUFFIX) and name.startswith("."):
                if _is_ours_temp(name):
                    _sweep(entry, now, self.STALE_TEMP_SECONDS)
                continue
            found = SYNC_CONFLICT.match(name)
            if found:
                conflicts.append((name, entry))
                continue
            if not name.endswith(".json"):
                continue
            conv_id = name[: -len(".json")]
            if not is_valid_id(conv_id):
                continue  # a file this app did not name: not ours to judge
            try:
                if not entry.is_file():
                    continue
                signature = FileSignature.of(entry.stat())
            except OSError:
                continue
            present.add(conv_id)
            if known.get(conv_id) != signature:
                self._stale.append((conv_id, Path(entry.path)))
        for conv_id in set(known) - present:
            with contextlib.suppress(Exception):
                index.remove(conv_id)
        for name, entry in conflicts:
            self._offer_conflict_copy(name, entry)
        with contextlib.suppress(OSError):
            for entry in os.scandir(store.data_dir):
                if entry.name.startswith(".tabs.json.") and entry.name.endswith(TEMP_SUFFIX):
                    _sweep(entry, now, self.STALE_TEMP_SECONDS)

    def _index_some(self) -> None:
        batch, self._stale = self._stale[: self.STEP], self._stale[self.STEP:]
        for conv_id, path in batch:
            self._give_way()
            try:
                conversation, signature = self.store.quarantine.read(path)
            except StoreError:
                continue  # reported through store.problems (and moved aside if damaged)
            if conversation.id != conv_id:
                self.store.quarantine.set_aside_misnamed(path, conversation)
                continue
            try:
                self.store.index.put(conversation, signature)
            except Exception:
                log.exception("could not index %s", conv_id)

    def _offer_conflict_copy(self, name: str, entry: os.DirEntry[str]) -> None:
        """A sync tool's conflict copy becomes a conversation of its own (once); the tool's
        file is left where it is."""
        index = self.store.index
        try:
            signature = FileSignature.of(entry.stat())
        except OSError:
            return
        if index.was_imported(name, signature):
            return
        try:
            source, _ = self.store.quarantine.read(Path(entry.path), set_aside=False)
        except StoreError:
            index.mark_imported(name, signature)  # not readable: not offered again
            return
        if not source.read_only_reason:
            copy = conflict_copy(source, list(source.messages), "conflict copy")
            if source.is_ended:
                copy.status, copy.ended = source.status, source.ended
            try:
                self.store.keep_copy(copy)
            except StoreError:
                log.exception("could not keep the conflict copy %s", name)
                return
        index.mark_imported(name, signature)


def _is_ours_temp(name: str) -> bool:
    # ".<id>.json.<random>.tmp": the atomic writes of this app, nobody else's.
    stem = name[1:].split(".", 1)[0]
    return is_valid_id(stem) or name.startswith(".tabs.json.")


def _sweep(entry: os.DirEntry[str], now: float, age: float) -> None:
    with contextlib.suppress(OSError):
        if now - entry.stat().st_mtime >= age:
            os.unlink(entry.path)
