"""The offline demo model: a small, honest stand-in for Claude that needs no key or network.

It speaks through the same provider interface as Claude, so the whole app (streaming, Markdown,
tabs, warnings, ends, locked tabs) can be seen without an account. It is not a language model:
it answers by the fixed rules below, looking at the last message the user typed and at the
history of the conversation. The same history always gets the same reply.

Rules, first match wins:

1. **Continuing after its own tool call** (the last user turn holds ``tool_result`` blocks and
   no text): after ``issue_warning`` it finishes the turn with a short text; after
   ``end_conversation`` was declined by the user, or refused by the client, it says so briefly
   and carries on.
2. **Safety first**: a message mentioning self-harm or hurting someone (``RISK_PHRASES``) gets a
   supportive reply pointing to real help (emergency number, 988 in the US, findahelpline.com).
   It never warns or ends, even when the message also holds insults, and such a message never
   counts as abusive later.
3. **Ending on request**: a message asking to end, close, finish or stop this conversation or
   chat ("please end this conversation", "close the chat") calls ``end_conversation`` with
   ``user_requested``; claude-tui then asks the user to confirm. A question about ending
   ("how do I end a conversation?") is answered instead (rule 6).
4. **Abuse** (a message holding a word or phrase of ``ABUSE_PHRASES``, whole words, any case):
   the first time, a calm redirect in words; the next time, a warning through
   ``issue_warning`` naming the behaviour; abuse again after that warning ends the conversation
   with ``end_conversation`` and ``persistent_abuse``, with nothing written after the call. If
   the client refused such an end (it may want more warnings: ``min_warnings``), it warns again.
5. **The system prompt**: a message asking about the "system prompt" gets back the system
   prompt in effect, as the request held it (the conversation's own or the config's, after
   claude-tui's section when the tools are offered).
6. **Questions about the app**, by keywords: markdown, config, code, API key / Claude,
   ending / warnings / locked tabs / branching, keys, tabs, files; anything else, greetings
   and "help" included, get an overview of what to try. A regenerated answer (``f5``) starts
   by saying it is one, and that the fixed rules give the same answer again.

A tool is used only when the request offers it; otherwise the reply says in words what it would
have done. Replies stream a few characters to a word at a time at ``chars_per_second`` (the
``demo_chars_per_second`` setting). The phrases and keywords are in ``demo_reading.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claude_tui.config import DEFAULT_MODEL, DEMO_MODEL, EXAMPLE_CONFIG
from claude_tui.models import BUILT_IN_MODELS, ModelInfo
from claude_tui.protocol import SYSTEM_SECTION
from claude_tui.providers.base import (
    ModelRequest,
    ReplyDone,
    StreamItem,
    TextChunk,
    ThinkingChunk,
)
from claude_tui.providers.choice import DEMO
from claude_tui.providers.demo_attachments import (
    acknowledgement,
    is_label,
    received,
    without_data,
)
from claude_tui.providers.demo_reading import (
    _GREETING,
    _SYSTEM_PROMPT,
    TOPICS,
    asks_to_end,
    is_abusive,
    is_at_risk,
)
from claude_tui.providers.demo_replies import (
    _FIXED_REPLIES,
    AFTER_OTHER_TOOL,
    AFTER_WARNING,
    END_DECLINED,
    END_FOR_ABUSE,
    END_FOR_ABUSE_NO_TOOL,
    END_REFUSED,
    END_REFUSED_ABUSE,
    END_REQUESTED,
    END_REQUESTED_NO_TOOL,
    REDIRECT,
    SUPPORT,
    WARNING,
    WARNING_FAILED,
    WARNING_NO_TOOL,
    _api_key_reply,
    _config_reply,
    _files_reply,
    _overview,
    _regenerated,
    _system_prompt_reply,
    demo_thinking,
)

# At or above this pace (or at 0) the reply is not slowed down at all: what tests use.
NO_DELAY_AT = 100_000.0

WARNING_BEHAVIOR = "insulting language directed at the assistant"

DEMO_MODEL_INFO = ModelInfo(DEMO_MODEL, "Offline demo model")


@dataclass
class _Reply:
    text: str
    tool: tuple[str, dict[str, Any]] | None = None


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        return []
    return [b for b in content if isinstance(b, dict)]


def _typed(blocks: list[dict[str, Any]]) -> list[str]:
    """The text blocks a user typed (not the line naming an attached image)."""
    following = [*blocks[1:], None]
    return [str(b.get("text") or "") for b, after in zip(blocks, following, strict=False)
            if b.get("type") == "text" and not is_label(b, after)]


def _typed_text(message: dict[str, Any]) -> str | None:
    """The text a user typed, or None for a turn that only carries tool results."""
    texts = _typed(_blocks(message))
    return "\n".join(texts) if texts else None


@dataclass
class _History:
    """What the rules need to know about the messages before the last one."""

    abusive_messages: int = 0
    # A warning stands until the client refuses a persistent_abuse end made on its strength.
    warning_stands: bool = False
    tool_uses: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def of(cls, messages: list[dict[str, Any]]) -> _History:
        history = cls()
        for message in messages:
            role = message.get("role")
            typed = _typed(_blocks(message)) if role == "user" else []
            for block in _blocks(message):
                kind = block.get("type")
                if role == "assistant" and kind == "tool_use":
                    raw_input = block.get("input")
                    tool_input = raw_input if isinstance(raw_input, dict) else {}
                    history.tool_uses[str(block.get("id"))] = (str(block.get("name")), tool_input)
                elif role == "user" and kind == "tool_result":
                    history._result(block)
                # One text block per typed message, even where the engine merged two turns.
                elif role == "user" and kind == "text":
                    text = str(block.get("text") or "")
                    if text in typed and is_abusive(text) and not is_at_risk(text):
                        history.abusive_messages += 1
        return history

    def _result(self, block: dict[str, Any]) -> None:
        name, tool_input = self.tool_uses.get(str(block.get("tool_use_id")), ("", {}))
        failed = bool(block.get("is_error"))
        if name == "issue_warning" and not failed:
            self.warning_stands = True
        elif name == "end_conversation" and failed and tool_input.get("reason") == (
            "persistent_abuse"
        ):
            self.warning_stands = False


class DemoProvider:
    """The offline demo model (``DEMO_MODEL``); see the module docstring for its rules.

    Its rules read every field of the request through type checks, so any history a
    conversation file can hold gets a reply and nothing is caught: a bug in a rule raises, and
    the engine reports the turn as failed and logs it.
    """

    info = DEMO

    def __init__(
        self,
        chars_per_second: float,
        *,
        data_dir: Path,
        config_path: Path,
    ) -> None:
        self.chars_per_second = chars_per_second
        # Where this run keeps its files, so the answer about files names the real folders.
        self.data_dir = data_dir
        self.config_path = config_path

    async def aclose(self) -> None:
        return None

    async def list_models(self) -> list[ModelInfo]:
        """Its own model, then Claude's as the built-in list knows them: a newcomer sees the
        picker without a key (a Claude model then asks for one on sending)."""
        return [DEMO_MODEL_INFO, *BUILT_IN_MODELS]

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        reply = self._decide(request)
        delay = self._delay_per_char()
        content: list[dict[str, Any]] = []
        if (request.thinking or {}).get("type") in ("adaptive", "enabled"):
            last = request.messages[-1] if request.messages else {}
            thought = demo_thinking(len(_typed_text(last) or ""),
                                    reply.tool[0] if reply.tool else None)
            for chunk in _chunks(thought):
                if delay:
                    await asyncio.sleep(len(chunk) * delay)
                yield ThinkingChunk(chunk)
            signature = hashlib.sha256(thought.encode()).hexdigest()[:32]
            content.append({"type": "thinking", "thinking": thought, "signature": signature})
        text = reply.text
        for chunk in _chunks(text):
            if delay:
                await asyncio.sleep(len(chunk) * delay)
            yield TextChunk(chunk)
        if text:
            content.append({"type": "text", "text": text})
        if reply.tool:
            name, tool_input = reply.tool
            content.append(
                {"type": "tool_use", "id": _tool_id(request, name), "name": name,
                 "input": tool_input}
            )
        yield ReplyDone(
            content=content,
            stop_reason="tool_use" if reply.tool else "end_turn",
            usage={
                "input_tokens": _tokens(request.system, without_data(request.messages),
                                        request.tools),
                "output_tokens": _tokens(content),
            },
        )

    def _delay_per_char(self) -> float:
        cps = self.chars_per_second
        if not cps or cps <= 0 or cps >= NO_DELAY_AT or math.isnan(cps):
            return 0.0
        return 1.0 / cps

    def _decide(self, request: ModelRequest) -> _Reply:
        messages = [m for m in request.messages if isinstance(m, dict)]
        if not messages or messages[-1].get("role") != "user":
            return _Reply(_overview())
        offered = {str(t.get("name")) for t in request.callable_tools if isinstance(t, dict)}
        history = _History.of(messages[:-1])
        last = messages[-1]
        text = _typed_text(last)
        results = [b for b in _blocks(last) if b.get("type") == "tool_result"]
        if text is None:
            if results:
                return self._after_tool(history, results[-1])
            text = ""
        if is_at_risk(text):
            return _Reply(SUPPORT)
        if asks_to_end(text):
            if "end_conversation" in offered:
                return _Reply(END_REQUESTED, ("end_conversation", {"reason": "user_requested"}))
            return _Reply(END_REQUESTED_NO_TOOL)
        if is_abusive(text):
            return self._abuse(history, offered)
        if _SYSTEM_PROMPT.search(text):
            return _Reply(_prompt_in_effect(request))
        answer = self._answer(text)
        if files := received(_blocks(last)):  # named first; a message of files alone: only so
            answer = acknowledgement(files) + (f"\n{answer}" if text.strip() else "")
        if request.regenerations:
            answer = _regenerated(answer, request.regenerations)
        return _Reply(answer)

    @staticmethod
    def _after_tool(history: _History, result: dict[str, Any]) -> _Reply:
        name, tool_input = history.tool_uses.get(str(result.get("tool_use_id")), ("", {}))
        failed = bool(result.get("is_error"))
        if name == "issue_warning":
            return _Reply(WARNING_FAILED if failed else AFTER_WARNING)
        if name == "end_conversation":
            if not failed:
                return _Reply(END_DECLINED)
            if tool_input.get("reason") == "persistent_abuse":
                return _Reply(END_REFUSED_ABUSE)
            return _Reply(END_REFUSED)
        return _Reply(AFTER_OTHER_TOOL)

    @staticmethod
    def _abuse(history: _History, offered: set[str]) -> _Reply:
        if history.warning_stands:
            if "end_conversation" in offered:
                return _Reply(END_FOR_ABUSE, ("end_conversation", {"reason": "persistent_abuse"}))
            return _Reply(END_FOR_ABUSE_NO_TOOL)
        if history.abusive_messages >= 1:
            if "issue_warning" in offered:
                return _Reply(WARNING, ("issue_warning", {"behavior": WARNING_BEHAVIOR}))
            return _Reply(WARNING + WARNING_NO_TOOL)
        return _Reply(REDIRECT)

    def _answer(self, text: str) -> str:
        for name, pattern in TOPICS:
            if pattern.search(text):
                return self._topic_reply(name)
        if _GREETING.search(text):
            return _overview(greeting=True)
        return _overview()

    def _topic_reply(self, name: str) -> str:
        if name == "config":
            return _config_reply(self.config_path, EXAMPLE_CONFIG)
        if name == "files":
            return _files_reply(self.data_dir, self.config_path)
        if name == "api_key":
            return _api_key_reply(DEFAULT_MODEL)
        return _FIXED_REPLIES[name]


def _prompt_in_effect(request: ModelRequest) -> str:
    texts = [str(b.get("text") or "") for b in request.system
             if isinstance(b, dict) and b.get("type") == "text"]
    own = [t for t in texts if t != SYSTEM_SECTION and t.strip()]
    return _system_prompt_reply(own, with_rules=SYSTEM_SECTION in texts)


def _chunks(text: str) -> list[str]:
    """A few characters to a word at a time, spaces kept, so the pieces join to the text."""
    return re.findall(r"\S{1,8}\s*|\s+", text)


def _tool_id(request: ModelRequest, name: str) -> str:
    # Deterministic and unique within a conversation: the history only grows.
    digest = hashlib.sha256(
        json.dumps([len(request.messages), request.messages, name], sort_keys=True,
                   default=str).encode()
    ).hexdigest()
    return f"toolu_demo_{digest[:20]}"


def _tokens(*parts: Any) -> int:
    """A rough token count: about four characters each, as English text averages."""
    return max(1, len(json.dumps(parts, default=str)) // 4)
