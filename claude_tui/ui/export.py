"""A conversation as a Markdown file under ``<data dir>/exports``."""

from __future__ import annotations

from pathlib import Path

from claude_tui.conversation import Conversation
from claude_tui.storage.atomic import atomic_write
from claude_tui.transcript import to_markdown


def export_conversation(conversation: Conversation, data_dir: Path) -> Path:
    folder = Path(data_dir) / "exports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{conversation.id}.md"
    atomic_write(path, to_markdown(conversation).encode("utf-8"))
    return path
