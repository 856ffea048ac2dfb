"""Earlier versions in the transcript: hidden, or shown dimmed with a word of what they were.

A regenerated reply, or an edited message and the reply it had, stays in the conversation
(``versions.py``); the palette's "Show earlier versions" shows them again, per tab.
"""

from __future__ import annotations

from textual.widget import Widget

from claude_tui.conversation import Message
from claude_tui.ui.transcript.message import Notice

EARLIER_CLASS = "-earlier-version"


def earlier_text(message: Message) -> str:
    by = (message.replaced or {}).get("by")
    if message.role == "user":
        return "↺ earlier version: you edited this message and sent it again"
    if by == "regenerate":
        return "↺ earlier version: this reply was regenerated"
    return "↺ earlier version: the reply to a message you edited"


def as_shown(message: Message, widgets: list[Widget], shown: bool) -> list[Widget]:
    """``widgets`` of ``message`` as the transcript shows them: an earlier version only when
    ``shown``, dimmed, under a notice saying what replaced it."""
    if message.replaced is None:
        return widgets
    if not shown or not widgets:
        return []
    for widget in widgets:
        widget.add_class(EARLIER_CLASS)
    return [Notice(earlier_text(message), "dim"), *widgets]
