"""The theme: the config's at start-up, and the one the user picks saved back to the config."""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

from claude_tui.config import ConfigError, Settings, save_setting


def follow_theme_setting(app: App[None], settings: Settings) -> None:
    """Use the config's theme (an unknown one is reported by ``config_report``), and save
    the theme chosen in the command palette from then on."""
    if settings.theme and settings.theme in app.available_themes:
        app.theme = settings.theme

    def save(theme: Theme) -> None:
        if theme.name == settings.theme:
            return
        try:
            save_setting(settings, "theme", theme.name)
        except (OSError, ConfigError) as exc:
            # The file may have been edited into something invalid while the app ran: it is
            # left as it is, and the theme holds for this session only.
            app.notify(f"The theme could not be saved: {exc}", title="Theme not saved",
                       severity="warning", timeout=10, markup=False)

    app.theme_changed_signal.subscribe(app, save)
