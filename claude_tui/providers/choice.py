"""Which provider serves a model, and how the interface names it: decided here only.

``provider_info`` answers from the model's name alone, for every screen and command that shows a
conversation; each provider carries its description as ``info``. ``Providers`` holds the
providers a run talks to, built at start-up (``startup.py``), and hands the engine the one that
serves a model. Nothing here imports a provider, so the engine depends on none.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claude_tui.config import DEMO_MODEL
from claude_tui.providers.base import (
    END_CONVERSATION_TOOLS,
    Provider,
    ProviderError,
    ProviderInfo,
)

if TYPE_CHECKING:
    from claude_tui.providers.anthropic import AnthropicProvider

CLAUDE = ProviderInfo(name="anthropic", assistant_name="Claude", heading="Claude", offline=False)
DEMO = ProviderInfo(name="demo", assistant_name="the demo model", heading="Demo model",
                    offline=True, supports=frozenset({END_CONVERSATION_TOOLS}),
                    model_label="offline demo model")


def provider_info(model: str | None) -> ProviderInfo:
    """What serves ``model``: the offline demo model for its own name, Claude for any other."""
    return DEMO if model == DEMO_MODEL else CLAUDE


def assistant_name(model: str | None) -> str:
    """Who replies in a conversation on ``model``, mid-sentence: "Claude", "the demo model".

    Capitalise the first letter where it starts a sentence ("The demo model ended ...").
    """
    return provider_info(model).assistant_name


@dataclass
class Providers:
    """The providers of one run: the demo model always, Claude when there is an API key."""

    demo: Provider
    claude: AnthropicProvider | None = None

    def serving(self, model: str) -> Provider:
        """The provider that answers ``model``; ``ProviderError`` when that is Claude and
        there is no key."""
        slots: dict[str, Provider | None] = {DEMO.name: self.demo, CLAUDE.name: self.claude}
        provider = slots[provider_info(model).name]
        if provider is None:  # only Claude is ever missing: it needs a key
            raise ProviderError(
                "No API key: set ANTHROPIC_API_KEY (or api_key in the config file) to talk to "
                f"{model}, or start a conversation with the offline demo model.",
                kind="no_key", retryable=False)
        return provider

    async def aclose(self) -> None:
        for provider in (self.claude, self.demo):
            if provider is not None:
                with contextlib.suppress(Exception):  # closing must not hide the real outcome
                    await provider.aclose()
