"""The chat engine's turn: saving, the request it builds, streaming, usage, retry, branch."""

from __future__ import annotations

import asyncio
import threading

import pytest

from claude_tui.config import DEMO_MODEL, Settings
from claude_tui.events import (
    MessageSaved,
    ReplyCutShort,
    TextDelta,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    UsageUpdated,
)
from claude_tui.protocol import SYSTEM_SECTION
from claude_tui.storage.store import ConversationStore
from tests.chat_support import MODEL, OTHER_MODEL, Confirm, Events, make_engine, on_disk
from tests.fake_api import error, reply, text, tool_use


async def test_a_reply_streams_and_is_saved_with_usage(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    usage = {"input_tokens": 120, "output_tokens": 33, "cache_read_input_tokens": 900,
             "cache_creation_input_tokens": 40}
    fake_api.add(reply(text("Hello! How can I help you today?"), usage=usage))
    events = Events()

    await engine.send(conversation, "Hi there", on_event=events, confirm_end=Confirm())

    streamed = "".join(e.text for e in events.of(TextDelta))
    assert streamed == "Hello! How can I help you today?"
    assert len(events.of(TextDelta)) > 1  # it really streamed in pieces
    assert events.names()[0] == "MessageSaved" and events.names()[1] == "TurnStarted"
    assert events.items[-1] == TurnFinished(conversation.id, "end_turn")
    assert events.of(UsageUpdated)[0].usage == usage
    saved = on_disk(engine, conversation)["messages"]
    assert [m["role"] for m in saved] == ["user", "assistant"]
    assert saved[0]["content"] == [{"type": "text", "text": "Hi there"}]
    assert saved[1]["content"] == [{"type": "text", "text": "Hello! How can I help you today?"}]
    assert saved[1]["usage"] == usage
    assert saved[1]["model"] == MODEL and saved[1]["stop_reason"] == "end_turn"
    # A fresh store reads the same conversation back.
    again = ConversationStore(data_dir).load(conversation.id)
    assert again.messages[1].usage == usage


async def test_request_has_protocol_section_user_prompt_tools_and_cache_markers(
        fake_api, data_dir):
    settings = Settings(path=data_dir / "c.toml", system_prompt="Answer like a pirate.",
                        max_tokens=777)
    engine = make_engine(fake_api, data_dir, settings)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Arr.")), reply(text("Aye.")))
    await engine.send(conversation, "one", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "two", on_event=Events(), confirm_end=Confirm())

    body = fake_api.requests[1]
    assert body["model"] == MODEL and body["max_tokens"] == 777
    assert body["system"][0]["text"] == SYSTEM_SECTION
    assert body["system"][1] == {"type": "text", "text": "Answer like a pirate.",
                                 "cache_control": {"type": "ephemeral"}}
    assert "cache_control" not in body["system"][0]
    assert [t["name"] for t in body["tools"]] == ["issue_warning", "end_conversation"]
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "one"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Arr."}]},
        {"role": "user", "content": [{"type": "text", "text": "two",
                                      "cache_control": {"type": "ephemeral"}}]},
    ]
    # The marker is only in the request: the stored message stays as it was typed.
    assert "cache_control" not in str(on_disk(engine, conversation))
    assert fake_api.headers[0]["authorization"] == "Bearer test-key"


async def test_a_model_outside_the_patterns_gets_no_tools_and_no_protocol_section(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(OTHER_MODEL)
    fake_api.add(reply(text("Hi.")))
    await engine.send(conversation, "hello", on_event=Events(), confirm_end=Confirm())
    body = fake_api.requests[0]
    assert "tools" not in body
    assert "system" not in body  # no protocol section and no user prompt


async def test_enabled_false_turns_the_tools_off_even_for_matching_models(fake_api, data_dir):
    settings = Settings(path=data_dir / "c.toml")
    settings.end_conversation.enabled = False
    engine = make_engine(fake_api, data_dir, settings)
    for model in (MODEL, DEMO_MODEL):
        conversation = engine.new_conversation(model)
        fake_api.add(reply(text("Hi.")))
        await engine.send(conversation, "hello", on_event=Events(), confirm_end=Confirm())
    assert all("tools" not in body for body in fake_api.requests)


async def test_the_demo_model_always_gets_the_tools(fake_api, data_dir):
    settings = Settings(path=data_dir / "c.toml")
    settings.end_conversation.models = ["nothing-matches-*"]
    engine = make_engine(fake_api, data_dir, settings)
    conversation = engine.new_conversation(DEMO_MODEL)
    fake_api.add(reply(text("Hi.")))
    await engine.send(conversation, "hello", on_event=Events(), confirm_end=Confirm())
    assert [t["name"] for t in fake_api.requests[0]["tools"]] == [
        "issue_warning", "end_conversation"]


async def test_user_message_is_on_disk_before_the_request_fails(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    on_disk_when_asked = []

    def answer(body):  # runs in the server when the request arrives
        on_disk_when_asked.append(on_disk(engine, conversation)["messages"])
        return error(500, message="boom")

    fake_api.add(answer)
    events = Events()
    await engine.send(conversation, "please keep me", on_event=events, confirm_end=Confirm())
    assert on_disk_when_asked[0][0]["content"] == [{"type": "text", "text": "please keep me"}]

    failed = events.of(TurnFailed)
    assert len(failed) == 1 and "500" in failed[0].message and failed[0].retryable
    assert events.items[-1] == TurnFinished(conversation.id, None)
    saved = on_disk(engine, conversation)["messages"]
    # The message as sent, and why it got no reply: the tab says it again after a restart.
    assert saved == [{"role": "user", "content": [{"type": "text", "text": "please keep me"}],
                      "at": saved[0]["at"],
                      "no_reply": {"at": saved[0]["no_reply"]["at"], "reason": failed[0].message}}]
    assert engine.can_retry(conversation)

    fake_api.add(reply(text("Here I am.")))
    await engine.retry(conversation, on_event=events, confirm_end=Confirm())
    assert [m.text for m in conversation.messages] == ["please keep me", "Here I am."]
    assert fake_api.requests[1]["messages"] == fake_api.requests[0]["messages"]  # never sent
    assert not engine.can_retry(conversation)
    assert "no_reply" not in on_disk(engine, conversation)["messages"][0]


async def test_no_api_key_fails_the_turn_with_a_clear_message(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    engine.providers.claude = None
    conversation = engine.new_conversation(MODEL)
    events = Events()
    await engine.send(conversation, "hello", on_event=events, confirm_end=Confirm())
    assert "ANTHROPIC_API_KEY" in events.of(TurnFailed)[0].message
    assert fake_api.requests == []
    assert conversation.messages[0].text == "hello"


@pytest.mark.parametrize("stop", ["max_tokens"])
async def test_max_tokens_says_the_reply_was_cut_short(fake_api, data_dir, stop):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("A very long ans"), stop_reason=stop))
    events = Events()
    await engine.send(conversation, "Tell me everything", on_event=events, confirm_end=Confirm())
    assert events.of(ReplyCutShort) == [ReplyCutShort(conversation.id)]
    assert conversation.messages[-1].stop_reason == stop
    assert conversation.messages[-1].text == "A very long ans"


async def test_a_broken_event_handler_does_not_lose_the_reply(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Still saved.")))

    def broken(event):
        raise RuntimeError("display bug")

    await engine.send(conversation, "hi", on_event=broken, confirm_end=Confirm())
    assert on_disk(engine, conversation)["messages"][1]["content"][0]["text"] == "Still saved."


async def test_consecutive_user_messages_are_merged_into_one_turn(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(error(400, message="first fails"), reply(text("Both read.")))
    await engine.send(conversation, "first", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "second", on_event=Events(), confirm_end=Confirm())
    assert fake_api.requests[1]["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "first"},
                                     {"type": "text", "text": "second",
                                      "cache_control": {"type": "ephemeral"}}]}]


async def test_branch_copies_earlier_messages_into_a_new_conversation(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": "shouting"})), reply(text("ok")),
                 reply(text("second answer")))
    await engine.send(conversation, "first", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "second", on_event=Events(), confirm_end=Confirm())
    index = next(i for i, m in enumerate(conversation.messages) if m.text == "second")

    branched, composer_text = await engine.branch(conversation, index)

    assert composer_text == "second"
    assert branched.id != conversation.id
    assert [m.to_dict() for m in branched.messages] == [
        m.to_dict() for m in conversation.messages[:index]]
    assert [w.behavior for w in branched.warnings] == ["shouting"]
    assert ConversationStore(data_dir).load(branched.id).messages[0].text == "first"
    assert len(conversation.messages) == index + 2  # the source is unchanged
    with pytest.raises(ValueError):
        await engine.branch(conversation, index + 1)  # an assistant message


async def test_branch_leaves_out_warnings_given_at_or_after_the_chosen_message(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("fine")), reply(tool_use("issue_warning", {"behavior": "threats"})),
                 reply(text("warned")))
    await engine.send(conversation, "first", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "second", on_event=Events(), confirm_end=Confirm())
    index = next(i for i, m in enumerate(conversation.messages) if m.text == "second")
    branched, _ = await engine.branch(conversation, index)
    assert branched.warnings == []
    assert len(conversation.warnings) == 1


async def test_a_branch_is_titled_as_one_and_never_repeats_a_title(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    source = engine.new_conversation(MODEL)  # untitled: shown by its first message
    fake_api.add(reply(text("one")), reply(text("two")))
    await engine.send(source, "Plan a trip", on_event=Events(), confirm_end=Confirm())
    await engine.send(source, "and back", on_event=Events(), confirm_end=Confirm())
    index = next(i for i, m in enumerate(source.messages) if m.text == "and back")

    first, _ = await engine.branch(source, index)
    second, _ = await engine.branch(source, index)
    of_a_branch, _ = await engine.branch(first, 0)  # from its first message
    assert [first.title, second.title, of_a_branch.title] == [
        "Plan a trip (branch)", "Plan a trip (branch 2)", "Plan a trip (branch 3)"]
    assert source.title == "" and source.display_title == "Plan a trip"  # left as it was
    # What the picker lists: every title once.
    titles = [s.title for s in ConversationStore(data_dir).list()]
    assert sorted(titles) == sorted(["Plan a trip", "Plan a trip (branch)",
                                     "Plan a trip (branch 2)", "Plan a trip (branch 3)"])

    source.title = "Lisbon"  # renamed by the user: the branch takes that name
    await engine.store.asave(source)
    renamed_branch, _ = await engine.branch(source, index)
    assert renamed_branch.title == "Lisbon (branch)"
    assert source.title == "Lisbon" and first.title == "Plan a trip (branch)"
    assert [m.to_dict() for m in renamed_branch.messages] == [
        m.to_dict() for m in source.messages[:index]]  # what is copied is as before


async def test_new_conversation_is_saved_at_once(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    engine.store.writer.flush()  # written by the store's writer thread, not the caller
    assert on_disk(engine, conversation)["model"] == MODEL
    assert [s.id for s in engine.store.list()] == [conversation.id]


async def test_events_name_the_conversation(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Hi.")))
    events = Events()
    await engine.send(conversation, "hello", on_event=events, confirm_end=Confirm())
    assert {e.conversation_id for e in events.items} == {conversation.id}
    assert len(events.of(TurnStarted)) == 1 and len(events.of(MessageSaved)) == 2


async def test_a_second_send_while_a_reply_streams_is_refused_and_not_saved(fake_api, data_dir):

    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    gate = threading.Event()
    fake_api.add(reply(text("First reply"), hold=gate))
    started = asyncio.Event()
    events = Events()

    def on_event(event):
        events(event)
        if isinstance(event, TextDelta):
            started.set()

    task = asyncio.create_task(
        engine.send(conversation, "one", on_event=on_event, confirm_end=Confirm()))
    await started.wait()
    assert engine.is_running(conversation)
    second = Events()
    await engine.send(conversation, "two", on_event=second, confirm_end=Confirm())
    assert "still on its way" in second.of(TurnFailed)[0].message
    gate.set()
    await task
    assert not engine.is_running(conversation)
    assert [m.text for m in conversation.messages] == ["one", "First reply"]
    assert len(fake_api.requests) == 1


async def test_a_message_that_cannot_be_saved_is_not_sent(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    engine.store.writer.flush()
    conversation.read_only_reason = "written by a newer version"
    events = Events()
    await engine.send(conversation, "hello", on_event=events, confirm_end=Confirm())
    assert "not sent" in events.of(TurnFailed)[0].message
    assert events.of(MessageSaved) == [] and fake_api.requests == []
    assert on_disk(engine, conversation)["messages"] == []
