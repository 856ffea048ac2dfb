"""A writer killed with SIGKILL at any moment never leaves a conversation file that fails to parse.

A real process runs a loop of saves while the conversation grows; it is killed after a random
short delay, again and again. Afterwards every JSON file parses, every conversation loads, and
the temporary files a killed writer leaves behind are not taken for conversations.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claude_tui.conversation import new_conversation_id
from claude_tui.storage.store import ConversationStore

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WRITER = r"""
import sys
from pathlib import Path
from claude_tui.conversation import Conversation, Message
from claude_tui.storage.store import ConversationStore, UnknownConversationError

data_dir, conv_id, round_no = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = ConversationStore(data_dir)
try:
    conversation = store.load(conv_id)
except UnknownConversationError:
    conversation = Conversation(id=conv_id, model="claude-opus-5-5", title="crash test")
n = 0
while True:
    n += 1
    text = f"round {round_no} save {n} " + "x" * (n * 37 % 700)
    role = "user" if len(conversation.messages) % 2 == 0 else "assistant"
    conversation.messages.append(Message(role=role, content=[{"type": "text", "text": text}]))
    conversation.touch()
    store.save(conversation)
    if n == 1:
        print("saving", flush=True)  # the parent starts its clock only now
"""

ROUNDS = 25
MIN_ROUNDS = 5  # always run, however busy the machine: the bound is on rounds, not time
TIME_BUDGET = 12.0  # seconds; past it, the loop stops early rather than slow the suite down


def test_sigkill_during_saves_never_leaves_a_broken_file(data_dir: Path) -> None:
    rng = random.Random(int.from_bytes(os.urandom(4)))
    conv_id = new_conversation_id()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    started = time.monotonic()
    rounds = 0
    for round_no in range(ROUNDS):
        if rounds >= MIN_ROUNDS and time.monotonic() - started > TIME_BUDGET:
            break
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir), conv_id, str(round_no)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        try:
            line = writer.stdout.readline()  # type: ignore[union-attr]
            assert line == b"saving\n", writer.stderr.read()  # type: ignore[union-attr]
            time.sleep(rng.uniform(0, 0.03))
            writer.send_signal(signal.SIGKILL)
        finally:
            writer.kill()
            writer.wait()
            writer.stdout.close()  # type: ignore[union-attr]
            writer.stderr.close()  # type: ignore[union-attr]
        assert writer.returncode == -signal.SIGKILL
        rounds += 1

        # After every kill, the file is whole: the latest save or the one before.
        path = data_dir / "conversations" / f"{conv_id}.json"
        data = json.loads(path.read_bytes().decode("utf-8"))
        assert data["id"] == conv_id

    folder = data_dir / "conversations"
    for path in folder.glob("*.json"):
        json.loads(path.read_bytes().decode("utf-8"))
    store = ConversationStore(data_dir)
    conversation = store.load(conv_id)
    assert len(conversation.messages) >= rounds
    # Each round saved at least once, and nothing from a later round precedes an earlier one.
    rounds_seen = [int(m.text.split()[1]) for m in conversation.messages]
    assert rounds_seen == sorted(rounds_seen)
    assert store.refresh() == []
    assert [s.id for s in store.list()] == [conv_id]
    assert not (folder / "damaged").exists()
