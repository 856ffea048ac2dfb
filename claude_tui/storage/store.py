"""One JSON file per conversation, written atomically by the one writer, with the guards.

Layout under the data folder (``<user data dir>/claude-tui``):

- ``conversations/<id>.json``: one conversation each (mode 0600, folder 0700), nothing else
  but ``damaged/``, files that could not be read, moved aside with their bytes intact
- ``tabs.json``: the open tabs and their drafts (``session.py``)

The listing and search index is derived data in the user cache folder (``index.py``). Every
write runs on the store's ``Writer`` thread, off the event loop; ``submit`` hands it a snapshot
and returns a future, ``save``/``asave`` wait for it. The guards: an ended conversation's
messages never change (E5), a file from a newer version is never overwritten, and a file that
changed on disk since it was read is reconciled first (``sync.py``), never overwritten blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_tui.conversation import Conversation, Message, is_valid_id, new_conversation_id
from claude_tui.storage.atomic import atomic_write, fsync_dir, private_dir
from claude_tui.storage.file_format import MessageEncoder, Snapshot, file_pieces
from claude_tui.storage.index import (
    ConversationIndex,
    ConversationSummary,
    FileSignature,
    SearchHit,
)
from claude_tui.storage.reading import (
    ConversationReadOnlyError,
    DamagedConversationError,
    DamagedFile,
    FileProblem,
    NewerSchemaError,
    StoreError,
    UnknownConversationError,
    UnreadableConversationError,
    parse_file,
    storage_error,
)
from claude_tui.storage.refresh import IndexRefresh
from claude_tui.storage.session import TabState, load_tabs, tabs_bytes, write_tabs
from claude_tui.storage.sync import DiskChange, conflict_copy, relation
from claude_tui.storage.writer import Writer

__all__ = [
    "ConversationEndedError", "ConversationReadOnlyError", "ConversationStore",
    "ConversationSummary", "DamagedConversationError", "DamagedFile", "FileProblem",
    "NewerSchemaError", "SearchHit", "StoreError", "TabState", "UnknownConversationError",
    "UnreadableConversationError",
]

log = logging.getLogger(__name__)

# A file changed this recently that does not parse may still be being written by another
# program; it is looked at again after SETTLE_WAIT before it counts as damaged.
SETTLE_SECONDS = 2.0
SETTLE_WAIT = 0.3


class ConversationEndedError(StoreError):
    """Something tried to add to an ended conversation (E5)."""


class FileBeingWrittenError(StoreError):
    """The file is being written by another program just now; nothing was moved."""


class ConversationChangedError(StoreError):
    """The file changed on disk in a way that this save must not overwrite (see ``change``)."""

    def __init__(self, change: DiskChange) -> None:
        super().__init__("this conversation changed on disk; the newer version is shown")
        self.change = change


@dataclass
class _Known:
    """What this store knows of a file on disk."""

    signature: FileSignature | None = None
    # The messages of an ended conversation, as they were when it ended (the E5 guard).
    ended_messages: list[dict[str, Any]] | None = None


DiskChangeSink = Callable[[DiskChange], None]


class ConversationStore:
    """Reads and writes conversation files under one data folder."""

    def __init__(self, data_dir: Path, *, cache_dir: Path | None = None) -> None:
        from claude_tui.config import default_cache_dir
        from claude_tui.storage.index import index_path

        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "conversations"
        self.damaged_folder = self.folder / "damaged"
        self.tabs_path = self.data_dir / "tabs.json"
        self.writer = Writer()
        self.index = ConversationIndex(index_path(cache_dir or default_cache_dir(), data_dir))
        # Files that could not be read since this store was made, for the UI to report.
        self.problems: list[FileProblem] = []
        # Told (on the writer thread) when a file changed under us; the app sets it.
        self.on_disk_change: DiskChangeSink | None = None
        self._lock = threading.RLock()
        self._known: dict[str, _Known] = {}
        self._encoders: dict[str, MessageEncoder] = {}
        private_dir(self.data_dir, ours=False)
        private_dir(self.folder)

    @property
    def damaged(self) -> list[DamagedFile]:
        return [p.damaged for p in self.problems if p.damaged is not None]

    # paths -----------------------------------------------------------------------------------
    def path_for(self, conversation_id: str) -> Path:
        if not is_valid_id(conversation_id):
            raise StoreError(f"not a conversation id: {conversation_id!r}")
        return self.folder / f"{conversation_id}.json"

    # reading ---------------------------------------------------------------------------------
    def create(self, model: str, title: str = "") -> Conversation:
        """A new, empty conversation; it gets a file once it is first saved."""
        return Conversation(id=new_conversation_id(), model=model, title=title)

    def load(self, conversation_id: str) -> Conversation:
        path = self.path_for(conversation_id)
        conversation, signature = self._read(path)
        if conversation.id != conversation_id:
            reason = f"the file names another id ({conversation.id})"
            if conversation.read_only_reason:
                raise NewerSchemaError(f"{path}: {reason}")
            raise DamagedConversationError(self._set_aside(path, reason))
        self._remember(conversation, signature)
        return conversation

    def _read(self, path: Path, *, move_damaged: bool = True
              ) -> tuple[Conversation, FileSignature]:
        try:
            with open(path, "rb") as handle:
                signature = FileSignature.of(os.fstat(handle.fileno()))
                raw = handle.read()
        except FileNotFoundError:
            raise UnknownConversationError(f"no conversation {path.stem}") from None
        except OSError as exc:
            problem = FileProblem(path, f"cannot be read: {exc.strerror or exc}", None)
            self._report(problem)
            raise UnreadableConversationError(
                f"{path} cannot be read ({exc.strerror or exc}): check its permissions"
            ) from None
        try:
            return parse_file(path, raw), signature
        except DamagedConversationError as exc:
            if not move_damaged:
                raise
            if not _settled(path, signature):
                # Another program is writing it in place (an editor, a sync tool): moving it
                # now would move their write with it. Read it again later.
                raise FileBeingWrittenError(
                    f"{path.name} is being written by another program; try again in a moment"
                ) from None
            raise DamagedConversationError(self._set_aside(path, exc.reason)) from None
        except NewerSchemaError as exc:
            self._report(FileProblem(path, str(exc), None))
            raise

    def _report(self, problem: FileProblem) -> None:
        with self._lock:
            if not any(p.path == problem.path and p.reason == problem.reason
                       for p in self.problems):
                self.problems.append(problem)

    def _set_aside(self, path: Path, reason: str) -> DamagedFile:
        """Move an unreadable file into ``damaged/`` with its bytes intact; never delete it."""
        from claude_tui.conversation import now_iso

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
        damaged = DamagedFile(original=path, kept_as=target, reason=reason)
        self._report(FileProblem(path, reason, target, damaged=damaged))
        with contextlib.suppress(Exception):
            self.index.remove(path.stem)
        return damaged

    def _remember(self, conversation: Conversation, signature: FileSignature | None) -> None:
        with self._lock:
            known = self._known.setdefault(conversation.id, _Known())
            known.signature = signature
            if conversation.is_ended and known.ended_messages is None:
                # Copied: the blocks are shared with the live object, which could change them.
                known.ended_messages = copy.deepcopy(
                    [m.to_dict() for m in conversation.messages])

    def _ended_guard(self, conversation_id: str) -> list[dict[str, Any]] | None:
        with self._lock:
            known = self._known.get(conversation_id)
            return known.ended_messages if known else None

    # writing ---------------------------------------------------------------------------------
    def submit(self, conversation: Conversation,
               extra_messages: Sequence[Message] = ()) -> Future[None]:
        """Save the conversation (with ``extra_messages`` after its own, for a reply still
        streaming) on the writer thread. The guards that need no disk are checked now."""
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)
        guard = self._ended_guard(conversation.id)
        if guard is not None and not conversation.is_ended:
            raise ConversationEndedError("an ended conversation cannot be reopened")
        if extra_messages and conversation.is_ended:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")
        path = self.path_for(conversation.id)
        snapshot = Snapshot.of(conversation, extra_messages)
        return self.writer.submit(str(path), lambda: self._write(path, snapshot))

    def save(self, conversation: Conversation) -> None:
        """Save and wait until it is on disk (scripts and tests; the app uses ``asave``)."""
        self.submit(conversation).result()

    async def asave(self, conversation: Conversation,
                    extra_messages: Sequence[Message] = ()) -> None:
        await asyncio.wrap_future(self.submit(conversation, extra_messages))

    def _check_append(self, conversation: Conversation) -> None:
        if conversation.is_ended or self._ended_guard(conversation.id) is not None:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)

    def append(self, conversation: Conversation, message: Message) -> None:
        """Add a message and save, waiting for the write (scripts and tests)."""
        self._check_append(conversation)
        conversation.messages.append(message)
        conversation.touch()
        try:
            self.save(conversation)
        except BaseException:
            _drop(conversation, message)
            raise

    async def aappend(self, conversation: Conversation, message: Message) -> None:
        """Add a message and save. The only way the core adds to a conversation."""
        self._check_append(conversation)
        conversation.messages.append(message)
        conversation.touch()
        try:
            await self.asave(conversation)
        except BaseException:
            _drop(conversation, message)
            raise

    def _write(self, path: Path, snapshot: Snapshot) -> None:
        """On the writer thread: the disk checks, then the write, then the index."""
        self._check_disk(path, snapshot)
        encoder = self._encoders.setdefault(snapshot.id, MessageEncoder())
        encoded, changed = encoder.encode(snapshot.messages)
        try:
            atomic_write(path, file_pieces(snapshot.header, encoded))
            signature = FileSignature.of(os.stat(path))
        except OSError as exc:
            encoder.forget()
            raise storage_error(path, exc) from None
        with self._lock:
            known = self._known.setdefault(snapshot.id, _Known())
            known.signature = signature
            if snapshot.is_ended and known.ended_messages is None:
                known.ended_messages = snapshot.message_dicts()
        self._index_quietly(snapshot, signature, changed)

    def _index_quietly(self, snapshot: Snapshot, signature: FileSignature,
                       changed: list[int] | None) -> None:
        try:
            header = snapshot.header
            conversation = Conversation(
                id=snapshot.id, model=str(header["model"]), title=str(header["title"]),
                created=str(header["created"]), updated=str(header["updated"]),
                status=header["status"], messages=list(snapshot.messages))
            self.index.put(conversation, signature, changed=changed)
        except Exception:  # derived data: a failure here is mended by the next refresh
            log.exception("the index could not be updated")

    def _check_disk(self, path: Path, snapshot: Snapshot, *, checking: bool = False) -> bool:
        """Make sure the file on disk may be replaced by ``snapshot``. ``checking``: nothing
        changed on our side (a look, not a save). True if the file needs ``snapshot`` written
        (ours has what the file lacks)."""
        with self._lock:
            known = self._known.get(snapshot.id)
            expected = known.signature if known else None
        try:
            current = FileSignature.of(os.stat(path))
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise storage_error(path, exc) from None
        if current is None or (known is not None and current == expected):
            self._check_ended(snapshot)
            return True
        # Never read by this store, or changed since: read what is there first.
        try:
            on_disk, signature = self._read_when_written(path, checking)
        except (DamagedConversationError, UnknownConversationError):
            self._check_ended(snapshot)
            return True  # moved aside (or gone): nothing to lose by writing
        if on_disk.read_only_reason:
            raise ConversationReadOnlyError(on_disk.read_only_reason)
        if on_disk.id != snapshot.id:
            self._set_aside(path, f"the file names another id ({on_disk.id})")
            self._check_ended(snapshot)
            return True
        if known is None:
            # A file this store did not know of: it decides whether it is ended.
            self._remember(on_disk, signature)
            self._check_ended(snapshot)
            return True
        return self._reconcile(snapshot, on_disk, signature, checking)

    def _read_when_written(self, path: Path, checking: bool
                           ) -> tuple[Conversation, FileSignature]:
        """``_read``, waiting (on the writer thread) a little while another program finishes
        writing the file; a look (``checking``) does not wait, it comes back later anyway."""
        for _ in range(0 if checking else 6):
            try:
                return self._read(path)
            except FileBeingWrittenError:
                continue  # _read waited SETTLE_WAIT already
        return self._read(path)

    def _check_ended(self, snapshot: Snapshot) -> None:
        guard = self._ended_guard(snapshot.id)
        if guard is None:
            return
        if not snapshot.is_ended:
            raise ConversationEndedError("an ended conversation cannot be reopened")
        if snapshot.message_dicts() != guard:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")

    def _reconcile(self, snapshot: Snapshot, on_disk: Conversation,
                   signature: FileSignature, checking: bool) -> bool:
        """The file changed since this store read or wrote it (a sync tool, another machine,
        a hand edit). Nobody's messages are lost; the caller is told what happened."""
        ours = snapshot.message_dicts()
        theirs = [m.to_dict() for m in on_disk.messages]
        how = relation(ours, theirs)
        self._encoders.pop(snapshot.id, None)
        if on_disk.is_ended and not snapshot.is_ended:
            copy_id = None
            if how in ("ours_ahead", "diverged"):
                # Ours went on after the other side ended it: ours lives on as a new one.
                kept = conflict_copy(on_disk, list(snapshot.messages), "continued here")
                self._write_new(kept)
                copy_id = kept.id
            self._superseded(DiskChange(snapshot.id, "ended_elsewhere", on_disk, copy_id,
                                        signature))
        if how == "same" and on_disk.to_dict() == {**snapshot.header,
                                                    "messages": ours}:
            with self._lock:
                self._known.setdefault(snapshot.id, _Known()).signature = signature
            return not checking
        if how == "theirs_ahead" or (how == "same" and checking):
            # Theirs has all of ours and more (or the same messages, changed by hand, while
            # ours changed nothing): show theirs; this save has nothing to add.
            self._superseded(DiskChange(snapshot.id, "newer_on_disk", on_disk, None, signature))
        if how == "diverged":
            kept = conflict_copy(on_disk, list(on_disk.messages), "conflict copy")
            self._write_new(kept)
            self._tell(DiskChange(snapshot.id, "conflict_copy", None, kept.id))
        with self._lock:
            self._known.setdefault(snapshot.id, _Known()).signature = signature
        self._check_ended(snapshot)
        return True

    def _superseded(self, change: DiskChange) -> None:
        """The file on disk is ahead of the caller's version: tell, and refuse this save. The
        store goes on expecting the caller's version until it ``adopt``s the newer one, so a
        later save of the old object is refused too."""
        self._tell(change)
        raise ConversationChangedError(change)

    def adopt(self, change: DiskChange) -> None:
        """The caller now holds ``change.on_disk`` in place of its old version."""
        if change.on_disk is None:
            return
        self._encoders.pop(change.conversation_id, None)
        self._remember(change.on_disk, change.signature)

    def _write_new(self, conversation: Conversation) -> None:
        """A conversation this store makes itself (a conflict copy), written at once."""
        path = self.path_for(conversation.id)
        self._write(path, Snapshot.of(conversation))

    def _tell(self, change: DiskChange) -> None:
        sink = self.on_disk_change
        if sink is not None:
            try:
                sink(change)
            except Exception:
                log.exception("disk change handler failed")

    def check_on_disk(self, conversation: Conversation) -> Future[None]:
        """On the writer thread: has the file changed since this store read or wrote it? If so,
        reconcile as a save would (the change reaches ``on_disk_change``)."""
        path = self.path_for(conversation.id)
        snapshot = Snapshot.of(conversation)

        def check() -> None:
            with self._lock:
                known = self._known.get(snapshot.id)
                expected = known.signature if known else None
            try:
                current = FileSignature.of(os.stat(path))
            except OSError:
                return
            if expected is None or current == expected:
                return
            try:
                needs_ours = self._check_disk(path, snapshot, checking=True)
            except StoreError:  # told through on_disk_change where it was a change
                return
            if needs_ours and not snapshot.is_ended:
                # Ours is ahead or diverged (its copy made): write ours so the file has it.
                self._write(path, snapshot)

        return self.writer.submit(f"check:{path}", check)

    def delete(self, conversation_id: str) -> None:
        self.delete_soon(conversation_id).result()

    def delete_soon(self, conversation_id: str) -> Future[None]:
        path = self.path_for(conversation_id)

        def remove() -> None:
            try:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            except OSError as exc:
                raise storage_error(path, exc) from None
            fsync_dir(self.folder)
            with self._lock:
                self._known.pop(conversation_id, None)
            self._encoders.pop(conversation_id, None)
            with contextlib.suppress(Exception):
                self.index.remove(conversation_id)

        # The same key as its saves: a save still waiting is dropped, not written after.
        return self.writer.submit(str(path), remove)

    # listing and search ----------------------------------------------------------------------
    def refresh_soon(self, *, done: Callable[[], None] | None = None) -> None:
        """Bring the index in step with the files, on the writer thread, a few files at a
        time so saves are not held up behind it; ``done`` is called (on that thread) after."""
        IndexRefresh(self, done).start()

    def list(self) -> list[ConversationSummary]:
        """Every readable conversation, newest first (the index brought in step first)."""
        refresh = IndexRefresh(self, None)
        refresh.run_all()
        return self.index.list()

    def search(self, text: str, **filters: Any) -> list[SearchHit]:
        return self.index.search(text, **filters)

    # open tabs -------------------------------------------------------------------------------
    def load_tabs(self) -> TabState:
        return load_tabs(self.tabs_path, lambda i: self.path_for(i).exists())

    def save_tabs_soon(self, state: TabState) -> Future[None]:
        data = tabs_bytes(state)
        path = self.tabs_path

        def write() -> None:
            try:
                write_tabs(path, data)
            except OSError as exc:
                raise storage_error(path, exc) from None

        return self.writer.submit(str(path), write)

    def save_tabs(self, state: TabState) -> None:
        self.save_tabs_soon(state).result()

    def close(self) -> None:
        """Wait for the writes asked for so far, then let go of the index (at exit)."""
        self.writer.flush()
        self.index.close()


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


def _drop(conversation: Conversation, message: Message) -> None:
    for position in range(len(conversation.messages) - 1, -1, -1):
        if conversation.messages[position] is message:
            del conversation.messages[position]
            return

