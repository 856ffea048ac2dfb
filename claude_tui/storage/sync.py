"""Two versions of one conversation: which is ahead, and how to keep both when they diverged.

A conversations folder may be kept in step between machines by a sync tool, or edited by hand
while the app runs. Before the app writes a file it checks that the file is still the version it
read; if not, this module decides what to do so that nobody's messages are lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from claude_tui.conversation import Conversation, Message, new_conversation_id, now_iso
from claude_tui.storage.index import FileSignature

Relation = Literal["same", "ours_ahead", "theirs_ahead", "diverged"]
ChangeKind = Literal["newer_on_disk", "ended_elsewhere", "conflict_copy"]

# Files sync tools and editors leave in a folder they manage: never conversations, never
# damaged, never moved. Syncthing's own conflict copies are offered as conversations instead.
_SYNC_TOOL_NAMES = re.compile(
    r"(^\.)|(~$)|(\.sync-conflict-)|(^~)|(\.swp$)|(\.part$)|(\.crdownload$)|(\.tmp$)"
)
SYNC_CONFLICT = re.compile(r"^(?P<id>[0-9a-z]{20})\.sync-conflict-[^/]*\.json$")


def is_sync_tool_file(name: str) -> bool:
    return bool(_SYNC_TOOL_NAMES.search(name))


@dataclass(frozen=True)
class DiskChange:
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
                        created=now_iso(), messages=list(messages))
    turns = sum(1 for m in messages if m.is_user_text)
    copy.warnings = [w for w in source.warnings if w.turn <= turns]
    copy.refused_ends = [r for r in source.refused_ends if r.turn <= turns]
    return copy
