"""Every key of the app, grouped, as the user types them, with the config's keymap applied."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from claude_tui.ui.bindings import APP_KEYS, COMPOSER_KEYS, HELP_GROUPS, KeySpec
from claude_tui.ui.dialogs.dialog import DialogScreen
from claude_tui.ui.dialogs.picker import PICKER_KEYS
from claude_tui.ui.key_words import shown_keys

# Typed in the composer rather than bound to a key.
COMPOSER_COMMANDS: list[tuple[str, str]] = [
    ("/end", "End this conversation (asks to confirm; permanent)"),
]



def help_rows(keymap: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group, [(keys, description)]) in the order of the bindings, keymap applied."""
    groups: dict[str, list[tuple[str, str]]] = {group: [] for group in HELP_GROUPS}
    jumps: list[tuple[KeySpec, list[str]]] = []
    for spec in [*APP_KEYS, *COMPOSER_KEYS]:
        keys = shown_keys(spec.keys if spec.fixed else keymap.get(spec.id, spec.keys))
        rows = groups.setdefault(spec.group, [])
        if spec.id.startswith("jump_tab_"):
            jumps.append((spec, keys))
            if len(jumps) == 1:
                rows.append(("", ""))  # placeholder: the jumps are shown where they start
            continue
        rows.append((", ".join(keys) or "(unbound)", spec.explained))
    if jumps:
        rows = groups[jumps[0][0].group]
        at = rows.index(("", ""))
        rows[at : at + 1] = _jump_rows(jumps)
    result = [(group, rows) for group, rows in groups.items() if rows]
    result.append(("Composer commands", COMPOSER_COMMANDS))
    result.append(("Open a conversation (picker)", PICKER_KEYS))
    return result


def _jump_rows(jumps: list[tuple[KeySpec, list[str]]]) -> list[tuple[str, str]]:
    """One "alt+1..9" row when the jumps keep their default keys, else one row each."""
    if all(keys == [f"alt+{n}"] for n, (_spec, keys) in enumerate(jumps, 1)):
        return [(f"alt+1..{len(jumps)}", f"Go to tab 1..{len(jumps)}")]
    return [(", ".join(keys) or "(unbound)", spec.explained) for spec, keys in jumps]


class HelpScreen(DialogScreen[None]):
    """Lists the keys; escape, f1 or q closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", show=False),
    ]

    def __init__(self, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        groups = help_rows(self.keymap)
        # One key column width for all groups, so the descriptions line up.
        width = max(len(keys) for _group, rows in groups for keys, _ in rows) + 2
        with VerticalScroll(id="help") as body:
            body.border_title = "Keys"
            body.border_subtitle = "escape, f1 or q closes · up/down scroll"
            for group, rows in groups:
                yield Static(group, classes="help-group", markup=False)
                yield Static(KeyRows(rows, width), classes="help-rows")

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)


# Under this many columns for the descriptions, each goes under its keys instead.
NARROW_DESCRIPTIONS = 24


class KeyRows:
    """Keys in a column of their own, a long description wrapping within its column; where
    the screen is too narrow for both (40 columns), each description goes under its keys."""

    def __init__(self, rows: list[tuple[str, str]], width: int) -> None:
        self.rows = rows
        self.width = width  # of the keys' column

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width - self.width >= NARROW_DESCRIPTIONS:
            table = Table.grid(expand=True)
            table.add_column(width=self.width, no_wrap=True)
            table.add_column(ratio=1)
            for keys, description in self.rows:
                table.add_row(Text(keys, style="bold"), Text(description))
            yield table
            return
        for keys, description in self.rows:
            yield Text(keys, style="bold")
            yield Padding(Text(description), (0, 0, 0, 2))
