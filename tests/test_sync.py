"""A conversations folder kept in step between two machines: nobody's messages are lost.

Two data folders stand for a laptop and a server; a sync tool is played by copying files
between them. The server is a real process of its own; the laptop is the store a running app
holds, with the conversation loaded before the other machine's version arrives.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claude_tui.conversation import Message
from claude_tui.storage.store import (
    ConversationChangedError,
    ConversationEndedError,
    ConversationStore,
)
from claude_tui.storage.sync import DiskChange

OTHER_MACHINE = r"""
import sys
from pathlib import Path
from claude_tui.conversation import EndRecord, Message, now_iso
from claude_tui.storage.store import ConversationStore

data_dir, conv_id, action, text = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
store = ConversationStore(data_dir)
conversation = store.load(conv_id)
if action == "say":
    store.append(conversation, Message(role="user", content=[{"type": "text", "text": text}]))
else:
    conversation.status = "ended"
    conversation.ended = EndRecord(by="user", at=now_iso(), reason="user_requested")
    store.save(conversation)
"""


def user(text: str) -> Message:
    return Message(role="user", content=[{"type": "text", "text": text}])


def other_machine(data_dir: Path, conv_id: str, action: str, text: str = "") -> None:
    subprocess.run([sys.executable, "-c", OTHER_MACHINE, str(data_dir), conv_id, action, text],
                   check=True, timeout=60)


def sync(source: ConversationStore, target: ConversationStore, conv_id: str) -> None:
    """What a sync tool does: the other machine's file arrives in place of ours."""
    shutil.copy2(source.path_for(conv_id), target.path_for(conv_id))


def texts(path: Path) -> list[str]:
    data = json.loads(path.read_text("utf-8"))
    return [b["text"] for m in data["messages"] for b in m["content"] if b["type"] == "text"]


@pytest.fixture
def machines(tmp_path: Path) -> tuple[ConversationStore, ConversationStore, str]:
    laptop = ConversationStore(tmp_path / "laptop")
    conversation = laptop.create("claude-opus-5-5", title="shared")
    laptop.append(conversation, user("hello from the start"))
    server = ConversationStore(tmp_path / "server")
    sync(laptop, server, conversation.id)
    return laptop, server, conversation.id


def watching(store: ConversationStore) -> list[DiskChange]:
    changes: list[DiskChange] = []
    store.on_disk_change = changes.append
    return changes


def test_both_sides_wrote_then_both_versions_are_kept(machines) -> None:
    laptop, server, conv_id = machines
    changes = watching(laptop)
    mine = laptop.load(conv_id)
    other_machine(server.data_dir, conv_id, "say", "written on the server")
    sync(server, laptop, conv_id)
    laptop.append(mine, user("written on the laptop"))

    assert texts(laptop.path_for(conv_id)) == ["hello from the start", "written on the laptop"]
    [change] = changes
    assert change.kind == "conflict_copy" and change.copy_id is not None
    copy = laptop.load(change.copy_id)
    assert [m.text for m in copy.messages] == ["hello from the start", "written on the server"]
    assert "conflict copy" in copy.title
    assert {s.id for s in laptop.list()} == {conv_id, change.copy_id}


def test_a_newer_version_from_elsewhere_is_shown_not_overwritten(machines) -> None:
    laptop, server, conv_id = machines
    changes = watching(laptop)
    mine = laptop.load(conv_id)
    other_machine(server.data_dir, conv_id, "say", "only the server wrote")
    sync(server, laptop, conv_id)
    laptop.check_on_disk(mine).result(30)
    [change] = changes
    assert change.kind == "newer_on_disk"
    assert [m.text for m in change.on_disk.messages] == [
        "hello from the start", "only the server wrote"]
    assert texts(laptop.path_for(conv_id))[-1] == "only the server wrote"
    # A rename made on the old copy must not undo the other machine's message either.
    mine.title = "renamed on the laptop"
    with pytest.raises(ConversationChangedError):
        laptop.save(mine)
    assert texts(laptop.path_for(conv_id))[-1] == "only the server wrote"


def test_a_conversation_ended_elsewhere_is_ended_here(machines) -> None:
    laptop, server, conv_id = machines
    mine = laptop.load(conv_id)
    other_machine(server.data_dir, conv_id, "end")
    sync(server, laptop, conv_id)
    with pytest.raises(ConversationChangedError) as caught:
        laptop.append(mine, user("typed on the laptop after the end"))
    change = caught.value.change
    assert change.kind == "ended_elsewhere" and change.on_disk.is_ended
    assert json.loads(laptop.path_for(conv_id).read_text("utf-8"))["status"] == "ended"
    # What the laptop typed is not lost: it went on in a new conversation.
    kept = laptop.load(change.copy_id)
    assert [m.text for m in kept.messages][-1] == "typed on the laptop after the end"
    assert not kept.is_ended
    # And the ended one takes nothing more, whoever asks.
    with pytest.raises(ConversationEndedError):
        laptop.append(laptop.load(conv_id), user("one more"))


def test_an_older_copy_arriving_late_does_not_win(machines) -> None:
    laptop, server, conv_id = machines
    mine = laptop.load(conv_id)
    laptop.append(mine, user("the laptop went on"))
    sync(server, laptop, conv_id)  # the sync tool brings back the server's older file
    laptop.append(mine, user("and on"))
    assert texts(laptop.path_for(conv_id)) == [
        "hello from the start", "the laptop went on", "and on"]
    assert [s.id for s in laptop.list()] == [conv_id]  # nothing to keep apart: no copy
