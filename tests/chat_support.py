"""Shared pieces for the chat engine tests: an engine wired to the fake API, and an event log."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claude_tui.chat import ChatEngine
from claude_tui.config import Settings
from claude_tui.conversation import Conversation
from claude_tui.events import ChatEvent, TextDelta
from claude_tui.providers.choice import Providers
from claude_tui.storage.store import ConversationStore
from tests.fake_api import FakeAPI

MODEL = "claude-opus-5-5"  # matches the default end_conversation pattern
OTHER_MODEL = "claude-sonnet-5-5"  # does not


@dataclass
class Events:
    """Collects engine events; ``of(Type)`` filters them."""

    items: list[ChatEvent] = field(default_factory=list)

    def __call__(self, event: ChatEvent) -> None:
        self.items.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.items if isinstance(e, kind)]

    def names(self) -> list[str]:
        return [type(e).__name__ for e in self.items]


class FirstText(Events):
    """Events that also signal when the first piece of reply text arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def __call__(self, event: ChatEvent) -> None:
        super().__call__(event)
        if isinstance(event, TextDelta):
            self.arrived.set()


@dataclass
class Confirm:
    """Answers the end confirmation like a user would, and remembers who asked."""

    answer: bool = True
    asked: list[str] = field(default_factory=list)

    async def __call__(self, conversation: Conversation, who: str) -> bool:
        self.asked.append(who)
        return self.answer


def make_engine(fake_api: FakeAPI, data_dir: Path, settings: Settings | None = None,
                **provider_options: Any) -> ChatEngine:
    settings = settings or Settings(path=data_dir.parent / "config.toml")
    provider = fake_api.provider(**provider_options)
    # The demo slot gets a real provider too, so a demo-model request is visible on the wire.
    return ChatEngine(ConversationStore(data_dir), settings,
                      Providers(claude=provider, demo=fake_api.provider()))


def on_disk(engine: ChatEngine, conversation: Conversation) -> dict[str, Any]:
    return json.loads(engine.store.path_for(conversation.id).read_text("utf-8"))
