"""What the app says at start-up about its settings: binding ids it does not know, keys it
refused to remap, settings it does not know. Each is a notice naming the file; nothing stops."""

from __future__ import annotations

from textual.app import App

from claude_tui.config import Settings
from claude_tui.ui.bindings import APP_KEYS, COMPOSER_KEYS
from claude_tui.ui.keymap import RefusedKey, key_clashes, refused_notice

REMAPPABLE_IDS = {spec.id for spec in [*APP_KEYS, *COMPOSER_KEYS] if not spec.fixed}


def report_config(app: App[None], settings: Settings, refused_keys: list[RefusedKey]) -> None:
    unknown = sorted(set(settings.keymap) - REMAPPABLE_IDS)
    if unknown:
        app.notify(
            f"Unknown binding ids in [keymap] of {settings.path}: {', '.join(unknown)}. "
            "Press f1 for the keys; the ids are listed in the README.",
            title="Keymap", severity="warning", timeout=15, markup=False,
        )
    clashes = key_clashes(settings.keymap)
    if clashes:
        shared = "; ".join(f"{key} by {' and '.join(ids)}" for key, ids in clashes.items())
        app.notify(
            f"[keymap] of {settings.path} gives one key to several bindings ({shared}): only "
            "one of them answers it. Give each its own key; f1 lists them.",
            title="Keymap", severity="warning", timeout=20, markup=False)
    if refused_keys:
        app.notify(refused_notice(refused_keys, settings.path), title="Keymap",
                   severity="warning", timeout=20, markup=False)
    if settings.theme and settings.theme not in app.available_themes:
        app.notify(
            f"Unknown theme {settings.theme!r} in {settings.path}; the default is used. "
            "ctrl+p → Theme lists the themes (the one you pick is saved).",
            title="Config", severity="warning", timeout=15, markup=False)
    if settings.unknown_keys:
        app.notify(
            f"Unknown settings in {settings.path}: {', '.join(settings.unknown_keys)}. They "
            "are kept in the file but do nothing; the README lists the settings.",
            title="Config", severity="warning", timeout=20, markup=False)
