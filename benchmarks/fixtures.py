"""Stored conversations for the benchmarks, written straight in the app's file format."""

from __future__ import annotations

import random
from pathlib import Path

from stream_server import markdown_reply

from claude_tui.conversation import Conversation, Message, new_conversation_id
from claude_tui.storage.file_format import encode
from claude_tui.storage.session import TabState, tabs_bytes

MODEL = "claude-opus-5-5"


def conversation(messages: int, *, seed: int = 1, title: str = "",
                 reply_chars: int = 300) -> Conversation:
    """``messages`` alternating user questions and Markdown replies of about ``reply_chars``."""
    rng = random.Random(seed)
    made = Conversation(id=new_conversation_id(), model=MODEL, title=title)
    for number in range(messages):
        if number % 2 == 0:
            text = f"Question {number}: how does the {rng.choice(['index', 'stream'])} work?"
            made.messages.append(Message(role="user", content=[{"type": "text", "text": text}]))
        else:
            text = markdown_reply(reply_chars, seed=number, big_fence=False)
            made.messages.append(Message(role="assistant", model=MODEL,
                                         content=[{"type": "text", "text": text}]))
    return made


def store(data_dir: Path, conversations: list[Conversation], *,
          open_ids: list[str] | None = None, active: str | None = None) -> None:
    """Write the conversations' files and, if given, the open tabs."""
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    for each in conversations:
        (folder / f"{each.id}.json").write_bytes(encode(each))
    if open_ids is not None:
        (data_dir / "tabs.json").write_bytes(tabs_bytes(TabState(open=open_ids, active=active)))
