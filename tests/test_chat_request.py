"""The request rebuilt from stored messages: whatever the history holds, the API accepts it."""

from __future__ import annotations

import itertools
from pathlib import Path

from claude_tui.config import Settings
from claude_tui.conversation import Conversation, Message, new_conversation_id
from claude_tui.request import NOT_RUN, build_request, request_messages


def user(*blocks, **flags) -> Message:
    return Message("user", [b if isinstance(b, dict) else {"type": "text", "text": b}
                            for b in blocks], **flags)


def assistant(*blocks, **flags) -> Message:
    return Message("assistant", [b if isinstance(b, dict) else {"type": "text", "text": b}
                                 for b in blocks], **flags)


def use(tool_id: str, tool_input=None) -> dict:
    return {"type": "tool_use", "id": tool_id, "name": "issue_warning",
            "input": {"behavior": "x"} if tool_input is None else tool_input}


def result(tool_id: str) -> dict:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": "ok"}


def assert_valid(messages: list[dict]) -> None:
    """The shape rules the Messages API enforces."""
    assert messages and messages[0]["role"] == "user" and messages[-1]["role"] == "user"
    for first, second in itertools.pairwise(messages):
        assert first["role"] != second["role"]
    for index, message in enumerate(messages):
        assert message["content"]
        for block in message["content"]:
            if block["type"] == "text":
                assert block["text"].strip()
            if block["type"] == "tool_use":
                assert isinstance(block["input"], dict)
        if message["role"] == "assistant":
            ids = [b["id"] for b in message["content"] if b["type"] == "tool_use"]
            following = messages[index + 1]["content"]
            assert [b["tool_use_id"] for b in following[: len(ids)]] == ids
            assert all(b["type"] != "tool_result" for b in following[len(ids):])
        elif index and any(b["type"] == "tool_result" for b in message["content"]):
            assert messages[index - 1]["role"] == "assistant"


def test_a_plain_history_is_sent_as_stored():
    stored = [user("a"), assistant("b"), user("c")]
    sent = request_messages(stored)
    assert sent == [{"role": m.role, "content": m.content} for m in stored]
    assert_valid(sent)
    sent[0]["content"][0]["cache_control"] = {"type": "ephemeral"}
    assert "cache_control" not in stored[0].content[0]  # the stored blocks are untouched


def test_excluded_messages_and_their_orphan_results_are_left_out():
    stored = [user("hi"), assistant(use("t1"), excluded=True), user(result("t1"), excluded=True),
              user(result("t1")), assistant("fine"), user("next")]
    sent = request_messages(stored)
    assert_valid(sent)
    assert sent[0]["content"] == [{"type": "text", "text": "hi"}]
    assert "t1" not in str(sent)


def test_dangling_tool_calls_get_error_results_in_place():
    stored = [user("hi"), assistant("calling", use("t1"), use("t2")), user("stop that"),
              assistant(use("t3"), interrupted=True)]
    sent = request_messages(stored)
    assert_valid(sent)
    fillers = [b for m in sent for b in m["content"] if b.get("is_error")]
    assert [b["tool_use_id"] for b in fillers] == ["t1", "t2", "t3"]
    assert all(b["content"] == NOT_RUN for b in fillers)
    assert sent[2]["content"][2] == {"type": "text", "text": "stop that"}


def test_empty_text_and_empty_messages_are_dropped_and_neighbours_merged():
    stored = [assistant("orphan reply"), user("one"), assistant("", interrupted=True),
              user("  "), user("two"), assistant("three"), assistant("four")]
    sent = request_messages(stored)
    assert sent == [{"role": "user", "content": [{"type": "text", "text": "one"},
                                                 {"type": "text", "text": "two"}]}]


def test_a_tool_call_with_a_non_object_input_is_sent_with_an_empty_object():
    stored = [user("hi"), assistant(use("t1", ["not", "an", "object"])), user(result("t1"))]
    sent = request_messages(stored)
    assert_valid(sent)
    assert sent[1]["content"][0]["input"] == {}
    assert stored[1].content[0]["input"] == ["not", "an", "object"]


def test_results_answered_in_a_different_order_are_put_in_call_order():
    stored = [user("hi"), assistant(use("a"), use("b")), user(result("b"), result("a"))]
    sent = request_messages(stored)
    assert_valid(sent)
    assert [b["tool_use_id"] for b in sent[2]["content"]] == ["a", "b"]


def _markers(value) -> list[str]:
    """Where cache_control appears in a request (paths like system.1, messages.2.0)."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            if "cache_control" in node:
                found.append(path)
            for key, child in node.items():
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}.{index}")

    walk(value, "")
    return found


def test_cache_breakpoints_sit_on_the_last_system_block_and_the_last_message_block_only():
    settings = Settings(path=Path("unused.toml"), system_prompt="Be brief.")
    conversation = Conversation(id=new_conversation_id(), model="claude-opus-5-5")
    # A marker left in a stored block (a hand-edited file) must not add a fifth breakpoint.
    stale = {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}
    conversation.messages = [user(stale), assistant(use("t1")), user(result("t1")),
                             assistant("b"), user(stale), assistant(use("t2")),
                             user(result("t2"))]
    request = build_request(conversation, settings)
    assert _markers({"system": request.system, "messages": request.messages,
                     "tools": request.tools}) == ["system.1", "messages.6.content.0"]
    assert request.messages[-1]["content"][0]["type"] == "tool_result"
    assert "cache_control" in stale  # the stored block is left as it was
