"""A conversation as a Markdown file under ``<data dir>/exports``."""

from __future__ import annotations

from pathlib import Path

from claude_tui.config import assistant_name
from claude_tui.conversation import Conversation
from claude_tui.store import atomic_write
from claude_tui.text import inert, one_line
from claude_tui.ui.widgets.conversation.message import reply_heading


def to_markdown(conversation: Conversation) -> str:
    lines = [f"# {one_line(conversation.display_title)}", ""]
    lines.append(f"- model: {one_line(conversation.model)}")
    lines.append(f"- created: {conversation.created}")
    lines.append(f"- status: {conversation.status}")
    if conversation.ended is not None:
        who = "you" if conversation.ended.by == "user" else assistant_name(conversation.model)
        lines.append(f"- ended by {who} at {conversation.ended.at} ({conversation.ended.reason})")
    for warning in conversation.warnings:
        lines.append(f"- warning ({warning.at}): {one_line(warning.behavior)}")
    lines.append("")
    for message in conversation.messages:
        if message.role == "user" and not message.is_user_text:
            continue
        if not message.text.strip() and message.role == "assistant":
            continue
        who = "You" if message.role == "user" else reply_heading(message.model)
        note = " (stopped)" if message.interrupted else ""
        lines += [f"## {who}{note}", "", inert(message.text).rstrip(), ""]
    return "\n".join(lines)


def export_conversation(conversation: Conversation, data_dir: Path) -> Path:
    folder = Path(data_dir) / "exports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{conversation.id}.md"
    atomic_write(path, to_markdown(conversation).encode("utf-8"))
    return path
