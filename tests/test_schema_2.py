"""Schema 2 (the conversation's own system prompt, earlier versions): a schema-1 file, as the
previous version wrote it, opens, is sent the same, and becomes schema 2 only when saved."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from claude_tui.config import Settings
from claude_tui.conversation import (
    SCHEMA_VERSION,
    Conversation,
    ConversationFormatError,
    Message,
)
from claude_tui.protocol import SYSTEM_SECTION
from claude_tui.request import build_request
from claude_tui.storage.file_format import encode
from claude_tui.storage.store import ConversationStore
from tests.test_chat_request import assert_valid
from tests.test_conversation import full_conversation

SCHEMA_1_FILE = Path(__file__).parent / "files" / "conversation-schema-1.json"
SCHEMA_1_ID = "01jd4m8q2vz3x5c7b9n0"


def test_the_schema_is_2() -> None:
    assert SCHEMA_VERSION == 2


def test_a_schema_1_file_reads_as_it_was_with_the_configs_prompt() -> None:
    data = json.loads(SCHEMA_1_FILE.read_text("utf-8"))
    assert data["schema"] == 1 and "system_prompt" not in data
    conversation = Conversation.from_dict(copy.deepcopy(data))
    assert conversation.read_only_reason is None
    assert conversation.system_prompt is None  # the config's, as before
    assert [m.replaced for m in conversation.messages] == [None] * 9
    assert conversation.messages[7].excluded and conversation.messages[7].interrupted
    assert conversation.warnings[0].behavior == "insulting language directed at the assistant"
    written = conversation.to_dict()
    assert written["schema"] == 2 and written["system_prompt"] is None
    # Nothing else changes: every message is written back as it was read.
    assert written["messages"] == data["messages"]

    settings = Settings(path=Path("unused.toml"), system_prompt="Be brief.")
    request = build_request(conversation, settings)
    assert [b["text"] for b in request.system] == [SYSTEM_SECTION, "Be brief."]
    assert_valid(request.messages)
    assert "Take Python's Optional" not in str(request.messages)  # still excluded


def test_a_schema_1_file_on_disk_is_rewritten_only_when_saved(data_dir: Path) -> None:
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{SCHEMA_1_ID}.json"
    shutil.copyfile(SCHEMA_1_FILE, path)
    store = ConversationStore(data_dir)
    try:
        conversation = store.load(SCHEMA_1_ID)
        store.list()
        assert path.read_bytes() == SCHEMA_1_FILE.read_bytes()  # reading writes nothing

        store.append(conversation, Message("user", [{"type": "text", "text": "Thanks!"}]))
        on_disk = json.loads(path.read_text("utf-8"))
        assert on_disk["schema"] == 2 and on_disk["system_prompt"] is None
        assert len(on_disk["messages"]) == 10
        assert ConversationStore(data_dir).load(SCHEMA_1_ID).messages[-1].text == "Thanks!"
    finally:
        store.close()


def test_earlier_versions_and_the_prompt_survive_a_round_trip() -> None:
    conversation = full_conversation()
    conversation.system_prompt = "Answer in haiku."
    conversation.messages[3].excluded = True
    conversation.messages[3].replaced = {"at": "2026-11-01T10:00:05Z", "by": "regenerate"}
    data = json.loads(encode(conversation))
    assert data["system_prompt"] == "Answer in haiku."
    assert data["messages"][3]["replaced"] == {"at": "2026-11-01T10:00:05Z", "by": "regenerate"}
    assert Conversation.from_dict(data) == conversation


def test_an_earlier_version_is_never_sent_even_if_a_hand_edit_dropped_its_flag() -> None:
    data = full_conversation().to_dict()
    data["messages"][3]["replaced"] = {"at": "x", "by": "edit"}
    data["messages"][3].pop("excluded", None)
    assert Conversation.from_dict(data).messages[3].excluded


def test_a_newer_schema_than_2_stays_read_only() -> None:
    data = full_conversation().to_dict() | {"schema": 3, "status": "active", "ended": None}
    conversation = Conversation.from_dict(data)
    assert conversation.read_only_reason and "schema 3" in conversation.read_only_reason


def test_a_system_prompt_or_replaced_of_the_wrong_shape_is_refused() -> None:
    data = full_conversation().to_dict()
    with pytest.raises(ConversationFormatError, match="system prompt"):
        Conversation.from_dict(data | {"system_prompt": ["not", "text"]})
    data["messages"][0]["replaced"] = "yes"
    with pytest.raises(ConversationFormatError, match="replaced"):
        Conversation.from_dict(data)


def test_a_conflict_copy_keeps_the_conversations_prompt() -> None:
    from claude_tui.storage.sync import conflict_copy

    source = full_conversation()
    source.system_prompt = "Answer in haiku."
    assert conflict_copy(source, source.messages[:1], "conflict copy").system_prompt == (
        "Answer in haiku.")
