"""The guards on every save, and what the store remembers of each file for them.

- Read-only: a conversation from a newer version is never written back.
- Ended (E5): once a conversation has ended its messages never change and it never reopens,
  whatever object the caller holds; the messages it ended with are remembered to check that.
- Changed on disk: the signature of the file as last read or written, so a save notices a file
  that changed since (``sync.py`` decides what to do then).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from claude_tui.conversation import Conversation, Message
from claude_tui.storage.file_format import Snapshot
from claude_tui.storage.reading import ConversationReadOnlyError, FileSignature, StoreError

NOTHING_ADDED = "this conversation has ended; nothing can be added to it"
NOT_REOPENED = "an ended conversation cannot be reopened"


class ConversationEndedError(StoreError):
    """Something tried to add to an ended conversation (E5)."""


@dataclass
class _Known:
    signature: FileSignature | None = None
    # The messages of an ended conversation, as they were when it ended (the E5 guard).
    ended_messages: list[dict[str, Any]] | None = None


class KnownFiles:
    """What the store knows of the files it read or wrote; safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, _Known] = {}

    def remember(self, conversation: Conversation, signature: FileSignature | None) -> None:
        """``conversation`` is what the file with ``signature`` holds (just read, or adopted)."""
        with self._lock:
            known = self._known.setdefault(conversation.id, _Known())
            known.signature = signature
            if conversation.is_ended and known.ended_messages is None:
                # Copied: the blocks are shared with the live object, which could change them.
                known.ended_messages = copy.deepcopy(
                    [m.to_dict() for m in conversation.messages])

    def written(self, snapshot: Snapshot, signature: FileSignature) -> None:
        with self._lock:
            known = self._known.setdefault(snapshot.id, _Known())
            known.signature = signature
            if snapshot.is_ended and known.ended_messages is None:
                known.ended_messages = snapshot.message_dicts()

    def signature(self, conversation_id: str) -> tuple[bool, FileSignature | None]:
        """Whether the file is known, and its signature when last read or written."""
        with self._lock:
            known = self._known.get(conversation_id)
            return known is not None, known.signature if known else None

    def set_signature(self, conversation_id: str, signature: FileSignature) -> None:
        with self._lock:
            self._known.setdefault(conversation_id, _Known()).signature = signature

    def forget(self, conversation_id: str) -> None:
        with self._lock:
            self._known.pop(conversation_id, None)

    def _ended_messages(self, conversation_id: str) -> list[dict[str, Any]] | None:
        with self._lock:
            known = self._known.get(conversation_id)
            return known.ended_messages if known else None

    # the guards --------------------------------------------------------------------------------
    def check_save(self, conversation: Conversation,
                   extra_messages: Sequence[Message] = ()) -> None:
        """The guards that need no disk, checked before a save is queued."""
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)
        if self._ended_messages(conversation.id) is not None and not conversation.is_ended:
            raise ConversationEndedError(NOT_REOPENED)
        if extra_messages and conversation.is_ended:
            raise ConversationEndedError(NOTHING_ADDED)

    def check_append(self, conversation: Conversation) -> None:
        if conversation.is_ended or self._ended_messages(conversation.id) is not None:
            raise ConversationEndedError(NOTHING_ADDED)
        if conversation.read_only_reason:
            raise ConversationReadOnlyError(conversation.read_only_reason)

    def check_ended(self, snapshot: Snapshot) -> None:
        """On the writer thread, just before the write: an ended file stays as it ended."""
        guard = self._ended_messages(snapshot.id)
        if guard is None:
            return
        if not snapshot.is_ended:
            raise ConversationEndedError(NOT_REOPENED)
        if snapshot.message_dicts() != guard:
            raise ConversationEndedError(NOTHING_ADDED)
