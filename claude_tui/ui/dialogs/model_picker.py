"""Choose the model of the shown conversation (f9)."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from claude_tui.models import ModelCatalog, ModelInfo, price_of, tokens_text
from claude_tui.text import one_line
from claude_tui.ui.dialogs.dialog import DialogScreen

EXPLANATION = ("The conversation goes on with the chosen model from your next message. New "
               "conversations start on {default} (--model or the config's model).")
LISTING = "Asking for the models this key can use…"
NO_KEY = ("Without an API key only the offline demo model answers: set ANTHROPIC_API_KEY to "
          "talk to the Claude models (dimmed).")


def describe(model: ModelInfo, *, current: bool, needs_key: bool) -> Content:
    """One line of the list: the name, the id, the context window and the estimated price
    (USD per million input/output tokens); dimmed when it needs a key there is not."""
    facts = []
    if model.context_window:
        facts.append(f"{tokens_text(model.context_window)} ctx")
    price = price_of(model.id)
    if price is not None:
        facts.append(f"${price.input:g}/${price.output:g} per Mtok")
    style = "dim" if needs_key else ""
    return Content.assemble(
        ("● " if current else "  ", "bold"),
        (one_line(model.display_name, 21).ljust(22), "bold" if current else style),
        (one_line(model.id, 24).ljust(20), "dim"),
        (" · ".join(facts), "dim"),
    )


class ModelPicker(DialogScreen[str | None]):
    """Dismisses with the chosen model's id, or None. Shows what the catalog knows at once,
    and the providers' own list once they have answered."""

    CSS_PATH = "model_picker.tcss"
    # Its list of models is long (up to 20 rows): on fewer than 40 it fills the screen instead.
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"),
                                                                    (40, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, catalog: ModelCatalog, current: str, default: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.current = current
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="models"):
            yield Static("Choose the model for this conversation", id="models-heading",
                         markup=False)
            yield Static(EXPLANATION.format(default=one_line(self.default, 40)),
                         id="models-explanation", markup=False)
            if self.catalog.providers.claude is None:
                yield Static(NO_KEY, id="models-no-key", markup=False)
            yield OptionList(id="models-list")
            yield Static("" if self.catalog.listed else LISTING, id="models-state",
                         markup=False)
            yield Static("enter choose · escape cancel · prices are estimates",
                         id="models-keys", markup=False)

    def on_mount(self) -> None:
        self._fill(self.catalog.models)
        self.query_one(OptionList).focus()
        if not self.catalog.listed:
            self._list()

    @work(exit_on_error=False)
    async def _list(self) -> None:
        try:
            models = await self.catalog.refresh()
        finally:
            if self.is_attached:
                self.query_one("#models-state", Static).update("")
        if self.is_attached:
            self._fill(models)

    def _fill(self, models: list[ModelInfo]) -> None:
        options = self.query_one(OptionList)
        shown = list(models)
        if all(m.id != self.current for m in shown):  # a model named by hand, or retired
            shown.insert(0, ModelInfo(self.current, self.current))
        options.clear_options()
        options.add_options([
            Option(describe(m, current=m.id == self.current,
                            needs_key=self.catalog.needs_key(m.id)), id=m.id)
            for m in shown])
        options.highlighted = next(i for i, m in enumerate(shown) if m.id == self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
