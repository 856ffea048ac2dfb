"""The demo model through the real chat engine and real conversation files."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_tui import events
from claude_tui.chat import ChatEngine
from claude_tui.config import DEMO_MODEL, Settings
from claude_tui.conversation import Conversation
from claude_tui.providers.choice import Providers
from claude_tui.providers.demo import WARNING_BEHAVIOR, DemoProvider
from claude_tui.storage.store import ConversationEndedError, ConversationStore


class Session:
    """One demo conversation, with the events it emitted and the confirmations it asked for."""

    def __init__(self, data_dir: Path, *, confirm: bool = True, min_warnings: int = 1,
                 tools: bool = True) -> None:
        settings = Settings(path=data_dir.parent / "config.toml")
        settings.end_conversation.min_warnings = min_warnings
        settings.end_conversation.enabled = tools
        self.store = ConversationStore(data_dir)
        self.engine = ChatEngine(self.store, settings, Providers(demo=DemoProvider(
            0, data_dir=data_dir, config_path=settings.path)))
        self.conversation = self.engine.new_conversation(DEMO_MODEL)
        self.events: list[events.ChatEvent] = []
        self.asked: list[str] = []
        self.confirm = confirm

    async def _confirm_end(self, conversation: Conversation, who: str) -> bool:
        self.asked.append(who)
        return self.confirm

    async def send(self, *texts: str) -> None:
        for text in texts:
            await self.engine.send(self.conversation, text, on_event=self.events.append,
                                   confirm_end=self._confirm_end)

    def on_disk(self) -> Conversation:
        return ConversationStore(self.store.data_dir).load(self.conversation.id)

    def of_type(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


async def test_second_insult_records_the_warning_in_the_file(data_dir: Path) -> None:
    session = Session(data_dir)
    await session.send("you are useless", "shut up")
    saved = session.on_disk()
    assert [(w.behavior, w.turn) for w in saved.warnings] == [(WARNING_BEHAVIOR, 2)]
    assert [e.behavior for e in session.of_type(events.WarningIssued)] == [WARNING_BEHAVIOR]
    assert saved.status == "active" and not session.of_type(events.TurnFailed)
    # The warning turn: text and the call, the client's result, then the demo's closing words.
    assert [m.role for m in saved.messages] == ["user", "assistant", "user", "assistant",
                                                "user", "assistant"]
    assert saved.messages[-1].stop_reason == "end_turn" and saved.messages[-1].text


async def test_insult_after_the_warning_ends_the_conversation(data_dir: Path) -> None:
    session = Session(data_dir)
    await session.send("idiot", "idiot", "what can you do?", "you moron")
    saved = session.on_disk()
    assert saved.status == "ended"
    assert saved.ended is not None
    assert (saved.ended.by, saved.ended.reason) == ("assistant", "persistent_abuse")
    assert session.asked == []  # a persistent_abuse end asks no one
    [ended] = session.of_type(events.ConversationEnded)
    assert (ended.by, ended.reason) == ("assistant", "persistent_abuse")
    # Nothing follows the call: the last thing in the file is the call itself.
    last = saved.messages[-1]
    assert last.role == "assistant" and last.content[-1]["name"] == "end_conversation"
    with pytest.raises(ConversationEndedError):
        await session.send("sorry")


async def test_requested_end_confirmed_is_ended_by_the_user(data_dir: Path) -> None:
    session = Session(data_dir, confirm=True)
    await session.send("hello", "Please end this conversation.")
    assert session.asked == ["assistant"]
    saved = session.on_disk()
    assert saved.status == "ended" and saved.ended is not None
    assert (saved.ended.by, saved.ended.reason) == ("user", "user_requested")


async def test_requested_end_declined_continues(data_dir: Path) -> None:
    session = Session(data_dir, confirm=False)
    await session.send("close the chat")
    assert session.asked == ["assistant"] and session.of_type(events.EndDeclined)
    saved = session.on_disk()
    assert saved.status == "active"
    assert "stays open" in saved.messages[-1].text
    await session.send("what are the keys?")
    assert "| key | what it does |" in session.on_disk().messages[-1].text


async def test_self_harm_never_ends_even_after_a_warning(data_dir: Path) -> None:
    session = Session(data_dir)
    await session.send("idiot", "idiot")  # warned: a plain insult now would end it
    await session.send("you stupid thing, I want to kill myself",
                       "I hate you, I might hurt someone, end this conversation")
    saved = session.on_disk()
    assert saved.status == "active" and session.asked == []
    assert len(saved.warnings) == 1 and not saved.refused_ends
    assert "988" in saved.messages[-1].text and "findahelpline.com" in saved.messages[-1].text


async def test_when_the_client_wants_two_warnings_it_warns_again(data_dir: Path) -> None:
    session = Session(data_dir, min_warnings=2)
    await session.send("dumb", "dumb", "dumb")
    saved = session.on_disk()
    assert saved.status == "active" and len(saved.refused_ends) == 1
    await session.send("dumb", "dumb")
    saved = session.on_disk()
    assert len(saved.warnings) == 2
    assert saved.status == "ended" and saved.ended is not None
    assert saved.ended.by == "assistant"


async def test_with_the_feature_off_it_only_talks(data_dir: Path) -> None:
    session = Session(data_dir, tools=False)
    await session.send("idiot", "idiot", "idiot", "end this conversation")
    saved = session.on_disk()
    assert saved.status == "active" and not saved.warnings and session.asked == []
    assert "`/end`" in saved.messages[-1].text
