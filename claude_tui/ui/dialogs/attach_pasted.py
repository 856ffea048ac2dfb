"""A file's path was pasted on its own: attach the file, or paste the path as text?"""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Button, Static

from claude_tui.text import one_line
from claude_tui.ui.dialogs.yes_no import YesNoScreen


class AttachPastedScreen(YesNoScreen):
    """Dismisses with True (attach), False (paste the text) or None (escape: neither).

    Attaching is undone with a key (the chip's delete), so enter starts on it."""

    CSS_PATH: ClassVar[list[str]] = ["yes_no.tcss", "attach_pasted.tcss"]
    heading = "Attach this file?"
    confirm_label = "Attach"
    confirm_variant = "primary"

    def __init__(self, path: str, about: str) -> None:
        super().__init__(one_line(path, 300))
        self.about = about

    def body(self) -> list[str]:
        return [self.about, "y attaches it to your next message · n pastes the path as text "
                "· escape does neither"]

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm", Button).focus()
        # The shared key line says "cancel": here n pastes, so the body says it instead.
        self.query_one(".yes-no-keys", Static).display = False

    def action_cancel(self) -> None:
        self.dismiss(None)
