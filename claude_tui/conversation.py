"""The conversation: its messages, warnings and end record, and its JSON form.

A conversation file holds Messages API content blocks as they were sent and received, so a
request can be rebuilt exactly. The schema history, and the migrations that bring an older file
forward, are in ``schema_migrations``.

Attachments are kept inline: a user message's ``image`` and ``document`` blocks hold the file's
bytes (base64, or the text of a text file), exactly as the API takes them, so the file is
self-contained (export and branching carry them; the original file may go). What the API never
sees is kept beside them in the message's ``attachments`` list (name, kind, media type, size),
one entry per attachment block, in ``Message.extra``; ``attachments.py`` reads both and copes
with either damaged.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from claude_tui.schema_migrations import MIGRATIONS, SCHEMA_VERSION

Role = Literal["user", "assistant"]
Status = Literal["active", "ended"]
EndedBy = Literal["user", "assistant"]

# Time-sortable (milliseconds, base 32, 10 chars) plus 10 random base-32 chars.
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ID_RE = re.compile(r"^[0-9a-hjkmnp-tv-z]{20}$")


class ConversationFormatError(ValueError):
    """The data is not a conversation this version can read."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_ID_LOCK = threading.Lock()
_last_id: tuple[int, int] = (0, 0)  # (milliseconds, random part) of the latest id made here
_RANDOM_BITS = 50  # 10 base-32 characters


def _base32(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        digits.append(_ID_ALPHABET[digit])
    return "".join(reversed(digits))


def new_conversation_id() -> str:
    """A new id: 10 characters of milliseconds, then 10 random ones, all lower-case base 32.

    Ids made later sort later, also within one millisecond or when the clock steps back: the
    random part then counts up from the previous id (as ULIDs do), which keeps them unique.
    """
    global _last_id
    with _ID_LOCK:
        millis = time.time_ns() // 1_000_000
        last_millis, last_rand = _last_id
        if millis > last_millis:
            rand = secrets.randbits(_RANDOM_BITS)
        else:
            millis, rand = last_millis, last_rand + 1
            if rand >= 1 << _RANDOM_BITS:
                millis, rand = millis + 1, 0
        _last_id = (millis, rand)
    return _base32(millis, 10) + _base32(rand, 10)


def is_valid_id(value: object) -> bool:
    """True for ids this app makes; nothing else may become part of a path."""
    return isinstance(value, str) and bool(_ID_RE.fullmatch(value))


# What a message of the file format holds; anything else is kept as it is (``extra``).
_MESSAGE_KEYS = frozenset({"role", "content", "at", "model", "stop_reason", "usage",
                           "interrupted", "excluded", "replaced"})


@dataclass
class Message:
    role: Role
    content: list[dict[str, Any]]
    at: str = field(default_factory=now_iso)
    # Assistant replies only:
    model: str | None = None
    stop_reason: str | None = None
    usage: dict[str, int] | None = None
    # The reply was stopped by the user or broke off before the API said it was complete.
    interrupted: bool = False
    # E7: a refused turn stays in the file for the reader but is left out of later requests.
    excluded: bool = False
    # An earlier version (always excluded too): ``{"at": ..., "by": "regenerate" | "edit"}``,
    # when and how a newer version took its place.
    replaced: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message's plain text (text blocks only), for titles, search and display."""
        return "".join(b.get("text", "") for b in self.content if b.get("type") == "text")

    @property
    def is_user_text(self) -> bool:
        """A message the user typed (or attached files to), as opposed to a user turn that only
        carries tool results."""
        return self.role == "user" and any(b.get("type") in ("text", "image", "document")
                                           for b in self.content)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update({"role": self.role, "content": self.content, "at": self.at})
        for key in ("model", "stop_reason", "usage"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.interrupted:
            data["interrupted"] = True
        if self.excluded:
            data["excluded"] = True
        if self.replaced is not None:
            data["replaced"] = self.replaced
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Message:
        # Called for every message of a file (5,000 of them before a long tab is shown):
        # one pass over the blocks, and the usual message's keys checked in one go.
        if not isinstance(data, dict):
            raise ConversationFormatError("a message is not an object")
        get = data.get
        role = get("role")
        if role not in ("user", "assistant"):
            raise ConversationFormatError(f"a message has an unknown role: {role!r}")
        content = get("content")
        if not isinstance(content, list):
            raise ConversationFormatError("a message's content is not a list of content blocks")
        text_without_text = False
        for block in content:
            if not isinstance(block, dict) or not isinstance(kind := block.get("type"), str):
                raise ConversationFormatError(
                    "a message's content is not a list of content blocks")
            if kind == "text" and not isinstance(block.get("text"), str):
                text_without_text = True  # said once every block is known to be one
        if text_without_text:
            raise ConversationFormatError("a message has a text block without text")
        usage = get("usage")
        if usage is not None and not isinstance(usage, dict):
            raise ConversationFormatError("a message's usage is not an object")
        model, stop_reason = get("model"), get("stop_reason")
        if model is not None and not isinstance(model, str):
            raise ConversationFormatError("a message's model is not text")
        if stop_reason is not None and not isinstance(stop_reason, str):
            raise ConversationFormatError("a message's stop_reason is not text")
        replaced = get("replaced")
        if replaced is not None and not isinstance(replaced, dict):
            raise ConversationFormatError("a message's replaced is not an object")
        return cls(
            role=role,
            content=content,
            at=str(get("at") or ""),
            model=model,
            stop_reason=stop_reason,
            usage=usage,
            interrupted=bool(get("interrupted", False)),
            # An earlier version is never sent again, whatever a hand edit left of the flag.
            excluded=bool(get("excluded", False)) or replaced is not None,
            replaced=({str(k): str(v) for k, v in replaced.items()}
                      if replaced is not None else None),
            extra=({} if data.keys() <= _MESSAGE_KEYS
                   else {k: v for k, v in data.items() if k not in _MESSAGE_KEYS}),
        )

    @property
    def is_earlier_version(self) -> bool:
        return self.replaced is not None


def _attached_names(message: Message) -> list[str]:
    """"📎 chart.png, notes.md" for a message of files alone (its title), or nothing."""
    entries = message.extra.get("attachments")
    names = [e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)
             ] if isinstance(entries, list) else []
    return ["📎 " + ", ".join(names)] if names else []


@dataclass
class IssuedWarning:
    """A warning the model gave with ``issue_warning``.

    ``turn`` is the number of user-typed messages in the conversation when it was given, which
    is what rule E1 needs: a warning counts for a later end only once the user has written again.
    """

    behavior: str
    at: str
    turn: int

    def to_dict(self) -> dict[str, Any]:
        return {"behavior": self.behavior, "at": self.at, "turn": self.turn}

    @classmethod
    def from_dict(cls, data: Any) -> IssuedWarning:
        if not isinstance(data, dict) or not isinstance(data.get("behavior"), str):
            raise ConversationFormatError("a warning has no behavior")
        turn = data.get("turn", 0)
        if not isinstance(turn, int) or isinstance(turn, bool):
            raise ConversationFormatError("a warning's turn is not a number")
        return cls(behavior=data["behavior"], at=str(data.get("at") or ""), turn=turn)


@dataclass
class RefusedEnd:
    """An ``end_conversation`` call the client refused (E1) or could not accept (E6)."""

    at: str
    reason: str
    why: str
    turn: int

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "reason": self.reason, "why": self.why, "turn": self.turn}

    @classmethod
    def from_dict(cls, data: Any) -> RefusedEnd:
        if not isinstance(data, dict):
            raise ConversationFormatError("a refused end is not an object")
        return cls(
            at=str(data.get("at") or ""),
            reason=str(data.get("reason") or ""),
            why=str(data.get("why") or ""),
            turn=data.get("turn", 0) if isinstance(data.get("turn"), int) else 0,
        )


@dataclass
class EndRecord:
    by: EndedBy
    at: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "at": self.at, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Any) -> EndRecord:
        if not isinstance(data, dict) or data.get("by") not in ("user", "assistant"):
            raise ConversationFormatError("the end record does not say who ended it")
        return cls(
            by=data["by"], at=str(data.get("at") or ""), reason=str(data.get("reason") or "")
        )


@dataclass
class Conversation:
    id: str
    model: str
    title: str = ""
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)
    status: Status = "active"
    ended: EndRecord | None = None
    warnings: list[IssuedWarning] = field(default_factory=list)
    refused_ends: list[RefusedEnd] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    # This conversation's own system prompt, sent after the client's section; None: the
    # config's ``system_prompt`` applies (as it did for every file before schema 2).
    system_prompt: str | None = None
    # Set when the file came from a newer version: shown, never written back.
    read_only_reason: str | None = None
    # Keys this version does not know, kept so that saving loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_ended(self) -> bool:
        return self.status == "ended"

    @property
    def user_turns(self) -> int:
        """How many messages the user has typed (tool-result turns are not counted)."""
        return sum(1 for m in self.messages if m.is_user_text)

    @property
    def display_title(self) -> str:
        if self.title.strip():
            return self.title.strip()
        for message in self.messages:
            if message.is_user_text and message.replaced is None:  # as edited, if it was
                first = message.text.strip().splitlines() or _attached_names(message)
                if first:
                    return first[0][:80]
        return "New conversation"

    def usage_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for message in self.messages:
            for key, value in (message.usage or {}).items():
                if isinstance(value, int):
                    totals[key] = totals.get(key, 0) + value
        return totals

    def touch(self) -> None:
        self.updated = now_iso()

    def to_dict(self, *, messages: bool = True) -> dict[str, Any]:
        """The file's JSON form; ``messages=False`` leaves the messages out (the header)."""
        data: dict[str, Any] = dict(self.extra)
        data.update(
            {
                "schema": SCHEMA_VERSION,
                "id": self.id,
                "title": self.title,
                "model": self.model,
                "created": self.created,
                "updated": self.updated,
                "status": self.status,
                "ended": self.ended.to_dict() if self.ended else None,
                "warnings": [w.to_dict() for w in self.warnings],
                "refused_ends": [r.to_dict() for r in self.refused_ends],
                "system_prompt": self.system_prompt,
            }
        )
        if messages:
            data["messages"] = [m.to_dict() for m in self.messages]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Conversation:
        """Read any known schema, migrating older ones forward in memory.

        A newer schema is read as far as this version understands it and marked read-only.
        """
        if not isinstance(data, dict):
            raise ConversationFormatError("the file does not hold a JSON object")
        schema = data.get("schema", 0)
        if not isinstance(schema, int) or isinstance(schema, bool) or schema < 0:
            raise ConversationFormatError(f"unknown schema version {schema!r}")
        read_only_reason = None
        if schema > SCHEMA_VERSION:
            read_only_reason = (
                f"this file uses schema {schema}, newer than this version of claude-tui "
                f"understands ({SCHEMA_VERSION}); it is shown read-only and never rewritten"
            )
        else:
            for version in range(schema, SCHEMA_VERSION):
                data = MIGRATIONS[version](data)
        return cls._from_current(data, read_only_reason)

    @classmethod
    def _from_current(cls, data: dict[str, Any], read_only_reason: str | None) -> Conversation:
        conv_id = data.get("id")
        if not is_valid_id(conv_id):
            raise ConversationFormatError(f"invalid conversation id {conv_id!r}")
        model = data.get("model")
        if not isinstance(model, str):
            raise ConversationFormatError("the model is missing")
        title = data.get("title", "")
        if not isinstance(title, str):
            raise ConversationFormatError("the title is not text")
        status = data.get("status", "active")
        if status not in ("active", "ended"):
            raise ConversationFormatError(f"unknown status {status!r}")
        messages = data.get("messages", [])
        warnings = data.get("warnings", [])
        refused = data.get("refused_ends", [])
        for name, value in (("messages", messages), ("warnings", warnings),
                            ("refused_ends", refused)):
            if not isinstance(value, list):
                raise ConversationFormatError(f"{name} is not a list")
        system_prompt = data.get("system_prompt")
        if system_prompt is not None and not isinstance(system_prompt, str):
            raise ConversationFormatError("the system prompt is not text")
        ended_data = data.get("ended")
        ended = EndRecord.from_dict(ended_data) if ended_data is not None else None
        if status == "ended" and ended is None:
            raise ConversationFormatError("the conversation is ended but has no end record")
        known = {"schema", "id", "title", "model", "created", "updated", "status", "ended",
                 "warnings", "refused_ends", "messages", "system_prompt"}
        return cls(
            id=conv_id,
            model=model,
            title=title,
            created=str(data.get("created") or ""),
            updated=str(data.get("updated") or ""),
            status=status,
            ended=ended,
            warnings=[IssuedWarning.from_dict(w) for w in warnings],
            refused_ends=[RefusedEnd.from_dict(r) for r in refused],
            messages=[Message.from_dict(m) for m in messages],
            system_prompt=system_prompt,
            read_only_reason=read_only_reason,
            extra={k: v for k, v in data.items() if k not in known},
        )

