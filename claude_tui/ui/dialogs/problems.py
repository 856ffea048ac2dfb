"""The conversation files that could not be read, as one list (ctrl+p → Unreadable files)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from claude_tui.storage.store import FileProblem
from claude_tui.text import one_line
from claude_tui.ui.dialogs.dialog import DialogScreen
from claude_tui.ui.palette import PALETTE_NAME


def summary(problems: list[FileProblem]) -> str:
    """One notice for newly found ``problems``: the file itself when there is one."""
    if len(problems) == 1:
        problem = problems[0]
        where = (f"It was kept aside as {problem.kept_as}." if problem.kept_as is not None
                 else "It was left where it is.")
        return (f"{one_line(problem.path.name, 200)} could not be read: "
                f"{one_line(problem.reason, 300)}. {where} The list: ctrl+p → {PALETTE_NAME}")
    return (f"{len(problems)} conversation files could not be read — open the list: "
            f"ctrl+p → {PALETTE_NAME}")


def describe(problem: FileProblem) -> Text:
    text = Text()
    text.append(one_line(problem.path.name, 200), style="bold")
    text.append(f"\n  {one_line(problem.reason, 300)}")
    if problem.kept_as is not None:
        text.append(f"\n  moved aside, bytes intact: {one_line(str(problem.kept_as), 300)}",
                    style="dim")
    else:
        text.append(f"\n  left where it is: {one_line(str(problem.path), 300)}", style="dim")
    return text


class ProblemsScreen(DialogScreen[None]):
    """Lists each file, why it could not be read and where it is now; escape closes."""

    DEFAULT_CSS = """
    ProblemsScreen { align: center middle; }
    #problems { width: 90%; max-width: 110; height: auto; max-height: 80%;
                border: round $warning; background: $surface; padding: 0 1; }
    #problems-list { height: auto; max-height: 30; }
    .problem { margin: 1 0 0 0; }
    #problems-keys { color: $text-muted; margin: 1 0 0 0; }
    /* A small terminal: the dialog fills it and the list scrolls, the keys stay in view. */
    ProblemsScreen.-short #problems, ProblemsScreen.-narrow #problems {
        width: 100%; max-height: 100%; }
    ProblemsScreen.-short #problems { height: 100%; }
    ProblemsScreen.-short #problems-list { height: 1fr; }
    ProblemsScreen.-short #problems-keys { margin: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", show=False),
    ]

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__()
        self.problems = list(problems)

    def compose(self) -> ComposeResult:
        with Vertical(id="problems") as box:
            box.border_title = PALETTE_NAME
            if not self.problems:
                yield Static("Every conversation file could be read.", markup=False)
            else:
                yield Static(
                    "These files could not be read. Nothing in them was changed; every other "
                    "conversation loads as usual. Mend a moved file by hand and move it back "
                    "into conversations/, or keep it as a record.", markup=False)
                with VerticalScroll(id="problems-list"):
                    for problem in self.problems:
                        yield Static(describe(problem), classes="problem", markup=False)
            yield Static("escape closes", id="problems-keys", markup=False)

    def on_mount(self) -> None:
        found = self.query("#problems-list")
        (found.first() if found else self.query_one("#problems")).focus()

    def action_close(self) -> None:
        self.dismiss(None)
