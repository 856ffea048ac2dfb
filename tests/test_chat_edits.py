"""Regenerate the last reply, edit and resend the last message, the conversation's own system
prompt: what the fake API receives, what the file keeps, across a restart, never once ended."""

from __future__ import annotations

import pytest

from claude_tui.config import Settings
from claude_tui.events import EarlierVersionsKept, MessageSaved, TurnStarted
from claude_tui.protocol import SYSTEM_SECTION
from claude_tui.storage.store import ConversationEndedError, ConversationStore
from tests.chat_support import MODEL, OTHER_MODEL, Confirm, Events, make_engine, on_disk
from tests.fake_api import reply, text, tool_use
from tests.test_chat_request import assert_valid


def sent_text(body: dict) -> list[tuple[str, str]]:
    """(role, text) of each message of a request, tool blocks left out."""
    return [(m["role"], "".join(b.get("text", "") for b in m["content"] if b["type"] == "text"))
            for m in body["messages"]]


async def test_regenerate_keeps_the_old_reply_and_never_sends_it(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("First answer.")), reply(text("Second answer.")),
                 reply(text("Fine.")))
    await engine.send(conversation, "Name a colour", on_event=Events(), confirm_end=Confirm())
    events = Events()

    await engine.regenerate(conversation, on_event=events, confirm_end=Confirm())

    assert sent_text(fake_api.requests[1]) == [("user", "Name a colour")]
    assert_valid(fake_api.requests[1]["messages"])
    assert events.names()[:2] == ["EarlierVersionsKept", "TurnStarted"]
    assert events.of(EarlierVersionsKept)[0].upto == 2
    saved = on_disk(engine, conversation)
    assert saved["schema"] == 2
    old, new = saved["messages"][1], saved["messages"][2]
    assert old["content"][0]["text"] == "First answer."
    assert old["excluded"] is True and old["replaced"]["by"] == "regenerate"
    assert new["content"][0]["text"] == "Second answer." and "replaced" not in new

    await engine.send(conversation, "Thanks", on_event=Events(), confirm_end=Confirm())
    assert sent_text(fake_api.requests[2]) == [
        ("user", "Name a colour"), ("assistant", "Second answer."), ("user", "Thanks")]
    assert_valid(fake_api.requests[2]["messages"])


async def test_regenerating_a_tool_turn_drops_its_calls_and_results_together(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Hmm."), tool_use("issue_warning", {"behavior": "insults"})),
                 reply(text("Please stop.")), reply(text("Let us start again.")),
                 reply(text("Sure.")))
    await engine.send(conversation, "you idiot", on_event=Events(), confirm_end=Confirm())
    assert len(conversation.messages) == 4  # user, tool_use, tool_result, text

    await engine.regenerate(conversation, on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "ok", on_event=Events(), confirm_end=Confirm())

    assert sent_text(fake_api.requests[2]) == [("user", "you idiot")]
    last = fake_api.requests[3]["messages"]
    assert_valid(last)
    assert "tool_use" not in str(last) and "tool_result" not in str(last)
    assert sent_text(fake_api.requests[3])[1] == ("assistant", "Let us start again.")
    assert [m.excluded for m in conversation.messages[1:4]] == [True, True, True]


async def test_edit_replaces_the_last_message_in_what_is_sent(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("A.")), reply(text("B.")), reply(text("B, better.")))
    await engine.send(conversation, "one", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "two", on_event=Events(), confirm_end=Confirm())
    events = Events()

    await engine.edit_last(conversation, "two, edited", on_event=events, confirm_end=Confirm())

    assert sent_text(fake_api.requests[2]) == [
        ("user", "one"), ("assistant", "A."), ("user", "two, edited")]
    assert_valid(fake_api.requests[2]["messages"])
    # The earlier versions are redrawn before the new message shows.
    assert [type(e) for e in events.items[:3]] == [EarlierVersionsKept, MessageSaved,
                                                   TurnStarted]
    messages = on_disk(engine, conversation)["messages"]
    assert [m["content"][0]["text"] for m in messages] == [
        "one", "A.", "two", "B.", "two, edited", "B, better."]
    assert [m.get("replaced", {}).get("by") for m in messages] == [
        None, None, "edit", "edit", None, None]
    assert conversation.user_turns == 3  # the edited message counts as writing again (E1)


async def test_editing_the_first_message_gives_the_title_of_the_edited_one(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("A.")), reply(text("B.")))
    await engine.send(conversation, "Trip to Lisbn", on_event=Events(), confirm_end=Confirm())
    await engine.edit_last(conversation, "Trip to Lisbon", on_event=Events(),
                           confirm_end=Confirm())
    assert conversation.display_title == "Trip to Lisbon"


async def test_after_a_restart_the_earlier_versions_stay_out_of_the_request(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("A.")), reply(text("A again.")), reply(text("B.")),
                 reply(text("C.")))
    await engine.send(conversation, "one", on_event=Events(), confirm_end=Confirm())
    await engine.regenerate(conversation, on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "two", on_event=Events(), confirm_end=Confirm())
    await engine.edit_last(conversation, "two!", on_event=Events(), confirm_end=Confirm())
    engine.store.close()

    again = make_engine(fake_api, data_dir)
    reloaded = again.store.load(conversation.id)
    assert [m.replaced is not None for m in reloaded.messages] == [
        False, True, False, True, True, False, False]
    fake_api.add(reply(text("D.")))
    await again.send(reloaded, "three", on_event=Events(), confirm_end=Confirm())

    assert sent_text(fake_api.requests[-1]) == [
        ("user", "one"), ("assistant", "A again."), ("user", "two!"), ("assistant", "C."),
        ("user", "three")]
    assert_valid(fake_api.requests[-1]["messages"])
    # A regenerate after the restart still leaves every earlier version out.
    await again.regenerate(reloaded, on_event=Events(), confirm_end=Confirm())
    assert sent_text(fake_api.requests[-1])[-1] == ("user", "three")
    assert_valid(fake_api.requests[-1]["messages"])


async def test_an_ended_conversation_offers_no_regenerate_edit_or_prompt(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Hi.")))
    await engine.send(conversation, "hello", on_event=Events(), confirm_end=Confirm())
    assert engine.can_regenerate(conversation) and engine.can_edit_last(conversation)
    assert await engine.end_by_user(conversation, on_event=Events(), confirm_end=Confirm())
    before = on_disk(engine, conversation)

    assert not engine.can_regenerate(conversation) and not engine.can_edit_last(conversation)
    await engine.regenerate(conversation, on_event=Events(), confirm_end=Confirm())
    with pytest.raises(ConversationEndedError):
        await engine.edit_last(conversation, "changed", on_event=Events(), confirm_end=Confirm())
    with pytest.raises(ConversationEndedError):
        await engine.set_system_prompt(conversation, "Be brief.")

    assert len(fake_api.requests) == 1
    assert on_disk(engine, conversation) == before
    assert not any(m.excluded for m in conversation.messages)
    assert conversation.system_prompt is None


async def test_a_refused_message_can_be_edited_but_not_regenerated(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Part"), stop_reason="refusal"), reply(text("Here you go.")))
    await engine.send(conversation, "something", on_event=Events(), confirm_end=Confirm())
    assert not engine.can_regenerate(conversation)  # E7: the refused turn stays out

    await engine.edit_last(conversation, "something else", on_event=Events(),
                           confirm_end=Confirm())
    assert sent_text(fake_api.requests[1]) == [("user", "something else")]


async def test_the_conversations_prompt_goes_beside_the_protocol_section(fake_api, data_dir):
    settings = Settings(path=data_dir / "c.toml", system_prompt="Answer like a pirate.")
    engine = make_engine(fake_api, data_dir, settings)
    conversation = engine.new_conversation(MODEL)
    other = engine.new_conversation(OTHER_MODEL)
    fake_api.add(*(reply(text("Ok.")) for _ in range(5)))
    await engine.send(conversation, "one", on_event=Events(), confirm_end=Confirm())
    # The config's prompt is the default of a new conversation.
    assert [b["text"] for b in fake_api.requests[0]["system"]] == [
        SYSTEM_SECTION, "Answer like a pirate."]

    await engine.set_system_prompt(conversation, "Answer in haiku.")
    await engine.send(conversation, "two", on_event=Events(), confirm_end=Confirm())
    system = fake_api.requests[1]["system"]
    assert system[0] == {"type": "text", "text": SYSTEM_SECTION}  # always there with the tools
    assert system[1] == {"type": "text", "text": "Answer in haiku.",
                         "cache_control": {"type": "ephemeral"}}
    assert [t["name"] for t in fake_api.requests[1]["tools"]] == [
        "issue_warning", "end_conversation"]
    assert on_disk(engine, conversation)["system_prompt"] == "Answer in haiku."

    await engine.set_system_prompt(conversation, "")  # none of its own, not the config's
    await engine.send(conversation, "three", on_event=Events(), confirm_end=Confirm())
    assert [b["text"] for b in fake_api.requests[2]["system"]] == [SYSTEM_SECTION]

    await engine.set_system_prompt(other, "Be brief.")  # a model without the tools
    await engine.send(other, "hi", on_event=Events(), confirm_end=Confirm())
    assert [b["text"] for b in fake_api.requests[3]["system"]] == ["Be brief."]
    assert "tools" not in fake_api.requests[3]

    # After a restart the conversation keeps its own prompt.
    engine.store.close()
    reloaded = ConversationStore(data_dir).load(other.id)
    assert reloaded.system_prompt == "Be brief."


async def test_a_branch_keeps_the_conversations_prompt(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Ok.")))
    await engine.send(conversation, "one", on_event=Events(), confirm_end=Confirm())
    await engine.set_system_prompt(conversation, "Answer in haiku.")
    branch, _text = await engine.branch(conversation, 0)
    assert branch.system_prompt == "Answer in haiku."
