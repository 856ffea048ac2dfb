"""A yes/no modal: the shape shared by the end and delete confirmations.

Focus starts on Cancel, so an absent-minded enter never confirms; ``y`` confirms, ``n`` and
``escape`` cancel, and enter presses whichever button has focus. A dialog the user did not
open themselves can have a grace period: answers in its first moments were meant for the text
the user was typing, and are ignored (escape always cancels).
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant

from claude_tui.ui.dialogs.dialog import DialogScreen
from claude_tui.ui.key_words import in_your_keys


def clock() -> float:
    """The time a grace period is measured on (a test moves it on instead of sleeping)."""
    return time.monotonic()


class YesNoScreen(DialogScreen[bool]):
    """Asks one question; dismisses with True only when the user confirms."""

    CSS_PATH = "yes_no.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
        # The body scrolls where the screen is too small for it (the buttons stay in view).
        Binding("up", "scroll_body(-1)", show=False),
        Binding("down", "scroll_body(1)", show=False),
        Binding("pageup", "scroll_body(-10)", show=False),
        Binding("pagedown", "scroll_body(10)", show=False),
    ]

    heading: str = ""
    confirm_label: str = "OK"
    confirm_variant: ButtonVariant = "error"

    def __init__(self, subject: str, *, grace: float = 0.0) -> None:
        """``subject`` is untrusted text (a title): it is shown literally, on its own line.

        ``grace``: seconds after opening during which y, n and the buttons are ignored.
        """
        super().__init__()
        self.subject = subject
        self.grace = grace
        self._opened_at = clock()

    def body(self) -> list[str]:
        """The paragraphs under the subject, plain text."""
        return []

    def compose(self) -> ComposeResult:
        with Vertical(classes="yes-no-dialog"):
            yield Static(self.heading, classes="yes-no-heading", markup=False)
            with VerticalScroll(classes="yes-no-body", can_focus=False):
                yield Static(self.subject, classes="yes-no-subject", markup=False)
                for paragraph in self.body():
                    yield Static(in_your_keys(self, paragraph), classes="yes-no-text",
                                 markup=False)
            yield Static("y confirm · n or escape cancel", classes="yes-no-keys", markup=False)
            with Horizontal(classes="yes-no-buttons"):
                yield Button("Cancel", id="cancel", variant="default")
                yield Button(self.confirm_label, id="confirm", variant=self.confirm_variant)

    def on_mount(self) -> None:
        self._opened_at = clock()
        self.query_one("#cancel", Button).focus()

    def too_soon(self) -> bool:
        return clock() - self._opened_at < self.grace

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if not self.too_soon():
            self.dismiss(event.button.id == "confirm")

    def action_answer(self, confirmed: bool) -> None:
        if not self.too_soon():
            self.dismiss(confirmed)

    def action_scroll_body(self, lines: int) -> None:
        self.query_one(".yes-no-body").scroll_relative(y=lines, animate=False)

    def action_cancel(self) -> None:
        self.dismiss(False)
