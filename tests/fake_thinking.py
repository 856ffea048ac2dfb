"""Extended thinking for the fake Messages API: signatures, and what the real API refuses.

A thinking block's ``signature`` (a ``redacted_thinking`` block's ``data``) carries its text and
an HMAC of that text and, for models with preserved thinking, of the history before it (the
system prompt, the tools and the earlier messages, breakpoints left out). A block sent back
with another text, another signature, or after a changed history is refused with a 400, as the
real API does; so is what ``problems()`` lists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

_KEY = b"fake-api-thinking"
# Models whose thinking is bound to the history before it (preserved thinking).
PRESERVED = {"claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-2",
             "claude-fable-5-1", "claude-mythos-5-2", "claude-mythos-5-1"}
# Models that take only adaptive thinking: a budget is refused; the first ones cannot turn it
# off either. Their thinking is omitted unless display "summarized" is asked for.
ADAPTIVE_ONLY = {"claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-2",
                 "claude-opus-5", "claude-sonnet-5", "claude-opus-4-8", "claude-opus-4-7"}
ALWAYS_ON = {"claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-2"}
THINKING = ("thinking", "redacted_thinking")


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "cache_control"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def prefix(body: dict[str, Any], upto: int) -> str:
    """The digest of what comes before message ``upto`` of ``body``, for a preserved model."""
    if body.get("model") not in PRESERVED:
        return ""
    system = body.get("system")
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    data = [_strip(system or []), _strip(body.get("tools") or []),
            _strip(body.get("messages", [])[:upto])]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _mac(text: str, before: str) -> str:
    return hmac.new(_KEY, f"{before}|{text}".encode(), hashlib.sha256).hexdigest()[:32]


def sign(text: str, before: str) -> str:
    return base64.b64encode(text.encode()).decode() + "." + _mac(text, before)


def _signed_text(signature: Any, before: str) -> str | None:
    """The text a signature vouches for, or None when it is not one of ours for this history."""
    if not isinstance(signature, str) or "." not in signature:
        return None
    encoded, mac = signature.rsplit(".", 1)
    try:
        text = base64.b64decode(encoded.encode(), validate=True).decode()
    except ValueError:
        return None
    return text if hmac.compare_digest(mac, _mac(text, before)) else None


def shown(body: dict[str, Any]) -> bool:
    """The reply's thinking text is sent (else omitted: empty text, signature kept)."""
    config = body.get("thinking") or {}
    if config.get("display") == "summarized":
        return True
    return config.get("display") != "omitted" and body.get("model") not in ADAPTIVE_ONLY


def thinks(body: dict[str, Any]) -> bool:
    """The request turns thinking on. (A model that thinks unasked would always send thinking
    first; the scripts of tests without thinking do not, so only an explicit request counts.)"""
    return (body.get("thinking") or {}).get("type") in ("adaptive", "enabled")


def problems(body: dict[str, Any]) -> str | None:
    """What the real API would refuse about thinking in this request, if anything."""
    model = body.get("model")
    config = body.get("thinking")
    if config is not None:
        kind = config.get("type")
        if kind == "enabled":
            if model in ADAPTIVE_ONLY:
                return ('"thinking.type.enabled" is not supported for this model. Use '
                        '"thinking.type.adaptive" and "output_config.effort" to control '
                        "thinking behavior.")
            budget = config.get("budget_tokens")
            if not isinstance(budget, int) or budget < 1024:
                return ("thinking.enabled.budget_tokens: Input should be greater than or "
                        "equal to 1024")
            if budget >= int(body.get("max_tokens") or 0):
                return "`max_tokens` must be greater than `thinking.budget_tokens`."
        elif kind == "disabled" and model in ALWAYS_ON:
            return ('"thinking.type.disabled" is not supported for this model. Use '
                    '"thinking.type.adaptive" and "output_config.effort" to control '
                    "thinking behavior.")
        elif kind not in ("adaptive", "disabled"):
            return f"thinking.type: Input tag {kind!r} found using 'type' does not match"
    if thinks(body) and (body.get("tool_choice") or {}).get("type") in ("any", "tool"):
        return "Thinking may not be enabled when `tool_choice` forces tool use."
    messages = body.get("messages") or []
    for index, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list) or message.get("role") != "assistant":
            continue
        before = prefix(body, index)
        for number, block in enumerate(content):
            kind = block.get("type")
            where = f"messages.{index}.content.{number}"
            if kind == "thinking":
                if not block.get("signature"):
                    return f"{where}.thinking.signature: Field required"
                vouched = _signed_text(block.get("signature"), before)
                if vouched is None or block.get("thinking") not in (vouched, ""):
                    return f"{where}: Invalid `signature` in `thinking` block"
            elif kind == "redacted_thinking" and _signed_text(block.get("data"), before) is None:
                return f"{where}: Invalid `data` in `redacted_thinking` block"
            if kind in THINKING and "cache_control" in block:
                return f"{where}.{kind}.cache_control: Extra inputs are not permitted"
    if thinks(body) and len(messages) >= 2:
        last, turn = messages[-1], messages[-2]
        results = [b for b in last.get("content") or [] if isinstance(b, dict)
                   and b.get("type") == "tool_result"]
        first = (turn.get("content") or [{}])[0]
        if results and turn.get("role") == "assistant" and first.get("type") not in THINKING:
            return (f"messages.{len(messages) - 2}.content.0.type: Expected `thinking` or "
                    f"`redacted_thinking`, but found `{first.get('type')}`. When `thinking` is "
                    "enabled, a final `assistant` message must start with a thinking block.")
    return None
