"""Two versions of one conversation: which is ahead, and how to keep both when they diverged.

A conversations folder may be kept in step between machines by a sync tool, or edited by hand
while the app runs. Before the app writes a file it checks that the file is still the version it
read; if not, this module decides what to do so that nobody's messages are lost.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from claude_tui.conversation import Conversation, Message, new_conversation_id, now_iso
from claude_tui.record import Record
from claude_tui.storage.file_format import Snapshot
from claude_tui.storage.reading import FileSignature, StoreError

Relation = Literal["same", "ours_ahead", "theirs_ahead", "diverged"]
ChangeKind = Literal["newer_on_disk", "ended_elsewhere", "conflict_copy"]

# A sync tool's conflict copy (Syncthing's name for it): offered as a conversation of its own.
# The other files sync tools and editors leave in the folder are never taken for conversations:
# only ``<id>.json`` names are (``refresh.py``).
SYNC_CONFLICT = re.compile(r"^(?P<id>[0-9a-z]{20})\.sync-conflict-[^/]*\.json$")


class DiskChange(Record):
    """What happened to a conversation whose file changed under this instance."""

    conversation_id: str
    kind: ChangeKind
    # The version to show from now on (newer_on_disk, ended_elsewhere), if it is not ours.
    on_disk: Conversation | None = None
    # The conversation made to keep the other side's messages (conflict_copy), or ours when
    # the other side ended the conversation (ended_elsewhere).
    copy_id: str | None = None
    # The signature of the file ``on_disk`` was read from.
    signature: FileSignature | None = None

    def describe(self, title: str) -> str:
        if self.kind == "ended_elsewhere":
            kept = " Your messages since are kept in a new conversation." if self.copy_id else ""
            return f"“{title}” was ended on another machine; its tab is now read-only.{kept}"
        if self.kind == "conflict_copy":
            return (f"“{title}” was changed elsewhere too; the other version is kept as a "
                    "conversation of its own (ctrl+o, “conflict copy”).")
        return f"“{title}” was changed on disk; the newer version is shown."


class ConversationChangedError(StoreError):
    """The file changed on disk in a way that this save must not overwrite (see ``change``)."""

    def __init__(self, change: DiskChange) -> None:
        super().__init__("this conversation changed on disk; the newer version is shown")
        self.change = change


class Reconciled(Record):
    """What a save (or a look) does about a file that changed since the store last saw it."""

    # A new conversation to write first, so that nobody's messages are lost.
    copy: Conversation | None = None
    # What the app is told.
    change: DiskChange | None = None
    # The file is ahead of the caller's version: the save is refused.
    refused: bool = False
    # The file already holds the caller's version, exactly.
    identical: bool = False


def reconcile(snapshot: Snapshot, on_disk: Conversation, signature: FileSignature, *,
              checking: bool) -> Reconciled:
    """``snapshot`` is the caller's version, ``on_disk`` what the file holds now (read with
    ``signature``); ``checking``: the caller changed nothing (a look, not a save)."""
    ours = snapshot.message_dicts()
    theirs = [m.to_dict() for m in on_disk.messages]
    how = relation(ours, theirs)
    if on_disk.is_ended and not snapshot.is_ended:
        copy = None
        if how in ("ours_ahead", "diverged"):
            # Ours went on after the other side ended it: ours lives on as a new one.
            copy = conflict_copy(on_disk, list(snapshot.messages), "continued here")
        change = DiskChange(snapshot.id, "ended_elsewhere", on_disk,
                            copy.id if copy else None, signature)
        return Reconciled(copy, change, refused=True)
    if how == "same" and on_disk.to_dict() == {**snapshot.header, "messages": ours}:
        return Reconciled(identical=True)
    if how == "theirs_ahead" or (how == "same" and checking):
        # Theirs has all of ours and more (or the same messages, changed by hand, while ours
        # changed nothing): show theirs; this save has nothing to add.
        return Reconciled(None, DiskChange(snapshot.id, "newer_on_disk", on_disk, None,
                                           signature), refused=True)
    if how == "diverged":
        copy = conflict_copy(on_disk, list(on_disk.messages), "conflict copy")
        return Reconciled(copy, DiskChange(snapshot.id, "conflict_copy", None, copy.id))
    return Reconciled()


def relation(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> Relation:
    common = common_prefix(ours, theirs)
    if common == len(ours) == len(theirs):
        return "same"
    if common == len(theirs):
        return "ours_ahead"
    if common == len(ours):
        return "theirs_ahead"
    return "diverged"


def common_prefix(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> int:
    count = 0
    for mine, other in zip(ours, theirs, strict=False):
        if mine != other:
            break
        count += 1
    return count


def conflict_copy(source: Conversation, messages: list[Message], note: str) -> Conversation:
    """A new, active conversation holding ``messages`` of ``source``, named so the user finds
    it. Its warnings come along, so E1 counts the same in the copy."""
    title = f"{source.display_title} ({note})"
    copy = Conversation(id=new_conversation_id(), model=source.model, title=title,
                        created=now_iso(), messages=list(messages),
                        system_prompt=source.system_prompt)
    turns = sum(1 for m in messages if m.is_user_text)
    copy.warnings = [w for w in source.warnings if w.turn <= turns]
    copy.refused_ends = [r for r in source.refused_ends if r.turn <= turns]
    return copy
