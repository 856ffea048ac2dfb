"""Attach a file (ctrl+l): a path, completed as it is typed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from claude_tui.path_completion import complete, completions
from claude_tui.text import one_line
from claude_tui.ui.dialogs.dialog import DialogScreen

KEYS = ("tab or right takes the suggestion · enter attaches · escape cancels · images, PDFs "
        "and text files")


class PathSuggester(Suggester):
    """The first file or folder the typed path can become, shown greyed after it."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        found = completions(value)
        return found[0] if found else None


class AttachFileScreen(DialogScreen[str | None]):
    """Dismisses with the path typed (not checked: the caller reads the file), or None."""

    CSS_PATH = "attach_file.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("tab", "complete", "Complete", show=False, priority=True),
    ]

    def __init__(self, start: str = "") -> None:
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(id="attach"):
            yield Static("Attach a file to your next message", id="attach-heading",
                         markup=False)
            yield Input(value=self.start, placeholder="Path, e.g. ~/Pictures/chart.png",
                        suggester=PathSuggester(), id="attach-input")
            yield Static("", id="attach-found", markup=False)
            yield Static(KEYS, id="attach-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_complete(self) -> None:
        """Tab: as far as every completion agrees, and the choices listed."""
        field = self.query_one(Input)
        completed, found = complete(field.value)
        field.value = completed
        field.cursor_position = len(completed)
        names = [one_line(f.rstrip("/").rpartition("/")[2], 40) + ("/" if f.endswith("/") else "")
                 for f in found]
        shown = "  ".join(names[:12]) + ("  …" if len(names) > 12 else "")
        self.query_one("#attach-found", Static).update(shown if len(found) > 1 else "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
