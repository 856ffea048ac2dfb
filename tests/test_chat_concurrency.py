"""Several conversations through one engine at once: their turns never mix."""

from __future__ import annotations

import asyncio
import threading

from claude_tui.events import TextDelta, TurnFinished
from tests.chat_support import MODEL, Confirm, Events, make_engine, on_disk
from tests.fake_api import reply, text


class Watch(Events):
    """Events of one conversation, signalling its first piece of reply text."""

    def __init__(self) -> None:
        super().__init__()
        self.streaming = asyncio.Event()

    def __call__(self, event) -> None:
        super().__call__(event)
        if isinstance(event, TextDelta):
            self.streaming.set()


async def test_two_conversations_stream_at_once_without_mixing(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    first, second = engine.new_conversation(MODEL), engine.new_conversation(MODEL)
    gates = {"alpha": threading.Event(), "beta": threading.Event()}
    answers = {"alpha": "Alpha's answer, long enough to stream in pieces.",
               "beta": "Beta's answer, also streamed in several pieces."}

    def answer(body):  # each request gets the answer for the conversation it came from
        word = body["messages"][-1]["content"][-1]["text"]
        return reply(text(answers[word]), hold=gates[word])

    fake_api.default = answer
    watch = {"alpha": Watch(), "beta": Watch()}
    tasks = [asyncio.create_task(engine.send(conversation, word, on_event=watch[word],
                                             confirm_end=Confirm()))
             for conversation, word in ((first, "alpha"), (second, "beta"))]
    # Both are streaming (each paused half way by its gate) before either finishes.
    await asyncio.gather(watch["alpha"].streaming.wait(), watch["beta"].streaming.wait())
    assert engine.is_running(first) and engine.is_running(second)
    gates["beta"].set()  # the later one finishes first
    await tasks[1]
    assert engine.is_running(first)
    gates["alpha"].set()
    await tasks[0]

    for conversation, word in ((first, "alpha"), (second, "beta")):
        events = watch[word]
        assert {e.conversation_id for e in events.items} == {conversation.id}
        assert "".join(e.text for e in events.of(TextDelta)) == answers[word]
        assert events.items[-1] == TurnFinished(conversation.id, "end_turn")
        stored = on_disk(engine, conversation)["messages"]
        assert [m["content"][0]["text"] for m in stored] == [word, answers[word]]
    assert sorted(str(body["messages"]) for body in fake_api.requests) == sorted(
        str([{"role": "user", "content": [{"type": "text", "text": word,
                                           "cache_control": {"type": "ephemeral"}}]}])
        for word in ("alpha", "beta"))
