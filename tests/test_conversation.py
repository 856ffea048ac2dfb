"""The conversation model and its JSON form: round trips, migration, ids."""

from __future__ import annotations

import copy
import json

import pytest

from claude_tui.conversation import (
    SCHEMA_VERSION,
    Conversation,
    ConversationFormatError,
    EndRecord,
    IssuedWarning,
    Message,
    RefusedEnd,
    is_valid_id,
    new_conversation_id,
)


def full_conversation() -> Conversation:
    """A conversation with every field set, including tool calls and an end record."""
    conv_id = new_conversation_id()
    return Conversation(
        id=conv_id,
        model="claude-opus-5-5",
        title="Naming things",
        created="2026-11-01T10:00:00Z",
        updated="2026-11-01T10:05:00Z",
        status="ended",
        ended=EndRecord(by="assistant", at="2026-11-01T10:05:00Z", reason="persistent_abuse"),
        warnings=[IssuedWarning(behavior="repeated insults", at="2026-11-01T10:02:00Z", turn=2)],
        refused_ends=[
            RefusedEnd(at="2026-11-01T10:01:00Z", reason="persistent_abuse",
                       why="no warning was given in an earlier turn", turn=1)
        ],
        messages=[
            Message(role="user", content=[{"type": "text", "text": "hello ☃ \x1b[31m"}],
                    at="2026-11-01T10:00:00Z"),
            Message(
                role="assistant",
                content=[
                    {"type": "text", "text": "Let me note that."},
                    {"type": "tool_use", "id": "toolu_01", "name": "issue_warning",
                     "input": {"behavior": "repeated insults"}},
                ],
                at="2026-11-01T10:00:01Z",
                model="claude-opus-5-5",
                stop_reason="tool_use",
                usage={"input_tokens": 12, "output_tokens": 34},
            ),
            Message(
                role="user",
                content=[{"type": "tool_result", "tool_use_id": "toolu_01",
                          "content": "The warning was shown.", "is_error": False}],
                at="2026-11-01T10:00:02Z",
            ),
            Message(role="assistant", content=[{"type": "text", "text": "partial"}],
                    at="2026-11-01T10:00:03Z", model="claude-opus-5-5", interrupted=True),
            Message(role="assistant", content=[], at="2026-11-01T10:00:04Z",
                    stop_reason="refusal", excluded=True),
        ],
    )


def test_every_field_survives_a_round_trip_through_json() -> None:
    original = full_conversation()
    data = json.loads(json.dumps(original.to_dict()))
    assert data["schema"] == SCHEMA_VERSION
    again = Conversation.from_dict(data)
    assert again == original
    assert again.to_dict() == original.to_dict()
    # The file speaks the words of DESIGN.md section 3.
    for key in ("schema", "id", "title", "model", "created", "updated", "status", "ended",
                "warnings", "messages"):
        assert key in data
    assert data["ended"] == {"by": "assistant", "at": "2026-11-01T10:05:00Z",
                             "reason": "persistent_abuse"}
    # Content blocks are kept exactly as the Messages API knows them.
    assert data["messages"][1]["content"][1] == {
        "type": "tool_use", "id": "toolu_01", "name": "issue_warning",
        "input": {"behavior": "repeated insults"},
    }


def test_unknown_keys_are_kept_at_top_level_in_messages_and_in_blocks() -> None:
    data = full_conversation().to_dict()
    data["pinned"] = True
    data["future"] = {"nested": [1, 2]}
    data["messages"][0]["reaction"] = "👍"
    data["messages"][1]["content"][0]["citations"] = [{"url": "https://example.org"}]
    again = Conversation.from_dict(copy.deepcopy(data)).to_dict()
    assert again["pinned"] is True
    assert again["future"] == {"nested": [1, 2]}
    assert again["messages"][0]["reaction"] == "👍"
    assert again["messages"][1]["content"][0]["citations"] == [{"url": "https://example.org"}]
    assert again == data


def test_a_schema_0_file_is_migrated_forward_in_memory() -> None:
    conv_id = new_conversation_id()
    old = {
        "id": conv_id,
        "model": "claude-opus-4-1",
        "updated": "2025-08-20T09:00:00Z",
        "messages": [
            {"role": "user", "content": "plain string content"},
            {"role": "assistant", "content": "and a plain reply", "model": "claude-opus-4-1"},
        ],
    }
    conversation = Conversation.from_dict(copy.deepcopy(old))
    assert conversation.read_only_reason is None
    assert conversation.status == "active" and conversation.ended is None
    assert conversation.warnings == [] and conversation.refused_ends == []
    assert conversation.created == "2025-08-20T09:00:00Z"
    assert [m.content for m in conversation.messages] == [
        [{"type": "text", "text": "plain string content"}],
        [{"type": "text", "text": "and a plain reply"}],
    ]
    assert conversation.display_title == "plain string content"
    assert conversation.to_dict()["schema"] == SCHEMA_VERSION


def test_a_schema_0_file_with_an_end_record_is_ended() -> None:
    old = {"id": new_conversation_id(), "model": "m", "messages": [],
           "ended": {"by": "user", "at": "2025-08-20T09:00:00Z", "reason": "user_requested"}}
    assert Conversation.from_dict(old).is_ended


def test_a_newer_schema_is_read_but_marked_read_only() -> None:
    data = full_conversation().to_dict()
    data["schema"] = SCHEMA_VERSION + 1
    conversation = Conversation.from_dict(data)
    assert conversation.read_only_reason
    assert "newer" in conversation.read_only_reason


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(schema="1"), "schema"),
        (lambda d: d.update(schema=True), "schema"),
        (lambda d: d.update(id="../../etc/passwd"), "id"),
        (lambda d: d.update(status="paused"), "status"),
        (lambda d: d.update(messages={}), "messages"),
        (lambda d: d.update(status="ended", ended=None), "end record"),
        (lambda d: d["messages"].append({"role": "system", "content": []}), "role"),
        (lambda d: d["messages"].append({"role": "user", "content": [{"text": "x"}]}),
         "content"),
        (lambda d: d["messages"].append({"role": "user", "content": [{"type": "text"}]}),
         "text block without text"),
        # The content's shape is said first, whichever block is wrong first.
        (lambda d: d["messages"].append({"role": "user", "content": [{"type": "text"}, 3]}),
         "not a list of content blocks"),
        (lambda d: d["messages"].append({"role": "user", "content": "hello"}),
         "not a list of content blocks"),
        (lambda d: d["messages"].append("hello"), "not an object"),
        (lambda d: d["messages"][-1].update(usage=[1]), "usage"),
        (lambda d: d["messages"][-1].update(model=5), "model is not text"),
        (lambda d: d["messages"][-1].update(stop_reason=5), "stop_reason is not text"),
        (lambda d: d["messages"][-1].update(replaced="yes"), "replaced"),
        (lambda d: d["warnings"].append({"at": "x"}), "behavior"),
    ],
)
def test_wrong_shapes_are_refused_with_a_reason(change, words: str) -> None:
    data = full_conversation().to_dict()
    change(data)
    with pytest.raises(ConversationFormatError, match=words):
        Conversation.from_dict(data)


def test_user_turns_count_only_typed_messages() -> None:
    conversation = full_conversation()
    # One typed message; the tool-result turn is a user message but not typed by the user.
    assert conversation.user_turns == 1
    assert conversation.usage_totals() == {"input_tokens": 12, "output_tokens": 34}


def test_ids_are_valid_unique_and_sort_in_the_order_they_were_made() -> None:
    ids = [new_conversation_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(is_valid_id(i) for i in ids)


@pytest.mark.parametrize(
    "bad",
    ["", "../x", "0" * 19, "0" * 21, "0" * 19 + "/", "0" * 19 + "\0", "0" * 19 + "I",
     "0" * 19 + "u", "0" * 19 + "A", "0" * 20 + "\n", 12345, None],
)
def test_anything_but_an_app_made_id_is_invalid(bad: object) -> None:
    assert not is_valid_id(bad)
