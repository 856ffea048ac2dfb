"""What ``claude-tui ask`` prints while a turn runs: the reply on stdout, the rest on stderr.

The reply streams through ``inert()`` piece by piece, so no escape sequence in model text
reaches the terminal; the notices on stderr say what the app would show in its banner, its
dialogs and its status line.
"""

from __future__ import annotations

import sys
from typing import Any

from claude_tui.commands.common import EXIT_ENDED, EXIT_FAILURE, EXIT_OK, say
from claude_tui.conversation import Conversation
from claude_tui.events import (
    ChatEvent,
    ConversationEnded,
    ConversationFull,
    EndDeclined,
    EndRefused,
    MessageSaved,
    RefusalNotice,
    ReplyCutShort,
    TextDelta,
    TurnFailed,
    TurnFinished,
    UsageUpdated,
    WarningIssued,
)
from claude_tui.providers.base import RETRY_HINT
from claude_tui.providers.choice import assistant_name
from claude_tui.text import inert, one_line


def say_ended(conversation: Conversation, *, refused: bool = False) -> None:
    ended = conversation.ended
    if ended is None:
        return
    name = assistant_name(conversation.model)
    who = name if ended.by == "assistant" else "you"
    already = "was" if refused else "has been"
    say(f"this conversation {already} ended by {who} ({one_line(ended.reason, 80)}). "
        "The end is permanent: no further messages can be sent in it; other conversations "
        "are unaffected")


class AskPrinter:
    """The engine's event sink for one ``ask`` turn; remembers what the JSON result needs."""

    def __init__(self, conversation: Conversation, *, stream: bool) -> None:
        self.conversation = conversation
        self.stream = stream
        self.first_new = len(conversation.messages)  # messages from here on are this turn's
        self.failure: str | None = None
        self.refused: str | None = None
        self.ended = False
        self.stop_reason: str | None = None
        self.warnings: list[str] = []
        self.usage: dict[str, int] = {}
        self._printed = ""  # the last character written to stdout, "" before any
        self._new_reply = False  # a reply was saved: the next text starts a new paragraph
        self._pending_cr = False  # a "\r" at the end of a piece may be half of "\r\n"

    def __call__(self, event: ChatEvent) -> None:
        name = assistant_name(self.conversation.model)
        if isinstance(event, TextDelta):
            self._write(event.text)
        elif isinstance(event, MessageSaved):
            if event.message is not None and event.message.role == "assistant":
                self._new_reply = True
        elif isinstance(event, WarningIssued):
            self.warnings.append(event.behavior)
            self.break_line()
            say(f"warning from {name} about this behaviour: {one_line(event.behavior, 500)}. "
                "The conversation may be ended if it continues")
        elif isinstance(event, EndRefused):
            say(f"{name} asked to end the conversation ({one_line(event.reason, 80)}); not "
                f"allowed: {one_line(event.why, 300)}. The conversation stays open")
        elif isinstance(event, EndDeclined):
            say("the end was declined; the conversation stays open")
        elif isinstance(event, ConversationEnded):
            self.ended = True
            self.break_line()
            say_ended(self.conversation)
        elif isinstance(event, RefusalNotice):
            self.refused = event.explanation
            self.break_line()
            say(f"refused: {one_line(event.explanation, 500)}")
        elif isinstance(event, ReplyCutShort):
            self.break_line()
            say("the reply was cut short: it reached the length limit (max_tokens)")
        elif isinstance(event, ConversationFull):
            self.break_line()
            say("the conversation is full: it reached the model's context window; start a new "
                "one, or branch from an earlier message in the app")
        elif isinstance(event, UsageUpdated):
            for key, value in event.usage.items():
                self.usage[key] = self.usage.get(key, 0) + value
        elif isinstance(event, TurnFailed):
            self.failure = event.message
            self.break_line()
            say(one_line(_without_app_keys(event.message), 1000))
        elif isinstance(event, TurnFinished):
            self.stop_reason = event.stop_reason

    def _write(self, text: str) -> None:
        if self._pending_cr:
            text = "\r" + text
            self._pending_cr = False
        if text.endswith("\r"):
            text, self._pending_cr = text[:-1], True
        if self._new_reply and self._printed:
            text = "\n\n" + text.lstrip("\n") if self._printed != "\n" else "\n" + text
        self._new_reply = False
        if not text:
            return
        shown = inert(text)
        if self.stream and shown:
            sys.stdout.write(shown)
            sys.stdout.flush()
            self._printed = shown[-1]

    def break_line(self) -> None:
        """End the reply's line before a notice, so the two do not share one on a terminal."""
        if self._pending_cr:
            self._pending_cr = False
            self._write("\n")
        if self.stream and self._printed and self._printed != "\n":
            sys.stdout.write("\n")
            sys.stdout.flush()
            self._printed = "\n"

    def finish(self) -> None:
        self.break_line()

    def reply_text(self) -> str:
        new = self.conversation.messages[self.first_new:]
        return "\n\n".join(m.text for m in new if m.role == "assistant" and m.text)

    def result(self) -> dict[str, Any]:
        """The ``ask --json`` document (README: "From the command line")."""
        conversation = self.conversation
        ended = conversation.ended.to_dict() if conversation.ended else None
        return {
            "conversation": conversation.id,
            "model": conversation.model,
            "text": self.reply_text(),
            "stop_reason": self.stop_reason,
            "usage": self.usage,
            "status": conversation.status,
            "ended": ended,
            "warnings": self.warnings,
            "error": self.failure or self.refused,
        }


def _without_app_keys(message: str) -> str:
    """Engine messages name the app's retry key; on the command line, rerunning is the retry."""
    return message.replace(f"; {RETRY_HINT}", "").replace(RETRY_HINT, "run it again")


def exit_code(printer: AskPrinter) -> int:
    if printer.failure is not None or printer.refused is not None:
        return EXIT_FAILURE
    if printer.ended:
        return EXIT_ENDED
    return EXIT_OK
