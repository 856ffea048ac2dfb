"""Extended thinking through the engine, the real SDK and the fake API: what each request asks,
what the file keeps, and that every later request replays the thinking exactly as received."""

from __future__ import annotations

import copy

import pytest

from claude_tui import thinking
from claude_tui.config import Settings, load_settings
from claude_tui.conversation import Message
from claude_tui.events import ThinkingDelta, TurnFailed, WarningIssued
from claude_tui.models import THINKING, thinking_support
from claude_tui.request import build_request
from claude_tui.storage.store import ConversationStore
from tests.chat_support import Confirm, Events, make_engine, on_disk
from tests.fake_api import problems_in, redacted_thinking, reply, text, tool_use
from tests.fake_api import thinking as thought
from tests.test_chat_request import assert_valid

PRESERVED = "claude-opus-5-5"  # thinking bound to the history; adaptive only
OLDER = "claude-opus-4-8"  # adaptive, thinks only when asked, not bound
BUDGET_ONLY = "claude-haiku-4-5"


def thinking_on(data_dir, **values) -> Settings:
    return Settings(path=data_dir.parent / "config.toml", thinking=True, **values)


def blocks_of(body: dict, role: str = "assistant") -> list[dict]:
    return [b for m in body["messages"] if m["role"] == role for b in m["content"]]


async def test_thinking_streams_is_kept_and_is_replayed_byte_for_byte(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    conversation = engine.new_conversation(PRESERVED)
    fake_api.add(reply(thought("The user wants a colour. Blue is a safe answer."),
                       text("Blue.")),
                 reply(redacted_thinking("hidden"), thought("Green follows blue."),
                       text("Green.")),
                 reply(text("Bye.")))
    events = Events()
    await engine.send(conversation, "Name a colour", on_event=events, confirm_end=Confirm())

    first = fake_api.requests[0]
    assert first["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert "".join(e.text for e in events.of(ThinkingDelta)) == (
        "The user wants a colour. Blue is a safe answer.")
    stored = on_disk(engine, conversation)["messages"][1]["content"]
    assert [b["type"] for b in stored] == ["thinking", "text"]
    assert stored[0]["thinking"].startswith("The user wants") and stored[0]["signature"]

    await engine.send(conversation, "Another", on_event=Events(), confirm_end=Confirm())
    assert blocks_of(fake_api.requests[1])[0] == stored[0]  # unchanged, signature and all
    # A restart: a new store reads the file, and the request is the same.
    again = ConversationStore(data_dir).load(conversation.id)
    saved = on_disk(engine, conversation)["messages"]
    await make_engine(fake_api, data_dir, thinking_on(data_dir)).send(
        again, "Thanks", on_event=Events(), confirm_end=Confirm())
    replayed = blocks_of(fake_api.requests[2])
    assert replayed[:2] == saved[1]["content"]
    assert [b["type"] for b in replayed[2:5]] == ["redacted_thinking", "thinking", "text"]
    assert replayed[2:5] == saved[3]["content"]
    assert len(fake_api.requests) == 3  # the fake API checked every signature and accepted


async def test_a_changed_thinking_block_is_refused_as_the_api_would(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    conversation = engine.new_conversation(OLDER)
    fake_api.add(reply(thought("Careful reasoning."), text("Answer.")))
    await engine.send(conversation, "Q", on_event=Events(), confirm_end=Confirm())
    body = copy.deepcopy(fake_api.requests[0])
    body["messages"] += [{"role": "assistant", "content": conversation.messages[1].content},
                         {"role": "user", "content": [{"type": "text", "text": "next"}]}]
    assert problems_in(body) is None
    body["messages"][1]["content"][0]["thinking"] = "Careless reasoning."
    assert "Invalid `signature`" in problems_in(body)


async def test_the_tool_loop_sends_the_thinking_back_first_in_its_turn(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    conversation = engine.new_conversation(PRESERVED)
    fake_api.add(reply(thought("They insulted me twice; a warning fits."),
                       tool_use("issue_warning", {"behavior": "insults"})),
                 reply(thought("Now carry on calmly."), text("Let us keep it civil.")),
                 reply(thought("They ask to end; confirm."),
                       tool_use("end_conversation", {"reason": "user_requested"})))
    events = Events()
    await engine.send(conversation, "you idiot", on_event=events, confirm_end=Confirm())

    assert [e.behavior for e in events.of(WarningIssued)] == ["insults"]
    continuation = fake_api.requests[1]
    turn = continuation["messages"][-2]
    assert [b["type"] for b in turn["content"]] == ["thinking", "tool_use"]
    assert continuation["messages"][-1]["content"][0]["type"] == "tool_result"
    assert_valid(continuation["messages"])
    await engine.send(conversation, "please end this conversation", on_event=Events(),
                      confirm_end=Confirm())
    assert conversation.is_ended
    assert not [e for e in events.of(TurnFailed)]


async def test_thinking_turned_on_in_a_tool_loop_waits_for_the_next_turn(fake_api, data_dir):
    settings = Settings(path=data_dir.parent / "config.toml")
    engine = make_engine(fake_api, data_dir, settings)
    conversation = engine.new_conversation(OLDER)
    turned_on = []

    def continuation(body: dict):
        turned_on.append(body.get("thinking"))
        return reply(thought("Thinking again."), text("Carrying on."))

    def warn(body: dict):
        # The user turns thinking on while the reply's tool call runs.
        thinking.set_choice(conversation, True)
        return reply(tool_use("issue_warning", {"behavior": "insults"}))

    engine.settings.end_conversation.models = ["claude-*"]
    fake_api.add(warn, continuation, reply(thought("Now it thinks."), text("Fine.")))
    events = Events()
    await engine.send(conversation, "you idiot", on_event=events, confirm_end=Confirm())
    assert not events.of(TurnFailed)
    assert turned_on == [None]  # the continuation went without thinking: the API accepts it
    await engine.send(conversation, "ok", on_event=Events(), confirm_end=Confirm())
    assert fake_api.requests[2]["thinking"]["type"] == "adaptive"


async def test_thinking_cut_off_before_its_signature_is_kept_but_never_sent(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    conversation = engine.new_conversation(OLDER)
    # message_start, ping, the block's start, two thinking pieces of 12 characters: then the
    # connection drops, before the signature.
    fake_api.add(reply(thought("Half a thought that never ends"), text("never"),
                       fault="cut", fault_after=5),
                 reply(thought("A whole thought."), text("Answer.")))
    events = Events()
    await engine.send(conversation, "Q", on_event=events, confirm_end=Confirm())
    assert events.of(TurnFailed)
    kept = on_disk(engine, conversation)["messages"][1]
    assert kept["interrupted"] is True
    assert kept["content"][0]["type"] == "thinking" and not kept["content"][0].get("signature")
    assert kept["content"][0]["thinking"] == "Half a thought that neve"

    await engine.retry(conversation, on_event=Events(), confirm_end=Confirm())
    sent = blocks_of(fake_api.requests[1])
    assert not [b for b in sent if b["type"] == "thinking"]
    await engine.send(conversation, "more", on_event=Events(), confirm_end=Confirm())
    sent = blocks_of(fake_api.requests[2])
    assert [b["type"] for b in sent] == ["thinking", "text"]
    assert all(b.get("signature") for b in sent if b["type"] == "thinking")


async def test_an_unsigned_block_in_an_answered_reply_is_left_out(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    conversation = engine.new_conversation(OLDER)
    conversation.messages += [
        Message("user", [{"type": "text", "text": "Q"}]),
        Message("assistant", [{"type": "thinking", "thinking": "unsigned"},
                              {"type": "text", "text": "partial"}], interrupted=True),
    ]
    fake_api.add(reply(text("ok")))
    await engine.send(conversation, "next", on_event=Events(), confirm_end=Confirm())
    assert [b["type"] for b in blocks_of(fake_api.requests[0])] == ["text"]


async def test_a_budget_stays_below_max_tokens_on_a_budget_model(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir, max_tokens=4000,
                                                          thinking_budget=16000))
    conversation = engine.new_conversation(BUDGET_ONLY)
    fake_api.add(reply(thought("Short."), text("Done.")))
    await engine.send(conversation, "Q", on_event=Events(), confirm_end=Confirm())
    body = fake_api.requests[0]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 3999}
    assert body["max_tokens"] == 4000
    assert len(fake_api.requests) == 1 and conversation.messages[-1].text == "Done."


def test_requests_follow_the_model_table(data_dir):
    settings = thinking_on(data_dir, thinking_effort="high", max_tokens=1000)
    for model, support in THINKING.items():
        conversation = ConversationStore(data_dir).create(model)
        conversation.messages.append(Message("user", [{"type": "text", "text": "hi"}]))
        request = build_request(conversation, settings)
        body = {"model": model, "max_tokens": request.max_tokens,
                "messages": request.messages, "thinking": request.thinking}
        assert problems_in(body) is None, model
        if support.adaptive:
            assert request.thinking == {"type": "adaptive", "display": "summarized"}
        else:
            assert request.thinking["budget_tokens"] < request.max_tokens
        assert (request.output_config is not None) == ("high" in support.efforts)
        thinking.set_choice(conversation, False)
        off = build_request(conversation, settings).thinking
        if support.default_on and support.can_disable:
            assert off == {"type": "disabled"}
        else:
            assert off is None, model  # never "disabled" where the API refuses it
    assert thinking_support("claude-opus-5-5-20260922") is THINKING["claude-opus-5-5"]


async def test_preserved_thinking_refuses_a_new_system_prompt(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    bound = engine.new_conversation(PRESERVED)
    free = engine.new_conversation(OLDER)
    fake_api.add(*[reply(thought("Hm."), text("A.")) for _ in range(3)])
    for conversation in (bound, free):
        await engine.send(conversation, "Q", on_event=Events(), confirm_end=Confirm())

    with pytest.raises(thinking.HistoryBound, match="Branch"):
        await engine.set_system_prompt(bound, "Be terse.")
    assert bound.system_prompt is None
    await engine.set_system_prompt(free, "Be terse.")  # not bound: the API takes it
    # Why: the fake API, like the real one, refuses the bound history under a new prompt.
    bound.system_prompt = "Be terse."
    events = Events()
    await engine.send(bound, "Q2", on_event=events, confirm_end=Confirm())
    assert "Invalid `signature`" in events.of(TurnFailed)[0].message


async def test_edit_and_regenerate_keep_the_earlier_thinking_valid(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, thinking_on(data_dir))
    conversation = engine.new_conversation(PRESERVED)
    fake_api.add(*[reply(thought(f"Thought {n}."), text(f"Answer {n}.")) for n in range(4)])
    await engine.send(conversation, "one", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "two", on_event=Events(), confirm_end=Confirm())
    await engine.regenerate(conversation, on_event=Events(), confirm_end=Confirm())
    await engine.edit_last(conversation, "two, edited", on_event=Events(),
                           confirm_end=Confirm())
    assert len(fake_api.requests) == 4  # each accepted: the thinking before is unchanged
    assert conversation.messages[-1].text == "Answer 3."


async def test_the_choice_per_conversation_is_kept_in_its_file(fake_api, data_dir, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('thinking = true\nthinking_effort = "low"\n', "utf-8")
    settings = load_settings(config)
    assert settings.thinking is True and settings.thinking_effort == "low"
    engine = make_engine(fake_api, data_dir, settings)
    conversation = engine.new_conversation(OLDER)
    await engine.set_thinking(conversation, False)
    assert on_disk(engine, conversation)["thinking"] == "off"
    again = ConversationStore(data_dir).load(conversation.id)
    assert thinking.choice(again) is False and not thinking.is_on(again, settings)
    await engine.set_thinking(again, None)
    assert "thinking" not in on_disk(engine, again)
    assert thinking.is_on(ConversationStore(data_dir).load(conversation.id), settings)


async def test_the_demo_models_thinking_binds_nothing(data_dir):
    from claude_tui.config import DEMO_MODEL

    conversation = ConversationStore(data_dir).create(DEMO_MODEL)
    conversation.messages += [
        Message("user", [{"type": "text", "text": "hi"}]),
        Message("assistant", [{"type": "thinking", "thinking": "t", "signature": "s"},
                              {"type": "text", "text": "hello"}], model=DEMO_MODEL)]
    assert not thinking.bound_to_history(conversation)
    conversation.model = conversation.messages[1].model = PRESERVED
    assert thinking.bound_to_history(conversation)
