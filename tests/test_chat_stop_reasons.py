"""Stop reasons that are not the end of a turn's story: ``pause_turn`` is continued, and
``model_context_window_exceeded`` says the conversation is full."""

from __future__ import annotations

from claude_tui.events import ConversationFull, ReplyCutShort, TurnFailed, TurnFinished
from tests.chat_support import MODEL, Confirm, Events, make_engine, on_disk
from tests.fake_api import reply, text


async def test_a_paused_reply_is_sent_back_and_continued(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Looking that up."), stop_reason="pause_turn"),
                 reply(text("Found it: 42.")))
    events = Events()
    await engine.send(conversation, "What is the answer?", on_event=events,
                      confirm_end=Confirm())
    assert len(fake_api.requests) == 2
    again = fake_api.requests[1]["messages"]
    # as the API documents: the paused content goes back as the last (assistant) message
    assert again[-1] == {"role": "assistant",
                         "content": [{"type": "text", "text": "Looking that up."}]}
    assert again[-2]["content"][0]["text"] == "What is the answer?"
    assert events.of(TurnFinished)[-1].stop_reason == "end_turn"
    assert not events.of(TurnFailed)
    saved = on_disk(engine, conversation)["messages"]
    assert [(m["role"], m.get("stop_reason")) for m in saved] == [
        ("user", None), ("assistant", "pause_turn"), ("assistant", "end_turn")]

    # the next turn sends the whole reply as one assistant message, and the API accepts it
    fake_api.add(reply(text("You're welcome.")))
    await engine.send(conversation, "Thanks", on_event=Events(), confirm_end=Confirm())
    third = fake_api.requests[2]["messages"]
    assert [m["role"] for m in third] == ["user", "assistant", "user"]
    assert [b["text"] for b in third[1]["content"]] == ["Looking that up.", "Found it: 42."]


async def test_a_reply_paused_again_and_again_is_continued_only_so_often(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    engine.max_pauses = 2
    conversation = engine.new_conversation(MODEL)
    fake_api.add(*[reply(text(f"Step {n}."), stop_reason="pause_turn") for n in range(5)])
    events = Events()
    await engine.send(conversation, "Go", on_event=events, confirm_end=Confirm())
    assert len(fake_api.requests) == 3
    # each continuation carries every paused piece so far, in order
    assert [b["text"] for b in fake_api.requests[2]["messages"][-1]["content"]] == [
        "Step 0.", "Step 1."]
    failed = events.of(TurnFailed)
    assert len(failed) == 1 and "paused 2 times" in failed[0].message
    assert not failed[0].retryable
    assert fake_api.pending == 2


async def test_a_full_context_window_says_the_conversation_is_full(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("The begin"), stop_reason="model_context_window_exceeded"))
    events = Events()
    await engine.send(conversation, "Summarise it all", on_event=events, confirm_end=Confirm())
    assert events.of(ConversationFull) == [ConversationFull(conversation.id)]
    assert events.of(ReplyCutShort) == []
    assert events.names().index("ConversationFull") < events.names().index("TurnFinished")
    assert conversation.messages[-1].stop_reason == "model_context_window_exceeded"
    assert conversation.messages[-1].text == "The begin"
    assert len(fake_api.requests) == 1
