"""The bytes of a conversation file, encoded a message at a time.

The file is the JSON of ``Conversation.to_dict()``: the header pretty-printed, then one message
per line. One line per message keeps a synced or versioned folder's diffs small (an appended
message is an appended line), and lets a save re-encode only the messages that changed: a
5 MB conversation costs one message's encoding per reply, not 5 MB, and no single step holds
the interpreter long enough to stall the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from claude_tui.conversation import Conversation, Message
from claude_tui.record import Record


def _dumps(data: Any, indent: int | None = None) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False, indent=indent).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (possible in text from the network) has no UTF-8 form; escaped
        # JSON keeps it and stays valid UTF-8.
        return json.dumps(data, ensure_ascii=True, indent=indent).encode("ascii")


class Snapshot(Record):
    """A conversation as it is at one moment, cheap to take on the event loop.

    The messages are the same objects as the conversation's (a list copy, not a deep copy): a
    message's content is never changed in place once it is part of a conversation, only
    replaced, so what the writer reads later is what was there when the snapshot was taken.
    """

    id: str
    header: dict[str, Any]
    messages: tuple[Message, ...]
    is_ended: bool

    @classmethod
    def of(cls, conversation: Conversation,
           extra_messages: Sequence[Message] = ()) -> Snapshot:
        header = conversation.to_dict(messages=False)
        return cls(conversation.id, header, (*conversation.messages, *extra_messages),
                   conversation.is_ended)

    def message_dicts(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.messages]


def _signature(message: Message) -> tuple[Any, ...]:
    """What tells a message apart from its earlier state, without reading its text."""
    return (id(message.content), len(message.content), message.role, message.at, message.model,
            message.stop_reason, id(message.usage), message.interrupted, message.excluded,
            id(message.replaced), id(message.extra), len(message.extra))


class MessageEncoder:
    """Encodes the messages of one conversation, remembering what it encoded last time."""

    def __init__(self) -> None:
        # Position -> (the message, its signature then, its bytes). The message is held so its
        # id() cannot be reused by another object while it is remembered.
        self._cache: list[tuple[Message, tuple[Any, ...], bytes]] = []

    def encode(self, messages: Sequence[Message]) -> tuple[list[bytes], list[int]]:
        """The bytes of each message, and the positions that changed since the last call."""
        out: list[bytes] = []
        changed: list[int] = []
        cache = self._cache
        fresh: list[tuple[Message, tuple[Any, ...], bytes]] = []
        for position, message in enumerate(messages):
            signature = _signature(message)
            if position < len(cache):
                known, known_signature, data = cache[position]
                if known is message and known_signature == signature:
                    out.append(data)
                    fresh.append(cache[position])
                    continue
            data = _dumps(message.to_dict())
            out.append(data)
            fresh.append((message, signature, data))
            changed.append(position)
        self._cache = fresh
        return out, changed

    def forget(self) -> None:
        self._cache = []


def file_pieces(header: dict[str, Any], messages: list[bytes]) -> Iterator[bytes]:
    """The file, in pieces small enough to write without one large copy."""
    head = _dumps(header, indent=1)
    # '{\n "a": 1\n}' -> '{\n "a": 1' + the messages member + '\n}'
    yield head[:-2]
    if not messages:
        yield b',\n "messages": []\n}\n'
        return
    yield b',\n "messages": [\n  '
    last = len(messages) - 1
    for position, data in enumerate(messages):
        yield data
        yield b"\n ]\n}\n" if position == last else b",\n  "


def encode(conversation: Conversation) -> bytes:
    """The whole file at once (tests, export, a one-off save)."""
    messages, _ = MessageEncoder().encode(conversation.messages)
    return b"".join(file_pieces(conversation.to_dict(messages=False), messages))
