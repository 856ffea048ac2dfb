"""One JSON file per conversation, written atomically, with the ended guard.

Layout under the data folder (``<user data dir>/claude-tui``):

- ``conversations/<id>.json``: one conversation each (mode 0600, folder 0700)
- ``conversations/index.json``: what a list needs, rebuilt from the files when stale
- ``conversations/damaged/``: files that could not be read, moved aside with their bytes intact
- ``tabs.json``: which conversations are open as tabs, in order, the active one, and the text
  typed but not sent in each tab's composer
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from claude_tui.atomic import atomic_write, fsync_dir, json_bytes, private_dir
from claude_tui.conversation import (
    SCHEMA_VERSION,
    Conversation,
    Message,
    is_valid_id,
    new_conversation_id,
    now_iso,
)

INDEX_NAME = "index.json"
INDEX_VERSION = 3
# A temporary file this old was left by a writer that died; younger ones may be in use.
STALE_TEMP_SECONDS = 600
# How much message text the index keeps per conversation for the picker's filter: enough for
# the words a user remembers a chat by, small enough that the index stays cheap to read.
PREVIEW_PER_MESSAGE = 1000
PREVIEW_TOTAL = 6000


class StoreError(Exception):
    """A store operation that cannot be done; the message says why, in the user's words."""


class ConversationEndedError(StoreError):
    """Something tried to add to an ended conversation (E5)."""


class ConversationReadOnlyError(StoreError):
    """The conversation came from a newer version and is never written back."""


class NewerSchemaError(ConversationReadOnlyError):
    """A file from a newer version that this one cannot read at all; it is left untouched."""


class DamagedConversationError(StoreError):
    def __init__(self, damaged: DamagedFile) -> None:
        super().__init__(f"{damaged.original}: {damaged.reason} (kept as {damaged.kept_as})")
        self.damaged = damaged


class UnknownConversationError(StoreError):
    pass


@dataclass(frozen=True)
class DamagedFile:
    original: Path
    kept_as: Path
    reason: str


@dataclass(frozen=True)
class FileProblem:
    """A conversation file that could not be read, for the start-up summary: ``kept_as`` is
    where it was moved aside, or None when it was left in place (newer schema, unreadable)."""

    path: Path
    reason: str
    kept_as: Path | None


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    status: str
    model: str
    updated: str
    message_count: int
    # First user message and a little more, so a picker can filter on message text cheaply.
    preview: str
    read_only: bool = False


_SUMMARY_FIELDS = {f.name: f.type for f in fields(ConversationSummary)}


def _entry_matches(cached: Any, stat: os.stat_result) -> bool:
    """An index entry that is well formed and describes exactly this file."""
    if not isinstance(cached, dict):
        return False
    summary = cached.get("summary")
    if not isinstance(summary, dict) or set(summary) != set(_SUMMARY_FIELDS):
        return False
    if not all(isinstance(summary[k], str) for k in ("id", "title", "status", "model", "updated",
                                                      "preview")):
        return False
    if not isinstance(summary["message_count"], int) or not isinstance(summary["read_only"], bool):
        return False
    return (
        cached.get("mtime_ns") == stat.st_mtime_ns
        and cached.get("size") == stat.st_size
        and cached.get("ino") == stat.st_ino
    )


@dataclass
class TabState:
    open: list[str]
    active: str | None
    # Conversation id -> the unsent text in its composer (open tabs only, never empty).
    drafts: dict[str, str] = field(default_factory=dict)


def _encode(conversation: Conversation) -> bytes:
    return json_bytes(conversation.to_dict(), indent=1)


def _schema_of(data: Any) -> int:
    schema = data.get("schema", 0) if isinstance(data, dict) else 0
    return schema if isinstance(schema, int) and not isinstance(schema, bool) else 0


# The exceptions a strange but well-formed JSON document can cause while it is read.
_SHAPE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, RecursionError)


def _summary_of(conversation: Conversation) -> ConversationSummary:
    preview_parts: list[str] = []
    size = 0
    for message in conversation.messages:
        text = message.text
        if text:
            preview_parts.append(text[:PREVIEW_PER_MESSAGE])
            size += len(text[:PREVIEW_PER_MESSAGE])
        if size > PREVIEW_TOTAL:
            break
    return ConversationSummary(
        id=conversation.id,
        title=conversation.display_title,
        status=conversation.status,
        model=conversation.model,
        updated=conversation.updated,
        message_count=len(conversation.messages),
        preview="\n".join(preview_parts),
        read_only=conversation.read_only_reason is not None,
    )


class ConversationStore:
    """Reads and writes conversation files under one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "conversations"
        self.damaged_folder = self.folder / "damaged"
        self.tabs_path = self.data_dir / "tabs.json"
        # Files found damaged since this store was made, for the UI to report.
        self.damaged: list[DamagedFile] = []
        # The ended guard: the messages of every conversation known to be ended on disk, as
        # they were when it ended. Nothing may change them, whoever holds the object.
        self._ended_messages: dict[str, list[dict[str, Any]]] = {}
        # Ids whose file this store has read or written, so it knows what is on disk.
        self._seen: set[str] = set()
        private_dir(self.data_dir, ours=False)
        private_dir(self.folder)

    # paths -----------------------------------------------------------------------------------
    def path_for(self, conversation_id: str) -> Path:
        if not is_valid_id(conversation_id):
            raise StoreError(f"not a conversation id: {conversation_id!r}")
        return self.folder / f"{conversation_id}.json"

    # create, load, save ----------------------------------------------------------------------
    def create(self, model: str, title: str = "") -> Conversation:
        """A new, empty conversation; it gets a file once it is first saved."""
        return Conversation(id=new_conversation_id(), model=model, title=title)

    def exists(self, conversation_id: str) -> bool:
        return self.path_for(conversation_id).exists()

    def load(self, conversation_id: str) -> Conversation:
        path = self.path_for(conversation_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise UnknownConversationError(f"no conversation {conversation_id}") from None
        conversation = self._parse(path, raw)
        if conversation.id != conversation_id:
            if conversation.read_only_reason:
                raise NewerSchemaError(f"{path}: names another id ({conversation.id})")
            raise DamagedConversationError(
                self._set_aside(path, f"the file names another id ({conversation.id})")
            )
        self._remember(conversation)
        return conversation

    def _parse(self, path: Path, raw: bytes) -> Conversation:
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            raise DamagedConversationError(self._set_aside(path, reason)) from None
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
            raise DamagedConversationError(self._set_aside(path, reason)) from None
        except RecursionError:
            reason = "not usable JSON (nested too deeply)"
            raise DamagedConversationError(self._set_aside(path, reason)) from None
        try:
            return Conversation.from_dict(data)
        except _SHAPE_ERRORS as exc:
            schema = _schema_of(data)
            if schema > SCHEMA_VERSION:
                # Not damaged, just newer: moving it would hide it from the version that wrote it.
                raise NewerSchemaError(
                    f"{path}: written by a newer version of claude-tui (schema {schema}) in a "
                    f"form this one cannot read; it is left untouched"
                ) from None
            reason = str(exc) or type(exc).__name__
            raise DamagedConversationError(self._set_aside(path, reason)) from None

    def _set_aside(self, path: Path, reason: str) -> DamagedFile:
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
        damaged = DamagedFile(original=path, kept_as=target, reason=reason)
        self.damaged.append(damaged)
        return damaged

    def _remember(self, conversation: Conversation) -> None:
        self._seen.add(conversation.id)
        if conversation.is_ended and conversation.id not in self._ended_messages:
            # A deep copy: the blocks are shared with the live object, which could change them.
            self._ended_messages[conversation.id] = copy.deepcopy(
                [m.to_dict() for m in conversation.messages]
            )

    def _check_disk_before_write(self, conversation_id: str, path: Path) -> None:
        """Learn what the file on disk is before this store first overwrites it.

        The caller's object may not come from this store, so the file itself decides whether
        it is ended (the guard) or from a newer version (never overwritten). A damaged file is
        moved aside first, so it is not lost under the new one.
        """
        if conversation_id in self._seen:
            return
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return
        try:
            on_disk = self._parse(path, raw)
        except DamagedConversationError:
            return
        if on_disk.read_only_reason:
            raise ConversationReadOnlyError(on_disk.read_only_reason)
        if on_disk.id != conversation_id:
            self._set_aside(path, f"the file names another id ({on_disk.id})")
            return
        self._remember(on_disk)

    def save(self, conversation: Conversation) -> None:
        """Write the whole conversation atomically.

        Refuses (E5) to change the messages of an ended conversation or to reopen it, and
        refuses to overwrite a file from a newer version.
        """
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)
        path = self.path_for(conversation.id)
        self._check_disk_before_write(conversation.id, path)
        ended_messages = self._ended_messages.get(conversation.id)
        if ended_messages is not None:
            if not conversation.is_ended:
                raise ConversationEndedError("an ended conversation cannot be reopened")
            if [m.to_dict() for m in conversation.messages] != ended_messages:
                raise ConversationEndedError(
                    "this conversation has ended; nothing can be added to it"
                )
        atomic_write(path, _encode(conversation))
        self._remember(conversation)
        self._update_index(conversation, path)

    def append(self, conversation: Conversation, message: Message) -> None:
        """Add a message and save. The only way the core adds to a conversation."""
        if conversation.is_ended or conversation.id in self._ended_messages:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)
        conversation.messages.append(message)
        conversation.touch()
        try:
            self.save(conversation)
        except BaseException:
            conversation.messages.pop()
            raise

    def delete(self, conversation_id: str) -> None:
        path = self.path_for(conversation_id)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        fsync_dir(self.folder)
        self._ended_messages.pop(conversation_id, None)
        self._seen.discard(conversation_id)
        index = self._read_index()
        if index.pop(conversation_id, None) is not None:
            self._write_index(index)
        state = self.load_tabs()
        if conversation_id in state.open:
            state.open.remove(conversation_id)
            if state.active == conversation_id:
                state.active = state.open[0] if state.open else None
            self.save_tabs(state)

    # listing ---------------------------------------------------------------------------------
    def list(self) -> list[ConversationSummary]:
        """Every readable conversation, newest first.

        Uses the index for files whose inode, size and modification time match it, and parses
        only the others, so a start with hundreds of conversations does not read every message.
        Damaged files met on the way are moved aside and added to ``self.damaged``.
        """
        index = self._read_index()
        fresh: dict[str, dict[str, Any]] = {}
        changed = False
        now = time.time()
        with os.scandir(self.folder) as entries:
            files = []
            for entry in entries:
                if entry.name.endswith(".tmp") and entry.name.startswith("."):
                    self._sweep_temp_file(entry, now)
                elif entry.name.endswith(".json") and entry.is_file():
                    files.append(entry)
        for entry in files:
            conv_id = entry.name[: -len(".json")]
            if not is_valid_id(conv_id):
                continue  # index.json, or a file this app did not name
            try:
                stat = entry.stat()
            except OSError:
                continue
            cached = index.get(conv_id)
            if _entry_matches(cached, stat):
                fresh[conv_id] = cached  # type: ignore[assignment]
                continue
            try:
                conversation = self.load(conv_id)
                stat = os.stat(entry.path)
            except (StoreError, OSError):
                changed = True
                continue
            fresh[conv_id] = self._index_entry(conversation, stat)
            changed = True
        if changed or set(fresh) != set(index):
            self._write_index(fresh)
        summaries = [ConversationSummary(**entry["summary"]) for entry in fresh.values()]
        summaries.sort(key=lambda s: (s.updated, s.id), reverse=True)
        return summaries

    @staticmethod
    def _sweep_temp_file(entry: os.DirEntry[str], now: float) -> None:
        # Left by a writer that was killed mid-write; the file it was replacing is intact.
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)

    @staticmethod
    def _index_entry(conversation: Conversation, stat: os.stat_result) -> dict[str, Any]:
        return {
            "mtime_ns": stat.st_mtime_ns,
            "size": stat.st_size,
            "ino": stat.st_ino,
            "summary": asdict(_summary_of(conversation)),
        }

    def _read_index(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads((self.folder / INDEX_NAME).read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        entries = data.get("conversations")
        return entries if isinstance(entries, dict) else {}

    def _write_index(self, entries: dict[str, dict[str, Any]]) -> None:
        # The index lives in the conversations folder, so its temporary file does too.
        payload = {"version": INDEX_VERSION, "conversations": entries}
        atomic_write(self.folder / INDEX_NAME, json_bytes(payload))

    def _update_index(self, conversation: Conversation, path: Path) -> None:
        index = self._read_index()
        index[conversation.id] = self._index_entry(conversation, path.stat())
        self._write_index(index)

    # open tabs -------------------------------------------------------------------------------
    def load_tabs(self) -> TabState:
        """The open tabs as last saved, without conversations whose file is gone."""
        try:
            data = json.loads(self.tabs_path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return TabState(open=[], active=None)
        if not isinstance(data, dict) or not isinstance(data.get("open"), list):
            return TabState(open=[], active=None)
        # Keep the order, drop duplicates and conversations whose file is gone.
        seen: list[str] = []
        for conv_id in data["open"]:
            if is_valid_id(conv_id) and conv_id not in seen and self.path_for(conv_id).exists():
                seen.append(conv_id)
        active = data.get("active")
        return TabState(open=seen, active=active if active in seen else (seen[0] if seen else None),
                        drafts=_drafts(data.get("drafts"), seen))

    def save_tabs(self, state: TabState) -> None:
        open_ids = [i for i in state.open if is_valid_id(i)]
        active = state.active if state.active in open_ids else None
        drafts = _drafts(state.drafts, open_ids)
        atomic_write(self.tabs_path,
                     json_bytes({"open": open_ids, "active": active, "drafts": drafts}))


def _drafts(found: object, open_ids: list[str]) -> dict[str, str]:
    """The drafts of open tabs that are text; anything else in ``found`` is left out."""
    if not isinstance(found, dict):
        return {}
    return {conv_id: text for conv_id, text in found.items()
            if conv_id in open_ids and isinstance(text, str) and text}
