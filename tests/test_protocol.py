"""The end-conversation rules as pure functions (E1, E2, E6, E8, tool schemas, patterns)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_tui import protocol
from claude_tui.config import DEMO_MODEL, Settings
from claude_tui.conversation import Conversation, IssuedWarning, Message, new_conversation_id


def settings(**end) -> Settings:
    result = Settings(path=Path("unused.toml"))
    for key, value in end.items():
        setattr(result.end_conversation, key, value)
    return result


def conversation_with(user_messages: int, warning_turns: list[int]) -> Conversation:
    conversation = Conversation(id=new_conversation_id(), model="claude-opus-5-5")
    for number in range(user_messages):
        conversation.messages.append(Message("user", [{"type": "text", "text": f"m{number}"}]))
        conversation.messages.append(Message("assistant", [{"type": "text", "text": "r"}]))
    # A tool-result turn is not a message the user typed.
    conversation.messages.append(Message("user", [{"type": "tool_result", "tool_use_id": "t",
                                                   "content": "x"}]))
    conversation.warnings = [IssuedWarning("abuse", "", turn) for turn in warning_turns]
    return conversation


@pytest.mark.parametrize(("users", "warnings", "minimum", "action"), [
    (1, [], 1, "refuse"),          # no warning at all
    (2, [2], 1, "refuse"),         # warned in this very turn: the user has not written since
    (2, [1], 1, "end"),            # warned last turn, the user went on
    (5, [1, 4], 1, "end"),
    (5, [1, 5], 1, "refuse"),      # the latest warning is from this turn
    (3, [2], 2, "refuse"),         # one warning where two are needed
    (4, [1, 3], 2, "end"),
    (1, [], 0, "end"),             # min_warnings = 0 turns the wait off
])
def test_e1_persistent_abuse_decision(users, warnings, minimum, action):
    conversation = conversation_with(users, warnings)
    decision = protocol.decide_end(conversation, "persistent_abuse", minimum)
    assert decision.action == action
    if action == "refuse":
        assert decision.why.startswith("Refused") and "persistent_abuse" in decision.why


def test_e2_user_requested_always_asks_for_confirmation():
    for warnings in ([], [1]):
        decision = protocol.decide_end(conversation_with(2, warnings), "user_requested", 1)
        assert decision.action == "confirm"


def test_refusals_are_recorded_with_the_turn():
    conversation = conversation_with(3, [])
    refused = protocol.record_refusal(conversation, "persistent_abuse", "no warning")
    assert conversation.refused_ends == [refused]
    assert refused.turn == 3 and refused.why == "no warning"
    assert Conversation.from_dict(conversation.to_dict()).refused_ends[0].why == "no warning"


@pytest.mark.parametrize("value", [None, "x", 3, [], {}, {"reason": None},
                                   {"reason": "USER_REQUESTED"}, {"reason": "bored"},
                                   {"reason": "user_requested", "extra": 1}])
def test_e6_parse_end_rejects_bad_input(value):
    with pytest.raises(protocol.InvalidToolInput):
        protocol.parse_end(value)


def test_parse_end_accepts_the_two_reasons():
    assert protocol.parse_end({"reason": "user_requested"}) == "user_requested"
    assert protocol.parse_end({"reason": "persistent_abuse"}) == "persistent_abuse"


@pytest.mark.parametrize("value", [None, "spam", {}, {"behavior": None}, {"behavior": 1},
                                   {"behavior": "   "}, {"behavior": "x" * 501},
                                   {"behavior": "spam", "severity": "high"}])
def test_e6_parse_warning_rejects_bad_input(value):
    with pytest.raises(protocol.InvalidToolInput) as info:
        protocol.parse_warning(value)
    assert "issue_warning" in str(info.value)


def test_parse_warning_keeps_the_behavior_exactly():
    behavior = "  Threats [bold]against[/] others \x1b]0;x\x07 " + "é" * 400
    assert protocol.parse_warning({"behavior": behavior}) == behavior
    assert protocol.parse_warning({"behavior": "x" * 500}) == "x" * 500


def test_tool_schemas_match_the_design():
    warn, end = protocol.tool_schemas()
    assert warn["name"] == "issue_warning" and end["name"] == "end_conversation"
    behavior = warn["input_schema"]["properties"]["behavior"]
    assert behavior["type"] == "string" and behavior["minLength"] == 1
    assert behavior["maxLength"] == 500
    assert warn["input_schema"]["required"] == ["behavior"]
    assert end["input_schema"]["properties"]["reason"]["enum"] == [
        "user_requested", "persistent_abuse"]
    assert end["input_schema"]["required"] == ["reason"]
    for tool in (warn, end):
        assert tool["input_schema"]["type"] == "object" and tool["description"]


@pytest.mark.parametrize(("model", "patterns", "enabled", "expected"), [
    ("claude-opus-5-5", ["claude-opus-*"], True, True),
    ("claude-opus-4-1-20250805", ["claude-opus-*"], True, True),
    ("claude-sonnet-5-5", ["claude-opus-*"], True, False),
    ("claude-sonnet-5-5", ["claude-opus-*", "claude-sonnet-?-?"], True, True),
    ("Claude-Opus-5-5", ["claude-opus-*"], True, False),  # model ids are case-sensitive
    ("claude-opus-5-5", ["claude-opus-*"], False, False),
    (DEMO_MODEL, [], True, True),
    (DEMO_MODEL, ["claude-opus-*"], False, False),
])
def test_tools_enabled(model, patterns, enabled, expected):
    assert protocol.tools_enabled(model, settings(models=patterns, enabled=enabled)) is expected


def test_e8_system_prompt_section_covers_the_rules():
    section = protocol.SYSTEM_SECTION.lower()
    for words in ("redirect", "issue_warning", "name the specific behaviour",
                  "may be ended", "persistent_abuse", "only after such a warning",
                  "harming themselves or others", "supportive", "user_requested",
                  "confirm", "write nothing after", "when in doubt", "permanent",
                  "new one"):
        assert words in section, words


def test_system_blocks_keep_the_users_prompt_beside_the_section():
    own = settings()
    own.system_prompt = "Be brief."
    assert [b["text"] for b in protocol.system_blocks("claude-opus-5-5", own)] == [
        protocol.SYSTEM_SECTION, "Be brief."]
    assert [b["text"] for b in protocol.system_blocks("claude-haiku-5-5", own)] == ["Be brief."]
    assert protocol.system_blocks("claude-haiku-5-5", settings()) == []


@pytest.mark.parametrize("earlier", [[], [1]])
def test_e1_a_same_turn_refusal_tells_the_model_to_wait_not_to_warn_again(earlier):
    decision = protocol.decide_end(conversation_with(2, [*earlier, 2]), "persistent_abuse", 1)
    assert decision.action == "refuse"
    assert "not written since" in decision.why and "warn first" not in decision.why
