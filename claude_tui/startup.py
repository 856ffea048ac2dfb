"""What a run starts with: its settings, its data folder, the model for new conversations, and
the providers it talks to. The command line (``cli.py``) decides them, the app and ``ask`` are
handed them.

Light to import: the SDK inside the Claude provider loads on its first request, or in
``AnthropicProvider.warm_up()``, which the app runs after its first paint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.config import DEMO_MODEL, Settings
from claude_tui.providers.anthropic import AnthropicProvider
from claude_tui.providers.choice import Providers, provider_info
from claude_tui.providers.demo import DemoProvider


@dataclass
class StartOptions:
    settings: Settings
    data_dir: Path
    # The model for new conversations (the demo model when there is no key or --demo).
    model: str
    api_key: str = field(repr=False)
    demo: bool
    # Why the demo model is in use, for the one-time notice; None when talking to Claude.
    demo_reason: str | None
    providers: Providers = field(repr=False)


def start_options(settings: Settings, data_dir: Path, *, api_key: str, model: str | None = None,
                  demo: bool = False) -> StartOptions:
    """The options of a run. ``model``: the one asked for (``--model``), else the settings';
    ``demo``: the demo model was asked for (``--demo``). Without a key it is the demo model."""
    demo_reason = None
    if demo:
        demo_reason = "--demo"
    elif model is not None and provider_info(model).offline:
        demo_reason = "--model"
    elif not api_key:
        demo_reason = "no API key"
    return StartOptions(
        settings=settings,
        data_dir=data_dir,
        model=DEMO_MODEL if demo_reason else (model or settings.model),
        api_key=api_key,
        demo=demo_reason is not None,
        demo_reason=demo_reason,
        providers=build_providers(settings, data_dir, api_key),
    )


def build_providers(settings: Settings, data_dir: Path, api_key: str) -> Providers:
    """The demo model always (conversations on it open without a key); Claude with a key, for
    every other model, whatever the model of new conversations is."""
    demo = DemoProvider(settings.demo_chars_per_second, data_dir=data_dir,
                        config_path=settings.path)
    if not api_key:
        return Providers(demo=demo)
    claude = AnthropicProvider(
        api_key=api_key, max_retries=settings.max_retries,
        max_retry_wait=settings.max_retry_wait, first_byte_timeout=settings.first_byte_timeout,
    )
    return Providers(demo=demo, claude=claude)
