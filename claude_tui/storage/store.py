"""``ConversationStore``: one JSON file per conversation, and the only way to change one.

Layout under the data folder (``<user data dir>/claude-tui``):

- ``conversations/<id>.json``: one conversation each (mode 0600, folder 0700), nothing else
  but ``damaged/``, files that could not be read, moved aside with their bytes intact
- ``tabs.json``: the open tabs and their drafts (``store.session``, ``session.py``)

The store reads and writes the files; the other jobs each have a module and an attribute here:
the guards (``guards.py``, ``known``), files that cannot be read (``quarantine.py``,
``quarantine`` and ``problems``), the derived index in the user cache folder (``index.py``,
``index``) and its refresh (``refresh.py``), a file changed elsewhere (``sync.py``), the session
(``session.py``, ``session``), the lines the shown tab showed at close (``remembered.py``).
Every write runs on the store's ``Writer`` thread, off the event loop; ``submit`` hands it a
snapshot and returns a future, ``save``/``asave`` wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from claude_tui.conversation import Conversation, Message, is_valid_id, new_conversation_id
from claude_tui.storage.atomic import atomic_write, fsync_dir, private_dir
from claude_tui.storage.file_format import MessageEncoder, Snapshot, file_pieces
from claude_tui.storage.guards import ConversationEndedError, KnownFiles
from claude_tui.storage.index import ConversationIndex, ConversationSummary, SearchHit
from claude_tui.storage.quarantine import FileBeingWrittenError, Quarantine
from claude_tui.storage.reading import (
    ConversationReadOnlyError,
    DamagedConversationError,
    FileProblem,
    FileSignature,
    NewerSchemaError,
    StoreError,
    UnknownConversationError,
    UnreadableConversationError,
    storage_error,
)
from claude_tui.storage.refresh import IndexRefresh
from claude_tui.storage.remembered import (
    RememberedView,
    read_remembered,
    remembered_path,
    write_remembered,
)
from claude_tui.storage.session import SessionStore
from claude_tui.storage.sync import ConversationChangedError, DiskChange, reconcile
from claude_tui.storage.writer import Writer

__all__ = [
    "ConversationChangedError", "ConversationEndedError", "ConversationReadOnlyError",
    "ConversationStore", "ConversationSummary", "DamagedConversationError", "FileProblem",
    "NewerSchemaError", "SearchHit", "StoreError", "UnknownConversationError",
    "UnreadableConversationError",
]

log = logging.getLogger(__name__)

DiskChangeSink = Callable[[DiskChange], None]


class ConversationStore:
    """Reads and writes conversation files under one data folder."""

    def __init__(self, data_dir: Path, *, cache_dir: Path | None = None) -> None:
        from claude_tui.config import default_cache_dir
        from claude_tui.storage.index import index_path

        cache_dir = cache_dir or default_cache_dir()
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "conversations"
        self.writer = Writer()
        self.index = ConversationIndex(index_path(cache_dir, data_dir))
        self.remembered_path = remembered_path(cache_dir, data_dir)
        self.known = KnownFiles()
        self.quarantine = Quarantine(self.folder, moved=self.index.remove)
        # Files that could not be read since this store was made, for the UI to report.
        self.problems: list[FileProblem] = self.quarantine.problems
        self.session = SessionStore(self.data_dir / "tabs.json", self.writer,
                                    lambda i: self.path_for(i).exists())
        # Told (on the writer thread) when a file changed under us; the app sets it.
        self.on_disk_change: DiskChangeSink | None = None
        self._encoders: dict[str, MessageEncoder] = {}
        private_dir(self.data_dir, ours=False)
        private_dir(self.folder)

    def path_for(self, conversation_id: str) -> Path:
        if not is_valid_id(conversation_id):
            raise StoreError(f"not a conversation id: {conversation_id!r}")
        return self.folder / f"{conversation_id}.json"

    # reading ---------------------------------------------------------------------------------
    def create(self, model: str, title: str = "") -> Conversation:
        """A new, empty conversation; it gets a file once it is first saved."""
        return Conversation(id=new_conversation_id(), model=model, title=title)

    def load(self, conversation_id: str) -> Conversation:
        """The conversation, read from its file. A damaged file is moved aside (the error says
        where it is kept)."""
        path = self.path_for(conversation_id)
        conversation, signature = self.quarantine.read(path)
        if conversation.id != conversation_id:
            raise self.quarantine.set_aside_misnamed(path, conversation)
        self.known.remember(conversation, signature)
        return conversation

    def remembered_view(self, conversation_id: str | None) -> RememberedView | None:
        """The lines the shown tab's transcript showed at the last close, if kept and of this
        conversation as the file it was just read from (``load``) holds it."""
        if conversation_id is None:
            return None
        remembered = read_remembered(self.remembered_path)
        _, signature = self.known.signature(conversation_id)
        return remembered if remembered and remembered.shows(conversation_id, signature) else None

    # writing ---------------------------------------------------------------------------------
    def remember_view_soon(self, conversation_id: str,
                           lines: Callable[[FileSignature], RememberedView]) -> Future[None]:
        """Keep the lines ``lines`` makes, for the conversation's file as it is once the writes
        asked for before this one are done (the writer runs them in order)."""
        def work() -> None:
            _, signature = self.known.signature(conversation_id)
            if signature is not None:
                try:
                    write_remembered(self.remembered_path, lines(signature))
                except OSError as exc:  # derived data: the next start renders the messages
                    log.info("the remembered view was not kept: %s", exc)

        return self.writer.submit(str(self.remembered_path), work)

    def submit(self, conversation: Conversation,
               extra_messages: Sequence[Message] = ()) -> Future[None]:
        """Save the conversation (with ``extra_messages`` after its own, for a reply still
        streaming) on the writer thread. The guards that need no disk are checked now."""
        self.known.check_save(conversation, extra_messages)
        path = self.path_for(conversation.id)
        snapshot = Snapshot.of(conversation, extra_messages)
        return self.writer.submit(str(path), lambda: self._write(path, snapshot))

    def save(self, conversation: Conversation) -> None:
        """Save and wait until it is on disk (scripts and tests; the app uses ``asave``)."""
        self.submit(conversation).result()

    async def asave(self, conversation: Conversation,
                    extra_messages: Sequence[Message] = ()) -> None:
        await asyncio.wrap_future(self.submit(conversation, extra_messages))

    def append(self, conversation: Conversation, message: Message) -> None:
        """Add a message and save, waiting for the write (scripts and tests)."""
        self.known.check_append(conversation)
        conversation.messages.append(message)
        conversation.touch()
        try:
            self.save(conversation)
        except BaseException:
            _drop(conversation, message)
            raise

    async def aappend(self, conversation: Conversation, message: Message) -> None:
        """Add a message and save. The only way the core adds to a conversation."""
        self.known.check_append(conversation)
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
        self.known.written(snapshot, signature)
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

    def keep_copy(self, conversation: Conversation) -> None:
        """Write a conversation the store made itself (a conflict copy) at once; only on the
        writer thread."""
        self._write(self.path_for(conversation.id), Snapshot.of(conversation))

    def delete(self, conversation_id: str) -> None:
        self.delete_soon(conversation_id).result()

    def delete_soon(self, conversation_id: str) -> Future[None]:
        """Delete the conversation's file and its index entry; the open tabs are the app's
        (a tab whose file is gone is not restored)."""
        path = self.path_for(conversation_id)

        def remove() -> None:
            try:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            except OSError as exc:
                raise storage_error(path, exc) from None
            fsync_dir(self.folder)
            self.known.forget(conversation_id)
            self._encoders.pop(conversation_id, None)
            with contextlib.suppress(Exception):
                self.index.remove(conversation_id)

        # The same key as its saves: a save still waiting is dropped, not written after.
        return self.writer.submit(str(path), remove)

    # a file changed elsewhere ----------------------------------------------------------------
    def _check_disk(self, path: Path, snapshot: Snapshot, *, checking: bool = False) -> bool:
        """Make sure the file on disk may be replaced by ``snapshot``. ``checking``: nothing
        changed on our side (a look, not a save). True if the file needs ``snapshot`` written
        (ours has what the file lacks)."""
        known, expected = self.known.signature(snapshot.id)
        try:
            current = FileSignature.of(os.stat(path))
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise storage_error(path, exc) from None
        if current is None or (known and current == expected):
            self.known.check_ended(snapshot)
            return True
        # Never read by this store, or changed since: read what is there first.
        try:
            on_disk, signature = self._read_when_written(path, checking)
        except (DamagedConversationError, UnknownConversationError):
            self.known.check_ended(snapshot)
            return True  # moved aside (or gone): nothing to lose by writing
        if on_disk.read_only_reason:
            raise ConversationReadOnlyError(on_disk.read_only_reason)
        if on_disk.id != snapshot.id:
            self.quarantine.set_aside(path, f"the file names another id ({on_disk.id})")
            self.known.check_ended(snapshot)
            return True
        if not known:
            # A file this store did not know of: it decides whether it is ended.
            self.known.remember(on_disk, signature)
            self.known.check_ended(snapshot)
            return True
        return self._reconcile(snapshot, on_disk, signature, checking)

    def _read_when_written(self, path: Path, checking: bool
                           ) -> tuple[Conversation, FileSignature]:
        """Read the file, waiting (on the writer thread) a little while another program
        finishes writing it; a look (``checking``) does not wait, it comes back later anyway."""
        for _ in range(0 if checking else 6):
            try:
                return self.quarantine.read(path)
            except FileBeingWrittenError:
                continue  # the read waited a moment already
        return self.quarantine.read(path)

    def _reconcile(self, snapshot: Snapshot, on_disk: Conversation,
                   signature: FileSignature, checking: bool) -> bool:
        """The file changed since this store read or wrote it (a sync tool, another machine,
        a hand edit). Nobody's messages are lost; the caller is told what happened."""
        outcome = reconcile(snapshot, on_disk, signature, checking=checking)
        self._encoders.pop(snapshot.id, None)
        if outcome.copy is not None:
            self.keep_copy(outcome.copy)
        if outcome.change is not None:
            self._tell(outcome.change)
        if outcome.refused:
            # The store goes on expecting the caller's version until it ``adopt``s the newer
            # one, so a later save of the old object is refused too.
            assert outcome.change is not None
            raise ConversationChangedError(outcome.change)
        self.known.set_signature(snapshot.id, signature)
        if outcome.identical:
            return not checking
        self.known.check_ended(snapshot)
        return True

    def adopt(self, change: DiskChange) -> None:
        """The caller now holds ``change.on_disk`` in place of its old version."""
        if change.on_disk is None:
            return
        self._encoders.pop(change.conversation_id, None)
        self.known.remember(change.on_disk, change.signature)

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
            _, expected = self.known.signature(snapshot.id)
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

    # listing and search: the index, as last refreshed; no file is read or moved ---------------
    def refresh(self) -> list[FileProblem]:
        """Bring the index in step with the files, waiting for it (damaged files are moved
        aside on the way): the files found unreadable meanwhile."""
        return IndexRefresh(self, None).run_all()

    def refresh_soon(self, *, done: Callable[[], None] | None = None) -> None:
        """``refresh`` on the writer thread, a few files at a time so saves are not held up
        behind it; ``done`` is called (on that thread) after."""
        IndexRefresh(self, done).start()

    def list(self) -> list[ConversationSummary]:
        """Every indexed conversation, newest first."""
        return self.index.list()

    def search(self, text: str, **filters: Any) -> list[SearchHit]:
        return self.index.search(text, **filters)

    def close(self) -> None:
        """Wait for the writes asked for so far, then let go of the index (at exit)."""
        self.writer.flush()
        self.index.close()


def _drop(conversation: Conversation, message: Message) -> None:
    for position in range(len(conversation.messages) - 1, -1, -1):
        if conversation.messages[position] is message:
            del conversation.messages[position]
            return
