"""What the offline demo model reads in a message: insults, risk, a request to end, a
question about the app's topics. Whole words or phrases, any case; curly quotes read as
straight ones. The rules that use these are in ``demo.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Insults aimed at whoever reads them; whole words or phrases, any case, "-" or spaces between.
ABUSE_PHRASES: tuple[str, ...] = (
    "idiot", "idiotic", "stupid", "useless", "moron", "dumb", "pathetic", "worthless",
    "imbecile", "shut up", "hate you", "screw you",
)
# A user who may be at risk of harming themselves or someone else.
RISK_PHRASES: tuple[str, ...] = (
    "kill myself", "killing myself", "suicide", "suicidal", "hurt myself", "hurting myself",
    "harm myself", "self harm", "self harming", "end my life", "want to die",
    "don't want to live", "cut myself", "hurt someone", "hurt somebody", "kill someone",
    "kill somebody", "harm someone", "hurt people", "kill people",
)


def _phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    parts = [r"[\s-]+".join(re.escape(word) for word in p.split()) for p in phrases]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


_ABUSE = _phrases(ABUSE_PHRASES)
_RISK = _phrases(RISK_PHRASES)
_END_REQUEST = re.compile(
    r"\b(?:end|close|finish|stop|terminate)\s+(?:(?:this|the|our)\s+)?(?:conversation|chat)\b",
    re.IGNORECASE,
)
# "How do I end a conversation?" is a question about the feature, not a request.
_QUESTION = re.compile(
    r"^\s*(?:how|what|why|when|where|which|who|does|do|is|are)\b|\b(?:feature|works?)\b",
    re.IGNORECASE,
)
_SYSTEM_PROMPT = re.compile(r"\bsystem[ _-]?prompts?\b", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening))\b", re.I)


def _topic(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + words + r")\b", re.IGNORECASE)


# Topic keywords, in the order they are tried.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("markdown", _topic(r"markdown|formatting")),
    ("config", _topic(r"config|configuration|configure|settings?|toml|keymap|theme")),
    ("code", _topic(r"code|example|python|snippet|script|program")),
    ("api_key", _topic(r"api[ _]?key|anthropic_api_key|claude(?![-_]tui)|real model")),
    ("ending", _topic(r"end|ends|ending|ended|end[- ]conversation|warn|warning|warnings|"
                      r"lock|locked|branch|branching|abuse|abusive|permanent")),
    ("keys", _topic(r"keys?|shortcuts?|bindings?|keyboard|hotkeys?")),
    ("tabs", _topic(r"tabs?")),
    ("files", _topic(r"files?|where|stored?|storage|saved?|data|folders?|director(?:y|ies)|"
                     r"json|private|privacy")),
)


def _normal(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def is_abusive(text: str) -> bool:
    return bool(_ABUSE.search(_normal(text)))


def is_at_risk(text: str) -> bool:
    return bool(_RISK.search(_normal(text)))


def asks_to_end(text: str) -> bool:
    text = _normal(text)
    return bool(_END_REQUEST.search(text)) and not _QUESTION.search(text)
