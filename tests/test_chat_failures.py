"""Cancelled, broken and failed turns: nothing typed is lost, nothing raises, retry works."""

from __future__ import annotations

import asyncio
import threading

import pytest

from claude_tui.events import TurnFailed, TurnFinished
from claude_tui.providers.base import BROKE_OFF
from claude_tui.storage import store as store_module
from tests.chat_support import MODEL, Confirm, Events, FirstText, make_engine, on_disk
from tests.fake_api import closed_port_url, error, reply, stream_error, text, tool_use


async def send_then_cancel(engine, conversation, message: str) -> FirstText:
    """Send ``message``, and cancel the turn as soon as the first text of the reply arrives."""
    events = FirstText()
    task = asyncio.create_task(
        engine.send(conversation, message, on_event=events, confirm_end=Confirm()))
    await events.arrived.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return events


async def test_cancel_keeps_the_partial_reply_marked_interrupted(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("The first part of a long answer"), fault="stall"))
    events = await send_then_cancel(engine, conversation, "tell me a story")

    assert events.items[-1] == TurnFinished(conversation.id, None, interrupted=True)
    stored = on_disk(engine, conversation)["messages"]
    assert stored[-1]["role"] == "assistant" and stored[-1]["interrupted"] is True
    assert "The first part of a long answer".startswith(stored[-1]["content"][0]["text"])
    assert stored[-1]["content"][0]["text"]

    # Retry: the broken-off reply stays in the file, left out of the new request.
    assert engine.can_retry(conversation)
    fake_api.add(reply(text("Once upon a time.")))
    await engine.retry(conversation, on_event=Events(), confirm_end=Confirm())
    assert fake_api.requests[1]["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "tell me a story",
                                      "cache_control": {"type": "ephemeral"}}]}]
    stored = on_disk(engine, conversation)["messages"]
    assert [m.get("excluded", False) for m in stored] == [False, True, False]
    assert stored[-1]["content"][0]["text"] == "Once upon a time."


async def test_a_new_message_after_a_cancel_sends_the_partial_reply_as_context(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Partial words"), fault="stall"))
    await send_then_cancel(engine, conversation, "hi")
    fake_api.add(reply(text("ok")))
    await engine.send(conversation, "never mind", on_event=Events(), confirm_end=Confirm())
    roles = [m["role"] for m in fake_api.requests[1]["messages"]]
    assert roles == ["user", "assistant", "user"]


async def test_cancel_while_the_end_dialog_is_open_leaves_the_conversation_usable(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Sure."), tool_use("end_conversation", {"reason": "user_requested"})))
    dialog_open = asyncio.Event()

    async def never_answers(conv, who):
        dialog_open.set()
        await asyncio.Event().wait()
        return True

    events = Events()
    task = asyncio.create_task(
        engine.send(conversation, "end it", on_event=events, confirm_end=never_answers))
    await dialog_open.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not conversation.is_ended
    assert events.items[-1].interrupted

    fake_api.add(reply(text("Still here.")))
    await engine.send(conversation, "actually, stay", on_event=Events(), confirm_end=Confirm())
    sent = fake_api.requests[1]["messages"]
    tool_id = sent[1]["content"][1]["id"]
    # The unanswered call gets an error result so the API accepts the history.
    assert sent[2]["content"][0]["tool_use_id"] == tool_id
    assert sent[2]["content"][0]["is_error"] is True
    assert sent[2]["content"][1]["text"] == "actually, stay"
    assert conversation.messages[-1].text == "Still here."


async def test_user_ends_the_conversation_while_a_reply_streams(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Streaming along"), fault="stall"))
    events = FirstText()
    task = asyncio.create_task(
        engine.send(conversation, "hi", on_event=events, confirm_end=Confirm()))
    await events.arrived.wait()
    assert await engine.end_by_user(conversation, on_event=events, confirm_end=Confirm())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stored = on_disk(engine, conversation)
    assert stored["status"] == "ended" and len(stored["messages"]) == 1
    assert len(fake_api.requests) == 1


@pytest.mark.parametrize("fault", ["cut", "no_stop"])
async def test_a_reply_that_breaks_off_is_kept_and_can_be_retried(fake_api, data_dir, fault):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Half an answ"), fault=fault))
    events = Events()
    await engine.send(conversation, "question", on_event=events, confirm_end=Confirm())

    failed = events.of(TurnFailed)
    assert len(failed) == 1
    # A cut connection (seen by the SDK) and a body that just ends (seen by the engine) read
    # the same to the user.
    assert failed[0].message == BROKE_OFF
    assert "broke off" in failed[0].message and "ctrl+r" in failed[0].message
    last = on_disk(engine, conversation)["messages"][-1]
    assert last["interrupted"] is True and last["content"][0]["text"] == "Half an answ"
    assert events.items[-1] == TurnFinished(conversation.id, None)
    assert engine.can_retry(conversation)


async def test_a_stream_that_stalls_times_out_and_keeps_the_partial_text(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir, timeout=0.5)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Thinking about it"), fault="stall"))
    events = Events()
    await engine.send(conversation, "question", on_event=events, confirm_end=Confirm())
    assert "broke off" in events.of(TurnFailed)[0].message
    assert conversation.messages[-1].interrupted
    assert conversation.messages[-1].text == "Thinking about it"


async def test_a_tool_call_cut_off_mid_reply_is_repaired_in_the_next_request(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Warning you."), tool_use("issue_warning", {"behavior": "spam"}),
                       fault="no_stop"))
    await engine.send(conversation, "spam spam", on_event=Events(), confirm_end=Confirm())
    assert conversation.warnings == []  # a call in a broken reply is not acted on
    fake_api.add(reply(text("ok")))
    await engine.send(conversation, "sorry", on_event=Events(), confirm_end=Confirm())
    sent = fake_api.requests[1]["messages"]
    use = sent[1]["content"][1]
    assert use["type"] == "tool_use"
    assert sent[2]["content"][0]["tool_use_id"] == use["id"]


@pytest.mark.parametrize(("script", "words"), [
    (error(401, message="invalid x-api-key"), "API key was rejected"),
    (error(403), "no permission"),
    (error(404, message="model: nope"), "claude-opus-5-5"),
    (error(429, retry_after=7), "7 seconds"),
    (error(529), "overloaded"),
    (error(500), "server error"),
    (error(400, message="messages: roles must alternate"), "roles must alternate"),
    (stream_error("overloaded_error", "Overloaded"), "overloaded"),
])
async def test_api_errors_become_turn_failed_with_the_message(fake_api, data_dir, script, words):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(script)
    events = Events()
    await engine.send(conversation, "hello", on_event=events, confirm_end=Confirm())
    failed = events.of(TurnFailed)
    assert len(failed) == 1 and words in failed[0].message
    assert on_disk(engine, conversation)["messages"][0]["content"][0]["text"] == "hello"


async def test_connection_refused_becomes_turn_failed(data_dir, fake_api):
    engine = make_engine(fake_api, data_dir)
    engine.providers.claude.base_url = closed_port_url()
    conversation = engine.new_conversation(MODEL)
    events = Events()
    await engine.send(conversation, "hello", on_event=events, confirm_end=Confirm())
    assert "ANTHROPIC_BASE_URL" in events.of(TurnFailed)[0].message
    assert engine.can_retry(conversation)


async def test_a_failed_tool_loop_can_be_retried_from_the_tool_results(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": "spam"})), error(529))
    await engine.send(conversation, "spam", on_event=Events(), confirm_end=Confirm())
    assert conversation.messages[-1].role == "user" and engine.can_retry(conversation)
    fake_api.add(reply(text("Please stop.")))
    await engine.retry(conversation, on_event=Events(), confirm_end=Confirm())
    assert conversation.messages[-1].text == "Please stop."
    assert len(conversation.warnings) == 1  # the retry did not warn twice
    assert fake_api.requests[2]["messages"] == fake_api.requests[1]["messages"]


async def test_cancelling_mid_stream_closes_the_connection_at_once(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("An answer that never ends"), fault="stall"))
    await send_then_cancel(engine, conversation, "go")
    # The server sees the client hang up (it would otherwise stall until the test ends).
    assert await asyncio.to_thread(fake_api.hung_up.wait, 10)
    assert not engine.is_running(conversation)


async def test_a_reply_with_no_events_at_all_broke_off(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("never seen"), fault="no_stop", fault_after=0))
    events = Events()
    await engine.send(conversation, "question", on_event=events, confirm_end=Confirm())
    [failed] = events.of(TurnFailed)
    assert "broke off" in failed.message and failed.retryable
    assert [m.text for m in conversation.messages] == ["question"]
    assert engine.can_retry(conversation)


async def test_each_step_of_a_tool_loop_is_on_disk_before_the_next_request(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    seen = []

    def second(body):  # runs in the server when the second request arrives
        seen.append(on_disk(engine, conversation))
        return reply(text("Please stop."))

    fake_api.add(reply(tool_use("issue_warning", {"behavior": "spam"})), second)
    await engine.send(conversation, "spam", on_event=Events(), confirm_end=Confirm())
    [stored] = seen
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant", "user"]
    assert stored["messages"][2]["content"][0]["type"] == "tool_result"
    assert stored["warnings"][0]["behavior"] == "spam"


async def test_an_empty_reply_after_a_tool_result_ends_the_turn_and_the_next_one_works(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": "spam"})), reply())
    events = Events()
    await engine.send(conversation, "spam", on_event=events, confirm_end=Confirm())
    assert events.items[-1] == TurnFinished(conversation.id, "end_turn")
    assert events.of(TurnFailed) == [] and not engine.can_retry(conversation)
    fake_api.add(reply(text("Hello again.")))
    await engine.send(conversation, "sorry", on_event=Events(), confirm_end=Confirm())
    # The fake API rejects empty messages and unanswered calls, as the real one does.
    assert conversation.messages[-1].text == "Hello again."
    assert [m["role"] for m in fake_api.requests[2]["messages"]] == [
        "user", "assistant", "user"]


async def test_an_empty_message_is_neither_saved_nor_sent(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    events = Events()
    await engine.send(conversation, " \n ", on_event=events, confirm_end=Confirm())
    assert "empty" in events.of(TurnFailed)[0].message
    assert conversation.messages == [] and fake_api.requests == []


async def test_a_full_disk_while_recording_a_warning_fails_the_turn_cleanly(
        fake_api, data_dir, monkeypatch):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": "spam"})))
    real_write = store_module.atomic_write

    def full_disk_once_the_reply_is_saved(path, data):
        if conversation.warnings:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(store_module, "atomic_write", full_disk_once_the_reply_is_saved)
    events = Events()
    await engine.send(conversation, "spam", on_event=events, confirm_end=Confirm())
    [failed] = events.of(TurnFailed)
    assert "Could not save the conversation" in failed.message
    assert "the disk is full" in failed.message
    assert events.items[-1] == TurnFinished(conversation.id, None)
    assert len(fake_api.requests) == 1 and not engine.is_running(conversation)
    assert [m["role"] for m in on_disk(engine, conversation)["messages"]] == [
        "user", "assistant"]


async def test_a_streaming_reply_is_on_disk_before_it_ends_and_once_after(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    engine.partial_save_every = 0.05
    conversation = engine.new_conversation(MODEL)
    hold = threading.Event()
    fake_api.add(reply(text("The part that came before the pause"), hold=hold))
    events = Events()
    task = asyncio.create_task(
        engine.send(conversation, "go on", on_event=events, confirm_end=Confirm()))

    def partial_on_disk() -> bool:
        if not engine.store.path_for(conversation.id).exists():
            return False
        messages = on_disk(engine, conversation)["messages"]
        return len(messages) == 2 and messages[1].get("interrupted") is True

    for _ in range(3000):  # the stream waits at its pause until the test lets it go on
        if partial_on_disk():
            break
        await asyncio.sleep(0.01)
    assert partial_on_disk(), "the reply so far was never saved while it streamed"
    assert on_disk(engine, conversation)["messages"][1]["content"][0]["text"].startswith("The")
    assert len(conversation.messages) == 1  # on disk only: the live list has no half reply
    hold.set()
    await asyncio.wait_for(task, 60)
    messages = on_disk(engine, conversation)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "interrupted" not in messages[1]
    assert messages[1]["content"][0]["text"] == "The part that came before the pause"
