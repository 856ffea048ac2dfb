"""The Claude models the app knows offline, their prices, and a conversation's cost.

The built-in list is what the model picker shows when the models endpoint cannot be asked (no
key, no network, the demo) and where the endpoint leaves out a model's limits. The price
table is the only place prices live: update it here when they change.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from claude_tui.config import DEMO_MODEL
from claude_tui.conversation import Conversation
from claude_tui.providers.choice import provider_info
from claude_tui.record import Record

if TYPE_CHECKING:
    from claude_tui.providers.choice import Providers


class ModelInfo(Record):
    """A model as the picker and the status line need it; None where nobody said."""

    id: str
    display_name: str
    context_window: int | None = None  # input tokens the model takes (max_input_tokens)
    max_output: int | None = None  # the largest max_tokens it accepts


class Price(Record):
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float  # 5-minute cache writes, what this app asks for
    cache_read: float


_M = 1_000_000
_K = 1_000

BUILT_IN_MODELS: tuple[ModelInfo, ...] = (
    ModelInfo("claude-opus-5-5", "Claude Opus 5.5", 1 * _M, 128 * _K),
    ModelInfo("claude-sonnet-5-5", "Claude Sonnet 5.5", 1 * _M, 128 * _K),
    ModelInfo("claude-haiku-5-5", "Claude Haiku 5.5", 1 * _M, 128 * _K),
    ModelInfo("claude-fable-5-2", "Claude Fable 5.2", 1 * _M, 128 * _K),
    ModelInfo("claude-opus-5", "Claude Opus 5", 1 * _M, 128 * _K),
    ModelInfo("claude-sonnet-5", "Claude Sonnet 5", 1 * _M, 128 * _K),
    ModelInfo("claude-opus-4-8", "Claude Opus 4.8", 1 * _M, 128 * _K),
    ModelInfo("claude-sonnet-4-6", "Claude Sonnet 4.6", 1 * _M, 64 * _K),
    ModelInfo("claude-haiku-4-5", "Claude Haiku 4.5", 200 * _K, 64 * _K),
)

# Prices are an ESTIMATE, copied by hand from https://platform.claude.com/docs/en/about-claude/
# pricing (also claude.com/pricing); check there before trusting a figure. Not counted: batch
# discounts, 1-hour cache writes, long-prompt rates (Haiku 5.5 above 100k tokens), taxes.
# A dated id ("claude-haiku-4-5-20251001") takes its alias's price.
PRICES: dict[str, Price] = {
    "claude-fable-5-2": Price(8.00, 40.00, 10.00, 0.20),
    "claude-mythos-5-2": Price(8.00, 40.00, 10.00, 0.20),
    "claude-fable-5-1": Price(10.00, 50.00, 12.50, 0.25),
    "claude-mythos-5-1": Price(10.00, 50.00, 12.50, 0.25),
    "claude-opus-5-5": Price(4.00, 20.00, 5.00, 0.20),
    "claude-sonnet-5-5": Price(2.00, 10.00, 2.50, 0.10),
    "claude-haiku-5-5": Price(0.10, 0.50, 0.125, 0.01),
    "claude-opus-5": Price(5.00, 25.00, 6.25, 0.50),
    "claude-sonnet-5": Price(2.00, 10.00, 2.50, 0.20),
    "claude-opus-4-8": Price(5.00, 25.00, 6.25, 0.50),
    "claude-opus-4-7": Price(5.00, 25.00, 6.25, 0.50),
    "claude-opus-4-6": Price(5.00, 25.00, 6.25, 0.50),
    "claude-opus-4-5": Price(5.00, 25.00, 6.25, 0.50),
    "claude-sonnet-4-6": Price(3.00, 15.00, 3.75, 0.30),
    "claude-sonnet-4-5": Price(3.00, 15.00, 3.75, 0.30),
    "claude-haiku-4-5": Price(1.00, 5.00, 1.25, 0.10),
}

_DATED = re.compile(r"^(?P<alias>.+)-\d{8}$")


def _alias(model: str) -> str:
    found = _DATED.match(model)
    return found["alias"] if found else model


def price_of(model: str | None) -> Price | None:
    """The table's price for ``model`` (or its undated alias); None for a model not in it."""
    if not model:
        return None
    return PRICES.get(model) or PRICES.get(_alias(model))


def built_in(model: str) -> ModelInfo | None:
    wanted = {model, _alias(model)}
    return next((m for m in BUILT_IN_MODELS if m.id in wanted), None)


def merged(listed: Iterable[ModelInfo]) -> list[ModelInfo]:
    """Models from the endpoint, each limit it left out filled in from the built-in list."""
    result: list[ModelInfo] = []
    for model in listed:
        known = built_in(model.id)
        if known is not None:
            model = ModelInfo(model.id, model.display_name or known.display_name,
                              model.context_window or known.context_window,
                              model.max_output or known.max_output)
        result.append(model)
    return result


class ModelCatalog:
    """The models a run offers: the built-in list until the providers have been asked, then
    what they said (Claude's from the models endpoint when there is a key), the offline demo
    model always among them."""

    def __init__(self, providers: Providers) -> None:
        self.providers = providers
        self.models: list[ModelInfo] = list(BUILT_IN_MODELS)
        self.listed = False  # the providers have answered
        self._listing: asyncio.Task[list[ModelInfo]] | None = None

    def needs_key(self, model: str) -> bool:
        """Choosing ``model`` would fail for want of an API key."""
        return self.providers.claude is None and not provider_info(model).offline

    async def refresh(self) -> list[ModelInfo]:
        """Ask the providers once (callers at the same time share the one request)."""
        if self._listing is None or (self._listing.done() and not self.listed):
            self._listing = asyncio.ensure_future(self._ask())
        return await asyncio.shield(self._listing)

    async def _ask(self) -> list[ModelInfo]:
        demo = await self.providers.demo.list_models()  # type: ignore[attr-defined]
        claude = self.providers.claude
        if claude is None:
            found = list(demo)
        else:
            found = await claude.list_models()
            ids = {m.id for m in found}
            found += [m for m in demo if provider_info(m.id).offline and m.id not in ids]
        self.models, self.listed = found, True
        return found


def context_window(model: str, known: Iterable[ModelInfo] = ()) -> int | None:
    """The model's window: from the models listed this run where they say, else the table."""
    for info in known:
        if info.id == model and info.context_window:
            return info.context_window
    found = built_in(model)
    return found.context_window if found else None


def context_used(conversation: Conversation) -> int:
    """Tokens of context the conversation fills, as of its latest reply: what that request
    read (fresh, cached or written to the cache) and what the reply added."""
    for message in reversed(conversation.messages):
        if message.role == "assistant" and message.usage and not message.excluded:
            usage = message.usage
            return sum(_int(usage, k) for k in (
                "input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
                "output_tokens"))
    return 0


class CostEstimate(Record):
    usd: float
    # Replies with usage on a model the price table does not know: not in ``usd``.
    unpriced: int = 0


def estimated_cost(conversation: Conversation) -> CostEstimate:
    """What the conversation's replies cost, each at the price of the model that wrote it."""
    usd, unpriced = 0.0, 0
    for message in conversation.messages:
        usage = message.usage
        if message.role != "assistant" or not usage:
            continue
        price = price_of(message.model or conversation.model)
        if price is None:
            unpriced += 1
            continue
        usd += (_int(usage, "input_tokens") * price.input
                + _int(usage, "output_tokens") * price.output
                + _int(usage, "cache_creation_input_tokens") * price.cache_write
                + _int(usage, "cache_read_input_tokens") * price.cache_read) / _M
    return CostEstimate(usd, unpriced)


def _int(usage: dict[str, int], key: str) -> int:
    value = usage.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def tokens_text(count: int) -> str:
    """A token count in a few characters: 950, 12.3k, 200k, 1M, 1.5M."""
    if count < 1000:
        return str(count)
    if count < _M - 500:  # not "1000k"
        value = count / _K
        return f"{value:.1f}".removesuffix(".0") + "k" if value < 100 else f"{value:.0f}k"
    value = count / _M
    return f"{value:.1f}".removesuffix(".0") + "M"


def cost_text(usd: float) -> str:
    """A cost estimate as the status line shows it: "≈$0.04 est."."""
    if usd < 0.01:
        return "≈<$0.01 est."
    if usd < 100:
        return f"≈${usd:.2f} est."
    return f"≈${usd:,.0f} est."


# --- extended thinking ----------------------------------------------------------------------

EFFORTS = ("low", "medium", "high", "xhigh", "max")  # output_config.effort, least to most


class ThinkingSupport(Record):
    """How a model takes extended thinking, as the Messages API documents it.

    Sources (check there when a model is added): platform.claude.com/docs build-with-claude/
    thinking-troubleshooting (the per-model table), adaptive-thinking, extended-thinking,
    effort, preserved-thinking, and each model's "what's new" page.
    """

    adaptive: bool  # takes thinking {"type": "adaptive"}
    budget: bool  # takes thinking {"type": "enabled", "budget_tokens": N} (legacy)
    default_on: bool  # thinks when the request says nothing about thinking
    can_disable: bool  # takes thinking {"type": "disabled"}
    efforts: tuple[str, ...] = ()  # output_config.effort levels it takes
    # Its thinking blocks are bound to the exact history before them (preserved thinking):
    # a changed system prompt, tool list or earlier message makes the API refuse them.
    preserved: bool = False


_ADAPTIVE_ONLY = ThinkingSupport(adaptive=True, budget=False, default_on=False,
                                 can_disable=True, efforts=EFFORTS)
_ALWAYS_ADAPTIVE = ThinkingSupport(adaptive=True, budget=False, default_on=True,
                                   can_disable=False, efforts=EFFORTS, preserved=True)

# The one table of thinking facts per model. Display: every model that takes adaptive thinking
# gets display "summarized" (the newest default to "omitted", which returns empty thinking).
THINKING: dict[str, ThinkingSupport] = {
    # Adaptive always on; "disabled" and budgets are refused (400). Preserved thinking.
    "claude-opus-5-5": _ALWAYS_ADAPTIVE,
    "claude-sonnet-5-5": _ALWAYS_ADAPTIVE,  # its lowest setting is "between_tools"
    "claude-fable-5-2": _ALWAYS_ADAPTIVE,
    "claude-mythos-5-2": _ALWAYS_ADAPTIVE,
    "claude-fable-5-1": _ALWAYS_ADAPTIVE,
    "claude-mythos-5-1": _ALWAYS_ADAPTIVE,
    # Thinks by default, may be disabled (at effort high or below). Preserved thinking.
    "claude-haiku-5-5": ThinkingSupport(adaptive=True, budget=False, default_on=True,
                                        can_disable=True, efforts=EFFORTS, preserved=True),
    # Thinks by default, may be disabled; no budgets.
    "claude-opus-5": ThinkingSupport(adaptive=True, budget=False, default_on=True,
                                     can_disable=True, efforts=EFFORTS),
    "claude-sonnet-5": _ADAPTIVE_ONLY,
    "claude-opus-4-8": _ADAPTIVE_ONLY,
    "claude-opus-4-7": _ADAPTIVE_ONLY,
    # Adaptive, and budgets still (deprecated).
    "claude-opus-4-6": ThinkingSupport(adaptive=True, budget=True, default_on=False,
                                       can_disable=True, efforts=("low", "medium", "high", "max")),
    "claude-sonnet-4-6": ThinkingSupport(adaptive=True, budget=True, default_on=False,
                                         can_disable=True,
                                         efforts=("low", "medium", "high", "max")),
    # Budgets only.
    "claude-opus-4-5": ThinkingSupport(adaptive=False, budget=True, default_on=False,
                                       can_disable=True, efforts=("low", "medium", "high")),
    "claude-sonnet-4-5": ThinkingSupport(adaptive=False, budget=True, default_on=False,
                                         can_disable=True),
    "claude-haiku-4-5": ThinkingSupport(adaptive=False, budget=True, default_on=False,
                                        can_disable=True),
    # The offline demo model shows a short thinking block when asked; nothing binds it.
    DEMO_MODEL: ThinkingSupport(adaptive=True, budget=False, default_on=False, can_disable=True),
}
# A model the table does not know (a newer one): adaptive, as current models are, and its
# thinking treated as bound to the history, which is the careful guess.
UNKNOWN_THINKING = ThinkingSupport(adaptive=True, budget=False, default_on=False,
                                   can_disable=True, efforts=EFFORTS, preserved=True)


def thinking_support(model: str | None) -> ThinkingSupport:
    if not model:
        return UNKNOWN_THINKING
    return THINKING.get(model) or THINKING.get(_alias(model)) or UNKNOWN_THINKING
