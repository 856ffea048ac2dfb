"""Running ``claude-tui`` as a real subprocess against the test's temporary data folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from claude_tui.conversation import (
    Conversation,
    EndRecord,
    IssuedWarning,
    Message,
    new_conversation_id,
)

# Every control a terminal acts on: ESC (CSI, OSC), BEL, C1 CSI, DEL.
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\x7f", "\x08")
HOSTILE = "evil \x1b]0;pwned\x07 \x1b[31mred\x9b2J [bold]markup[/bold] \u202eright-to-left"


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m claude_tui ARGS`` with the test's XDG folders (and no credentials)."""
    environment = dict(os.environ)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "claude_tui", *args], capture_output=True, text=True,
        env=environment, timeout=timeout, encoding="utf-8", errors="surrogateescape",
        input=input, stdin=None if input is not None else subprocess.DEVNULL,
    )


def fast_demo_config(tmp_path: Path) -> Path:
    """A config whose demo model answers at once."""
    path = tmp_path / "fast.toml"
    path.write_text("demo_chars_per_second = 100000\n")
    return path


def text_message(role: str, text: str, **extra: object) -> Message:
    return Message(role=role, content=[{"type": "text", "text": text}], **extra)  # type: ignore[arg-type]


def store_conversation(data_dir: Path, *texts: str, title: str = "",
                       model: str = "claude-opus-5-5", ended: bool = False,
                       warning: str | None = None) -> Conversation:
    """A conversation file whose messages alternate user, assistant, user, ...

    Written as the file itself (what the commands find on disk), not through a store: a store
    keeps a writer thread and an index connection open for the rest of the test run.
    """
    conversation = Conversation(id=new_conversation_id(), model=model, title=title)
    for number, text in enumerate(texts):
        role = "user" if number % 2 == 0 else "assistant"
        conversation.messages.append(text_message(role, text, **(
            {"model": model} if role == "assistant" else {})))
    if warning is not None:
        conversation.warnings.append(IssuedWarning(warning, "2026-01-01T00:00:00Z", 1))
    if ended:
        conversation.status = "ended"
        conversation.ended = EndRecord(by="assistant", at="2026-01-02T00:00:00Z",
                                       reason="persistent_abuse")
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{conversation.id}.json").write_text(json.dumps(conversation.to_dict()),
                                                    "utf-8")
    return conversation


def stored(data_dir: Path) -> list[Conversation]:
    """Every conversation file in the data folder, read as it is on disk, newest first."""
    found = [Conversation.from_dict(json.loads(path.read_text("utf-8")))
             for path in (data_dir / "conversations").glob("*.json")]
    return sorted(found, key=lambda c: (c.updated, c.id), reverse=True)


def assert_inert(output: str) -> None:
    for control in TERMINAL_CONTROLS:
        assert control not in output, (control, output)
    assert "\u202e" not in output
