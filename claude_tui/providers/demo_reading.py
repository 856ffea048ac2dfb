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


class WordPattern:
    """A case-blind regular expression compiled when first searched, not at import: the demo
    model reads nothing before the first message, and compiling these all took about 4 ms
    of start-up."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._compiled is None:  # two threads may both compile it: the same pattern
            self._compiled = re.compile(self.source, re.IGNORECASE)
        return self._compiled.search(text)


def _phrases(phrases: Iterable[str]) -> WordPattern:
    parts = [r"[\s-]+".join(re.escape(word) for word in p.split()) for p in phrases]
    return WordPattern(r"\b(?:" + "|".join(parts) + r")\b")


_ABUSE = _phrases(ABUSE_PHRASES)
_RISK = _phrases(RISK_PHRASES)
_END_REQUEST = WordPattern(
    r"\b(?:end|close|finish|stop|terminate)\s+(?:(?:this|the|our)\s+)?(?:conversation|chat)\b"
)
# "How do I end a conversation?" is a question about the feature, not a request.
_QUESTION = WordPattern(
    r"^\s*(?:how|what|why|when|where|which|who|does|do|is|are)\b|\b(?:feature|works?)\b"
)
_SYSTEM_PROMPT = WordPattern(r"\bsystem[ _-]?prompts?\b")
_GREETING = WordPattern(r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening))\b")


def _topic(words: str) -> WordPattern:
    return WordPattern(r"\b(?:" + words + r")\b")


# Topic keywords, in the order they are tried.
TOPICS: tuple[tuple[str, WordPattern], ...] = (
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
