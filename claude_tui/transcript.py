"""A conversation as Markdown text, for export and ``claude-tui show``. No UI imports.

Every piece of model or user text goes through ``inert()``/``one_line()``: the result may be
printed straight to a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from claude_tui.attachments import shown_attachments
from claude_tui.conversation import Conversation, Message
from claude_tui.providers.choice import assistant_name, provider_info
from claude_tui.text import inert, one_line


def reply_heading(model: str | None) -> str:
    """The name over a reply: it says which model wrote it, and never calls the demo Claude."""
    return provider_info(model).heading


def shown_messages(conversation: Conversation) -> list[tuple[int, Message]]:
    """The messages a reader sees, with their index in the file (tool-result turns and empty
    replies are left out)."""
    shown = []
    for index, message in enumerate(conversation.messages):
        if message.role == "user" and not message.is_user_text:
            continue
        if message.role == "assistant" and not message.text.strip():
            continue
        shown.append((index, message))
    return shown


def to_markdown(conversation: Conversation) -> str:
    lines = [f"# {one_line(conversation.display_title)}", ""]
    lines.append(f"- model: {one_line(conversation.model)}")
    lines.append(f"- created: {one_line(conversation.created)}")
    lines.append(f"- status: {conversation.status}")
    if conversation.ended is not None:
        who = "you" if conversation.ended.by == "user" else assistant_name(conversation.model)
        lines.append(f"- ended by {who} at {one_line(conversation.ended.at)} "
                     f"({one_line(conversation.ended.reason)})")
    for warning in conversation.warnings:
        lines.append(f"- warning ({one_line(warning.at)}): {one_line(warning.behavior)}")
    lines.append("")
    for _, message in shown_messages(conversation):
        who = "You" if message.role == "user" else reply_heading(message.model)
        note = " (stopped)" if message.interrupted else ""
        if message.replaced is not None:
            note += " (earlier version)"  # regenerated or edited since: never sent again
        lines += [f"## {who}{note}", ""]
        # The files attached are named, never dumped (their bytes stay in the JSON file).
        attached = [f"- {a.line}" for a in shown_attachments(message)]
        if attached:
            lines += ["Attached:", *attached, ""]
        if message.text.strip():
            lines += [inert(message.text).rstrip(), ""]
    return "\n".join(lines)


def snippet_pieces(snippet: str, highlights: Sequence[tuple[int, int]]
                   ) -> list[tuple[str, bool]]:
    """A search snippet as inert one-line pieces, each with whether it is a matched word.

    The pieces are made inert one by one, so a highlight stays on the words it marks.
    """
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(highlights):
        if start < position or end <= start:
            continue
        pieces += [(snippet[position:start], False), (snippet[start:end], True)]
        position = end
    pieces.append((snippet[position:], False))
    shown = [(re.sub(r"\s+", " ", inert(text)), match) for text, match in pieces]
    shown = [(text, match) for text, match in shown if text]
    if shown:
        shown[0] = (shown[0][0].lstrip(), shown[0][1])
        shown[-1] = (shown[-1][0].rstrip(), shown[-1][1])
    return [(text, match) for text, match in shown if text]
