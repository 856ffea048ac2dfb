"""Properties tried over many generated inputs (hypothesis; profiles in conftest.py).

- Any conversation survives ``save`` and ``load`` unchanged.
- For any sequence of model and user actions, driven through the real ``ChatEngine`` with a
  scripted provider (the SDK path has tests of its own), no conversation is ever ended in
  breach of E1 or E2, and nothing is ever added to an ended one (checked on the saved files).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from claude_tui import protocol
from claude_tui.chat import ChatEngine
from claude_tui.config import Settings
from claude_tui.conversation import (
    Conversation,
    EndRecord,
    IssuedWarning,
    Message,
    RefusedEnd,
    new_conversation_id,
)
from claude_tui.providers.base import ModelRequest, ReplyDone, StreamItem, TextChunk
from claude_tui.providers.choice import Providers
from claude_tui.storage.store import ConversationEndedError, ConversationStore

MODEL = "claude-opus-5-5"

# Any text: odd Unicode, control characters, lone surrogates (a pasted broken emoji).
odd_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40) | st.sampled_from(
    ["\ud83d", "a\udfffb", "\x1b]0;title\x07", "\u202eevil", "[bold]x[/]", "\x00", "é" * 5])
times = st.sampled_from(["2026-01-01T10:00:00Z", "2026-11-26T14:02:03.123456+00:00", ""])


@st.composite
def messages(draw) -> Message:
    role = draw(st.sampled_from(["user", "assistant"]))
    blocks: list[dict[str, Any]] = [{"type": "text", "text": draw(odd_text)}]
    if role == "assistant" and draw(st.booleans()):
        blocks.append({"type": "tool_use", "id": f"toolu_{draw(st.integers(0, 999))}",
                       "name": draw(st.sampled_from([*protocol.TOOL_NAMES, "other"])),
                       "input": {"behavior": draw(odd_text)}})
    message = Message(role=role, content=blocks, at=draw(times))
    if role == "assistant":
        message.model = MODEL
        message.stop_reason = draw(st.sampled_from([None, "end_turn", "tool_use",
                                                    "max_tokens", "refusal"]))
        message.usage = draw(st.none() | st.fixed_dictionaries(
            {"input_tokens": st.integers(0, 10**6), "output_tokens": st.integers(0, 10**6)}))
        message.interrupted = draw(st.booleans())
        if message.interrupted:
            message.extra["interruption"] = draw(st.sampled_from(["stopped", "broke_off"]))
    message.excluded = draw(st.booleans())
    return message


@st.composite
def conversations(draw) -> Conversation:
    conversation = Conversation(id=new_conversation_id(), model=draw(st.sampled_from(
        [MODEL, "claude-tui-demo", "claude-sonnet-5-5"])), title=draw(odd_text))
    conversation.messages = draw(st.lists(messages(), max_size=8))
    conversation.warnings = [IssuedWarning(b, t, n) for b, t, n in draw(st.lists(
        st.tuples(odd_text, times, st.integers(0, 20)), max_size=3))]
    conversation.refused_ends = [RefusedEnd(t, r, w, n) for t, r, w, n in draw(st.lists(
        st.tuples(times, odd_text, odd_text, st.integers(0, 20)), max_size=2))]
    if draw(st.booleans()):
        conversation.status = "ended"
        conversation.ended = EndRecord(by=draw(st.sampled_from(["user", "assistant"])),
                                       at=draw(times), reason=draw(st.sampled_from(
                                           ["user_requested", "persistent_abuse"])))
    return conversation


def _close(store: ConversationStore) -> None:
    # store.close() waits for the writes but keeps the SQLite index open (3 descriptors);
    # hundreds of examples would run a long test session out of them.
    store.close()
    store.index.close()


@given(conversations())
def test_any_conversation_survives_save_and_load_unchanged(conversation: Conversation) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = ConversationStore(Path(folder))
        ended = conversation.is_ended
        if ended:  # the store refuses to write an ended file over one; write it once, new
            conversation.status, record = "active", conversation.ended
            conversation.ended = None
            store.save(conversation)
            conversation.status, conversation.ended = "ended", record
        store.save(conversation)
        _close(store)
        again = ConversationStore(Path(folder))
        try:
            loaded = again.load(conversation.id)
        finally:
            _close(again)
        assert loaded.to_dict() == conversation.to_dict()
        assert store.problems == [] and again.problems == []
        assert not (Path(folder) / "conversations" / "damaged").exists()


# --- the engine under any sequence of actions -------------------------------------------------
class ScriptedModel:
    """A ``Provider`` that replies with whatever the test queued, one reply per request."""

    name = "scripted"

    def __init__(self) -> None:
        self.replies: list[list[dict[str, Any]]] = []
        self.requests = 0

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        self.requests += 1
        blocks = self.replies.pop(0) if self.replies else [{"type": "text", "text": "ok"}]
        for block in blocks:
            if block["type"] == "text":
                yield TextChunk(block["text"])
        uses = any(b["type"] == "tool_use" for b in blocks)
        yield ReplyDone(content=blocks, stop_reason="tool_use" if uses else "end_turn")

    async def aclose(self) -> None:
        pass


_counter = iter(range(10**9))


def _tool(name: str, tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_p{next(_counter)}", "name": name,
            "input": tool_input}


model_blocks = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t or "x"}, st.text(max_size=10)),
    st.builds(lambda b: _tool("issue_warning", {"behavior": b}), st.text(max_size=10)),
    st.just(None).map(lambda _: _tool("end_conversation", {"reason": "persistent_abuse"})),
    st.just(None).map(lambda _: _tool("end_conversation", {"reason": "user_requested"})),
    st.sampled_from([{}, {"reason": 5}, {"reason": "bored"}, "not an object"]).map(
        lambda i: _tool("end_conversation", i)),
    st.sampled_from([{}, {"behavior": ""}, {"behavior": 7}]).map(
        lambda i: _tool("issue_warning", i)),
    st.just(None).map(lambda _: _tool("delete_everything", {"now": True})),
)
model_replies = st.lists(model_blocks, min_size=1, max_size=3)
user_actions = st.one_of(
    st.tuples(st.just("send"), st.text(min_size=1, max_size=10), st.booleans(),
              st.lists(model_replies, max_size=3)),
    st.tuples(st.just("end_by_user"), st.booleans()),
    st.tuples(st.just("retry"), st.lists(model_replies, max_size=2)),
    st.tuples(st.just("branch"), st.integers(0, 20)),
)


def _check_invariants(data: dict[str, Any], before: dict[str, Any] | None,
                      confirmed_user_end: bool, min_warnings: int) -> None:
    """E1, E2 and E5 on one saved file, against its previous version."""
    if before is not None and before.get("status") == "ended":
        assert data == before, "an ended conversation changed on disk"
    if data.get("status") != "ended":
        return
    ended = data["ended"]
    if ended["by"] == "user":
        assert confirmed_user_end, "ended by the user without the user confirming (E2/E3)"
    else:
        assert ended["reason"] == protocol.PERSISTENT_ABUSE
        # E1: enough warnings in earlier turns, and the user wrote since the latest one.
        user_texts = sum(1 for m in data["messages"] if m["role"] == "user" and any(
            b.get("type") == "text" for b in m["content"]))
        warnings = data["warnings"]
        assert len(warnings) >= min_warnings, "ended for abuse without enough warnings (E1)"
        if warnings:
            assert user_texts > max(w["turn"] for w in warnings), (
                "ended for abuse with no user message since the warning (E1)")


@given(st.lists(user_actions, min_size=1, max_size=6), st.integers(0, 2))
def test_no_sequence_of_actions_breaks_e1_e2_or_adds_after_an_end(actions, min_warnings):
    asyncio.run(_run_actions(actions, min_warnings))


async def _run_actions(actions: list[tuple[Any, ...]], min_warnings: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        settings = Settings(path=data_dir / "config.toml")
        settings.end_conversation.min_warnings = min_warnings
        model = ScriptedModel()
        engine = ChatEngine(ConversationStore(data_dir), settings,
                            Providers(claude=model, demo=model))
        engine.max_round_trips = 4
        conversations = [engine.new_conversation(MODEL)]
        try:
            await _drive(engine, model, actions, min_warnings, conversations)
        finally:
            _close(engine.store)


async def _drive(engine: ChatEngine, model: ScriptedModel, actions: list[tuple[Any, ...]],
                 min_warnings: int, conversations: list[Conversation]) -> None:
    confirmed: dict[str, bool] = {}
    seen: dict[str, dict[str, Any]] = {}

    def answer_with(value: bool):
        async def confirm_end(conversation: Conversation, who: str) -> bool:
            confirmed[conversation.id] = confirmed.get(conversation.id, False) or value
            return value
        return confirm_end

    for action in actions:
        conversation = conversations[-1]
        kind = action[0]
        if kind == "send":
            _, text, answer, replies = action
            model.replies = [list(r) for r in replies]
            try:
                await engine.send(conversation, text, on_event=lambda e: None,
                                  confirm_end=answer_with(answer))
            except ConversationEndedError:
                assert conversation.is_ended
        elif kind == "end_by_user":
            await engine.end_by_user(conversation, on_event=lambda e: None,
                                     confirm_end=answer_with(action[1]))
        elif kind == "retry":
            model.replies = [list(r) for r in action[1]]
            await engine.retry(conversation, on_event=lambda e: None,
                               confirm_end=answer_with(False))
        elif kind == "branch":
            typed = [i for i, m in enumerate(conversation.messages) if m.is_user_text]
            if typed:
                branched, _ = await engine.branch(conversation, typed[action[1] % len(typed)])
                assert not branched.is_ended
                conversations.append(branched)
        for each in conversations:
            path = engine.store.path_for(each.id)
            if not path.exists():  # not written until something is in it
                assert each.id not in seen and not each.messages and not each.is_ended
                continue
            data = json.loads(path.read_text("utf-8"))
            _check_invariants(data, seen.get(each.id), confirmed.get(each.id, False),
                              min_warnings)
            seen[each.id] = data
