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
    complete replies are left out)."""
    shown = []
    for index, message in enumerate(conversation.messages):
        if message.role == "user" and not message.is_user_text:
            continue
        if message.role == "assistant" and not message.text.strip() and not message.interrupted:
            continue  # a cut-off reply is shown even empty: the reader must see it broke off
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
        note = " (cut off)" if message.interrupted else ""
        if message.replaced is not None:
            note += " (earlier version)"  # regenerated or edited since: never sent again
        # The export's own headings are levels 1 and 2; the messages' start at 3 (below).
        lines += [f"## {who}{note}", ""]
        # The files attached are named, never dumped (their bytes stay in the JSON file).
        attached = [f"- {a.line}" for a in shown_attachments(message)]
        if attached:
            lines += ["Attached:", *attached, ""]
        if message.text.strip():
            lines += [headings_below(inert(message.text).rstrip(), EXPORT_LEVELS), ""]
        ending = how_it_ended(message)
        if ending:
            lines += [ending, ""]
    return "\n".join(lines)


# How a reply was cut off, from the fact the engine keeps (``extra["interruption"]``, as the
# app's transcript shows it); older files have only ``interrupted``.
CUT_OFF_WHY = {
    "stopped": "you stopped it",
    "broke_off": "the connection ended before it was complete",
    "app_closed": "the app was closed before it was complete",
    "unfinished": "the app stopped (a crash or a kill) before it was complete",
}


def how_it_ended(message: Message) -> str:
    """A plain-words line under a reply that did not end as the model meant, or ""."""
    if message.role != "assistant":
        return ""
    if message.interrupted:
        why = CUT_OFF_WHY.get(str(message.extra.get("interruption")),
                              "it broke off before it was complete")
        return f"[reply cut off: {why}]"
    if message.stop_reason == "max_tokens":
        return "[reply cut short: it reached the token limit]"
    return ""


# The levels the export uses for itself: the title (1) and each message's speaker (2).
EXPORT_LEVELS = 2
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CLOSING_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# Lines a setext underline cannot turn into a heading: blank, a heading, a quote, a list item,
# a table row, a fence, an indented code line.
_NOT_PARAGRAPH = re.compile(r"^(\s*$| {0,3}([#>|]|[-*+](\s|$)|\d{1,9}[.)](\s|$)|```|~~~)| {4})")


def headings_below(text: str, levels: int) -> str:
    """Markdown ``text`` with each heading moved ``levels`` down (at most to level 6), so a
    heading in a message never looks like one of the export's own. Code fences are left
    exactly as they are; a setext heading (a line underlined with === or ---) becomes the
    ATX heading (###) it now is, with its words unchanged."""
    out: list[str] = []
    fence = ""  # the opening fence of the code block we are in
    for line in text.split("\n"):
        if fence:
            closing = _CLOSING_FENCE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = ""
            out.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        atx = _ATX_HEADING.match(line)
        if atx:
            level = min(6, len(atx.group(2)) + levels)
            out.append(atx.group(1) + "#" * level + line[atx.end():])
            continue
        underline = _SETEXT_UNDERLINE.match(line)
        if underline and out and not _NOT_PARAGRAPH.match(out[-1]):
            level = min(6, (1 if underline.group(1)[0] == "=" else 2) + levels)
            out[-1] = "#" * level + " " + out[-1].strip()
            continue
        out.append(line)
    return "\n".join(out)


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
