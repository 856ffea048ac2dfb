"""What an ended conversation shows in place of the composer."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from claude_tui.conversation import EndRecord
from claude_tui.ui.key_words import in_your_keys
from claude_tui.ui.timestamps import local_time
from claude_tui.ui.transcript.message import sentence_start


def locked_text(ended: EndRecord | None, assistant: str = "Claude") -> str:
    """``assistant``: ``choice.assistant_name()`` of the conversation's model."""
    who = "You" if ended is not None and ended.by == "user" else sentence_start(assistant)
    at = local_time(ended.at) if ended is not None else "an unknown time"
    return (
        f"🔒 {who} ended this conversation on {at}. It is read-only: nothing more can be sent"
        " here. Press ctrl+n to start a new conversation (f8 branches from an earlier message)."
    )


class LockedNotice(Static):
    def __init__(self, ended: EndRecord | None, *, assistant: str = "Claude",
                 id: str | None = None) -> None:
        super().__init__(Text(in_your_keys(self, locked_text(ended, assistant))), markup=False,
                         id=id)


class ReadOnlyNotice(Static):
    """A file from a newer version: shown, never written."""

    def __init__(self, reason: str, *, id: str | None = None) -> None:
        super().__init__(Text(f"Read-only: {reason}"), markup=False, id=id)
