"""Earlier versions: what regenerating a reply or editing the last message keeps.

Nothing is deleted. The replaced messages stay in the conversation, marked ``excluded`` (never
sent again) and ``replaced`` (when, and whether by a regenerated reply or an edited message),
so the user can show them again. Pure: the engine saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from claude_tui.conversation import Conversation, now_iso

ReplacedBy = Literal["regenerate", "edit"]


def last_typed(conversation: Conversation) -> int | None:
    """The index of the last message the user typed (tool-result turns are not typed)."""
    for index in range(len(conversation.messages) - 1, -1, -1):
        if conversation.messages[index].is_user_text:
            return index
    return None


def _writable(conversation: Conversation) -> bool:
    # E5: an ended conversation offers none of this; branching is the way on.
    return not conversation.is_ended and conversation.read_only_reason is None


def can_regenerate(conversation: Conversation) -> bool:
    """There is a last message of the user's that is still sent (not refused, E7)."""
    index = last_typed(conversation)
    return (_writable(conversation) and index is not None
            and not conversation.messages[index].excluded)


def can_edit_last(conversation: Conversation) -> bool:
    """There is a last message of the user's (a refused one may be edited too)."""
    return _writable(conversation) and last_typed(conversation) is not None


def keep_as_earlier(conversation: Conversation, start: int,
                    by: ReplacedBy) -> Callable[[], None]:
    """Mark ``messages[start:]`` as an earlier version; returns what undoes it (a failed save).

    A message already excluded (a refused or a retried reply) keeps what it was and is marked
    replaced too, so all of the turn hides and shows again together.
    """
    at = now_iso()
    before = [(m, m.excluded, m.replaced) for m in conversation.messages[start:]]
    for message, _excluded, replaced in before:
        message.excluded = True
        if replaced is None:
            message.replaced = {"at": at, "by": by}

    def undo() -> None:
        for message, excluded, replaced in before:
            message.excluded, message.replaced = excluded, replaced

    return undo
