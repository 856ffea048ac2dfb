"""One JSON file per conversation, written atomically, with the ended guard.

Layout under the data folder (``<user data dir>/claude-tui``):

- ``conversations/<id>.json``: one conversation each (mode 0600, folder 0700)
- ``conversations/index.json``: what a list needs, rebuilt from the files when stale
- ``conversations/damaged/``: files that could not be read, moved aside with their bytes intact
- ``tabs.json``: which conversations are open as tabs, in order, and the active one
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_tui.conversation import (
    Conversation,
    ConversationFormatError,
    Message,
    is_valid_id,
    new_conversation_id,
    now_iso,
)

INDEX_NAME = "index.json"
INDEX_VERSION = 1


class StoreError(Exception):
    """A store operation that cannot be done; the message says why, in the user's words."""


class ConversationEndedError(StoreError):
    """Something tried to add to an ended conversation (E5)."""


class ConversationReadOnlyError(StoreError):
    """The conversation came from a newer version and is never written back."""


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


@dataclass
class TabState:
    open: list[str]
    active: str | None


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves old or new, whole."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the replace itself is still atomic
    finally:
        os.close(fd)


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def _encode(conversation: Conversation) -> bytes:
    return (json.dumps(conversation.to_dict(), ensure_ascii=False, indent=1) + "\n").encode()


def _summary_of(conversation: Conversation) -> ConversationSummary:
    preview_parts: list[str] = []
    size = 0
    for message in conversation.messages:
        text = message.text
        if text:
            preview_parts.append(text[:400])
            size += len(text[:400])
        if size > 1200:
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
        # Message counts of conversations known to be ended on disk: the ended guard.
        self._ended_counts: dict[str, int] = {}
        _private_dir(self.data_dir)
        _private_dir(self.folder)

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
        try:
            return Conversation.from_dict(data)
        except ConversationFormatError as exc:
            raise DamagedConversationError(self._set_aside(path, str(exc))) from None

    def _set_aside(self, path: Path, reason: str) -> DamagedFile:
        """Move an unreadable file into ``damaged/`` with its bytes intact; never delete it."""
        _private_dir(self.damaged_folder)
        stamp = now_iso().replace(":", "")
        target = self.damaged_folder / f"{path.stem}.{stamp}{path.suffix}"
        counter = 1
        while target.exists():
            target = self.damaged_folder / f"{path.stem}.{stamp}-{counter}{path.suffix}"
            counter += 1
        os.replace(path, target)
        _fsync_dir(self.folder)
        damaged = DamagedFile(original=path, kept_as=target, reason=reason)
        self.damaged.append(damaged)
        return damaged

    def _remember(self, conversation: Conversation) -> None:
        if conversation.is_ended:
            self._ended_counts[conversation.id] = len(conversation.messages)

    def save(self, conversation: Conversation) -> None:
        """Write the whole conversation atomically.

        Refuses (E5) to write an ended conversation with messages it did not have when it
        ended, or to reopen one, and refuses to overwrite a file from a newer version.
        """
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)
        known = self._ended_counts.get(conversation.id)
        if known is not None:
            if not conversation.is_ended:
                raise ConversationEndedError("an ended conversation cannot be reopened")
            if len(conversation.messages) != known:
                raise ConversationEndedError(
                    "this conversation has ended; nothing can be added to it"
                )
        path = self.path_for(conversation.id)
        atomic_write(path, _encode(conversation))
        self._remember(conversation)
        self._update_index(conversation, path)

    def append(self, conversation: Conversation, message: Message) -> None:
        """Add a message and save. The only way the core adds to a conversation."""
        if conversation.is_ended or conversation.id in self._ended_counts:
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
        _fsync_dir(self.folder)
        self._ended_counts.pop(conversation_id, None)
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

        Uses the index for files whose size and modification time match it, and parses only
        the others, so a start with hundreds of conversations does not read every message.
        """
        index = self._read_index()
        fresh: dict[str, dict[str, Any]] = {}
        changed = False
        with os.scandir(self.folder) as entries:
            files = [e for e in entries if e.name.endswith(".json") and e.is_file()]
        for entry in files:
            conv_id = entry.name[: -len(".json")]
            if not is_valid_id(conv_id):
                continue
            stat = entry.stat()
            cached = index.get(conv_id)
            if cached and cached.get("mtime_ns") == stat.st_mtime_ns and cached.get(
                "size"
            ) == stat.st_size:
                fresh[conv_id] = cached
                continue
            try:
                conversation = self.load(conv_id)
            except (DamagedConversationError, UnknownConversationError):
                changed = True
                continue
            fresh[conv_id] = self._index_entry(conversation, stat)
            changed = True
        if set(fresh) != set(index):
            changed = True
        if changed:
            self._write_index(fresh)
        summaries = []
        for entry in fresh.values():
            try:
                summaries.append(ConversationSummary(**entry["summary"]))
            except (KeyError, TypeError):
                continue
        summaries.sort(key=lambda s: (s.updated, s.id), reverse=True)
        return summaries

    @staticmethod
    def _index_entry(conversation: Conversation, stat: os.stat_result) -> dict[str, Any]:
        return {
            "mtime_ns": stat.st_mtime_ns,
            "size": stat.st_size,
            "summary": _summary_of(conversation).__dict__,
        }

    def _read_index(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads((self.folder / INDEX_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        entries = data.get("conversations")
        return entries if isinstance(entries, dict) else {}

    def _write_index(self, entries: dict[str, dict[str, Any]]) -> None:
        payload = {"version": INDEX_VERSION, "conversations": entries}
        atomic_write(self.folder / INDEX_NAME, json.dumps(payload, ensure_ascii=False).encode())

    def _update_index(self, conversation: Conversation, path: Path) -> None:
        index = self._read_index()
        index[conversation.id] = self._index_entry(conversation, path.stat())
        self._write_index(index)

    # open tabs -------------------------------------------------------------------------------
    def load_tabs(self) -> TabState:
        try:
            data = json.loads(self.tabs_path.read_text("utf-8"))
        except (OSError, ValueError):
            return TabState(open=[], active=None)
        if not isinstance(data, dict):
            return TabState(open=[], active=None)
        ids = [i for i in data.get("open", []) if is_valid_id(i)]
        # Keep the order, drop duplicates and conversations whose file is gone.
        seen: list[str] = []
        for conv_id in ids:
            if conv_id not in seen and self.path_for(conv_id).exists():
                seen.append(conv_id)
        active = data.get("active")
        return TabState(open=seen, active=active if active in seen else (seen[0] if seen else None))

    def save_tabs(self, state: TabState) -> None:
        payload = {"open": [i for i in state.open if is_valid_id(i)], "active": state.active}
        atomic_write(self.tabs_path, json.dumps(payload).encode())
