"""What the app takes from Textual's private parts is still there and still works.

Each use lives in ``claude_tui/ui/textual_private.py``; a failure here names it. After a Textual
upgrade, a failure means that use must be rewritten before the app is released on that Textual.
A skip says a fix is no longer needed (Textual fixed the problem itself): the use may go.
"""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
import logging
import pkgutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import ClassVar

import pytest
from rich.segment import Segment
from rich.text import Text
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.events import DescendantFocus
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Button, Footer, Static, TabbedContent, TabPane
from textual.widgets._footer import FooterKey

import claude_tui.ui
from claude_tui.ui import terminal_keys, textual_private
from claude_tui.ui.textual_private import (
    OVERRIDDEN_HOOKS,
    allow_holding_layouts,
    keep_full_map_after_reflow,
    keep_shown_tab,
    lay_out_same_size_resizes_once,
    layouts_asked,
    layouts_held,
    screen_lines,
    stop_strip_divide_cycles,
    widget_visual,
)
from claude_tui.ui.transcript.parts import MessagePart
from tests.ui_helpers import (  # noqa: F401
    layouts_showing,
    no_animations,
    screen_text,
    until,
)

Divide = Callable[[Strip, Iterable[int]], Sequence[Strip]]


def parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def original_divide() -> Divide:
    return getattr(Strip.divide, "__wrapped__", Strip.divide)


# --- The private names, as the uses expect them ---


def test_add_key_sequences_finds_textuals_sequence_table() -> None:
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    assert isinstance(ANSI_SEQUENCES_KEYS, dict), (
        "add_key_sequences: textual._ansi_sequences.ANSI_SEQUENCES_KEYS is no longer a dict")
    assert all(isinstance(key, str) for key in ANSI_SEQUENCES_KEYS), "add_key_sequences"


def test_stop_strip_divide_cycles_finds_strip_divide() -> None:
    assert parameters(original_divide()) == ["self", "cuts"], "stop_strip_divide_cycles"
    assert isinstance(Strip([Segment("abc")]).cell_length, int), "stop_strip_divide_cycles"


def original_reflow() -> Callable[..., object]:
    from textual._compositor import Compositor

    return getattr(Compositor.reflow, "__wrapped__", Compositor.reflow)


def test_keep_full_map_after_reflow_finds_the_reflow_and_its_flag() -> None:
    from textual._compositor import Compositor

    assert parameters(original_reflow()) == ["self", "parent", "size"], (
        "keep_full_map_after_reflow: Compositor.reflow")
    assert Compositor()._full_map_invalidated is True, (
        "keep_full_map_after_reflow: Compositor._full_map_invalidated")


def test_keep_shown_tab_finds_the_handler_it_stops() -> None:
    handler = TabPane.__dict__.get("_on_descendant_focus")
    assert handler is not None, (
        "keep_shown_tab: TabPane._on_descendant_focus is gone; check how Textual now switches "
        "tabs on focus, and that ui/tabs/pane.py still stops it")
    assert parameters(handler) == ["self", "event"], "keep_shown_tab"


def test_the_render_cache_uses_find_widgets_private_rendering() -> None:
    from textual.widget import _RenderCache

    assert _RenderCache._fields == ("size", "lines"), "show_rendered_lines: _RenderCache"
    widget = Widget()
    assert isinstance(widget._render_cache, _RenderCache), "show_rendered_lines: _render_cache"
    assert isinstance(widget._dirty_regions, set), "show_rendered_lines: _dirty_regions"
    assert parameters(Widget._render) == ["self"], "widget_visual: Widget._render"
    assert isinstance(widget_visual(Static("words")), Visual), "widget_visual"


async def test_screen_lines_reads_the_lines_a_screen_paints() -> None:
    class Words(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("[b]the words[/b] as painted")

    app = Words()
    async with app.run_test(size=(40, 5)):
        lines = screen_lines(app.screen)
        assert lines is not None, "screen_lines: Screen._compositor.render_strips"
        assert len(lines) == 5 and all(line.cell_length == 40 for line in lines)
        assert lines[0].text.startswith("the words as painted")
        assert lines[0].crop(0, 9).text == "the words" and any(
            segment.style and segment.style.bold for segment in lines[0].crop(0, 9))


def test_lay_out_again_finds_the_count_box_models_are_cached_by() -> None:
    widget = Widget()
    assert isinstance(widget._layout_updates, int), "lay_out_again: Widget._layout_updates"
    source = inspect.getsource(Widget._get_box_model)
    assert "self._layout_updates" in source, (
        "lay_out_again: Widget._get_box_model no longer caches by _layout_updates; check how "
        "a widget painted at a guessed height is now measured again (ui/transcript/parts.py)")


# The parameters each overridden hook is called with (the overrides take the same).
HOOK_PARAMETERS = {
    "_size_updated": ["self", "size", "virtual_size", "container_size", "layout"],
}


@pytest.mark.parametrize("hook", sorted(OVERRIDDEN_HOOKS))
def test_each_overridden_hook_is_still_textuals(hook: str) -> None:
    original = getattr(Widget, hook, None)
    assert original is not None, f"Widget.{hook} is gone: {OVERRIDDEN_HOOKS[hook]}"
    assert parameters(original) == HOOK_PARAMETERS.get(hook, ["self"]), (
        f"OVERRIDDEN_HOOKS: Widget.{hook}")


# --- The uses, working ---


def test_add_key_sequences_makes_the_real_parser_read_esc_digit_as_alt_digit() -> None:
    assert terminal_keys.install(), "add_key_sequences could not be applied (see the log)"
    for sequence, key in terminal_keys.SEQUENCES.items():
        parsed = [(e.key, e.character) for e in XTermParser().feed(sequence) if hasattr(e, "key")]
        assert parsed == [(key.value, None)], f"add_key_sequences: {sequence!r} gave {parsed}"


def test_a_use_that_cannot_be_applied_is_logged_and_the_caller_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "textual._ansi_sequences", None)  # import fails
    with caplog.at_level(logging.WARNING, logger=textual_private.__name__):
        assert textual_private.add_key_sequences({"\x1b1": "alt+1"}) is False
    assert "add_key_sequences" in caplog.text


def cycles_made(divide: Divide) -> int:
    """How many strips dividing them with ``divide`` leaves for the garbage collector."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(50):
            strip = Strip([Segment("c" * 40)])
            divide(strip, [40])
            del strip
        gc.collect()
        # Only these strips count: other threads (an idle writer ending, a rendering thread
        # of an app of an earlier test finishing) may leave garbage too, strips among it.
        return len([o for o in gc.garbage if isinstance(o, Strip) and o.text == "c" * 40])
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_stop_strip_divide_cycles_divides_as_textual_does_without_a_cycle() -> None:
    assert stop_strip_divide_cycles(), "stop_strip_divide_cycles could not be applied"
    segments = [Segment("a" * 50), Segment("b" * 10)]
    for cuts in ([60], [20, 60], [60, 70], [10, 20, 30, 60], [70], []):
        patched = Strip(segments).divide(cuts)
        textuals = original_divide()(Strip(segments), cuts)
        assert [(s.text, s.cell_length) for s in patched] == [
            (s.text, s.cell_length) for s in textuals], f"stop_strip_divide_cycles: {cuts}"
    strip = Strip(segments)
    assert strip.divide([60]) == [strip]
    assert cycles_made(Strip.divide) == 0, "stop_strip_divide_cycles: painting makes cycles"


def test_textuals_own_strip_divide_still_makes_the_cycle_the_patch_removes() -> None:
    if cycles_made(original_divide()) == 0:
        pytest.skip("Textual's Strip.divide makes no cycle now: stop_strip_divide_cycles can go")


class Rows(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for n in range(60):
                yield Static(f"row {n}", id=f"row{n}")


async def test_a_layout_keeps_the_full_map_it_built_as_current() -> None:
    assert keep_full_map_after_reflow(), "keep_full_map_after_reflow could not be applied"
    app = Rows()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        compositor = screen._compositor
        far = app.query_one("#row59", Static)  # off screen
        compositor.update_widgets({far})  # as a layout starts with a widget to repaint there
        assert compositor._full_map_invalidated, "keep_full_map_after_reflow: update_widgets"
        compositor.reflow(screen, screen.size)
        assert not compositor._full_map_invalidated, "keep_full_map_after_reflow"
        built, _ = compositor._arrange_root(screen, screen.size, visible_only=False)
        assert compositor.full_map == built, "keep_full_map_after_reflow: the map kept is stale"
        assert far.region == built[far].region and far.region.y > 10
        # Textual's own reflow still leaves the flag set (else the patch can go).
        compositor.update_widgets({far})
        original_reflow()(compositor, screen, screen.size)
        if not compositor._full_map_invalidated:
            pytest.skip("Textual's reflow marks its full map current itself now: "
                        "keep_full_map_after_reflow can go")


def test_allow_holding_layouts_finds_the_flags_a_screen_lays_out_from() -> None:
    from textual.screen import Screen

    update = getattr(Screen._on_timer_update, "__wrapped__", Screen._on_timer_update)
    assert parameters(update) == ["self"], "allow_holding_layouts: Screen._on_timer_update"
    source = inspect.getsource(update)
    assert "self._layout_required" in source and "self._scroll_required" in source, (
        "allow_holding_layouts: Screen._on_timer_update no longer lays out from its flags")


async def test_layouts_held_paint_what_changes_and_lay_out_once_when_let_go() -> None:
    assert allow_holding_layouts(), "allow_holding_layouts could not be applied"
    app = Rows()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        layouts = layouts_showing(app, "mounted")
        paints: list[int] = []
        compositor_refresh = screen._compositor_refresh

        def counted_paint() -> None:
            paints.append(1)
            compositor_refresh()

        screen._compositor_refresh = counted_paint  # type: ignore[method-assign]
        top = app.query_one("#row0", Static)
        with layouts_held(top):
            await app.query_one(VerticalScroll).mount(Static("mounted"), before=top)
            top.update("row zero")  # the same size: painted, nothing to lay out
            await until(pilot, lambda: paints)
            for _ in range(3):
                await pilot.pause()
            assert not layouts, "layouts_held: the screen was laid out while held"
            assert "mounted" not in screen_text(app)
            assert "row zero" in screen_text(app)
        await until(pilot, lambda: layouts)
        # The first layout after the hold does what was asked during it. (Textual lays out
        # again after it, as widgets whose size changed ask: not the hold's doing.)
        assert layouts[0], "layouts_held: what was asked while held is not laid out after"
        assert screen_text(app).index("mounted") < screen_text(app).index("row zero")


async def test_layouts_asked_lets_a_widget_shown_in_a_hold_ask_before_it_ends() -> None:
    assert allow_holding_layouts(), "allow_holding_layouts could not be applied"
    app = Rows()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        layouts = layouts_showing(app, "shown late")
        late = Static("shown late")
        late.display = False
        top = app.query_one("#row0", Static)
        with layouts_held(top):
            await app.query_one(VerticalScroll).mount(late, before=top)
            late.display = True
            assert late._layout_required, "layouts_asked: display no longer asks for a layout"
            await layouts_asked([late])
            assert not late._layout_required, "layouts_asked: the widget did not ask"
            assert not layouts
        await until(pilot, lambda: layouts)
        assert layouts[0], "layouts_asked: the first layout after the hold missed the widget"


class Guarded(TabPane):
    def on_descendant_focus(self, event: DescendantFocus) -> None:
        keep_shown_tab(event)


class TwoTabs(App[None]):
    def __init__(self, pane: type[TabPane]) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="one"):
            yield self.pane("One", Button("first", id="first"), id="one")
            yield self.pane("Two", Button("second", id="second"), id="two")


async def focus_in_hidden_tab(pane: type[TabPane]) -> str | None:
    """Which tab shows once a widget in the hidden one takes the focus."""
    app = TwoTabs(pane)
    async with app.run_test() as pilot:
        tabs = app.query_one(TabbedContent)
        hidden = app.query_one("#second", Button)
        app.screen.set_focus(hidden)
        await until(pilot, lambda: app.focused is hidden)
        for _ in range(3):
            await pilot.pause()
        return tabs.active


async def test_keep_shown_tab_keeps_the_tab_when_focus_lands_in_a_hidden_one() -> None:
    assert await focus_in_hidden_tab(Guarded) == "one", (
        "keep_shown_tab: focus in a hidden tab switched to it")


async def test_textual_still_switches_tabs_on_focus_as_keep_shown_tab_assumes() -> None:
    if await focus_in_hidden_tab(TabPane) == "one":
        pytest.skip("Textual no longer shows the tab holding the focus: keep_shown_tab can go")


class OnePart(App[None]):
    def compose(self) -> ComposeResult:
        yield MessagePart(Text("the words first shown"))


async def test_message_parts_paint_through_the_render_content_hook() -> None:
    # update_off_loop() changes only what the hook paints, not the Static's content: the new
    # words show only if Textual still paints through Widget._render_content.
    app = OnePart()
    async with app.run_test(size=(60, 5)) as pilot:
        part = app.query_one(MessagePart)
        await until(pilot, lambda: "the words first shown" in screen_text(app))  # type: ignore
        await part.update_off_loop(Text("other words of the same size"), part.size.width)
        await pilot.pause()
        shown = screen_text(app)  # type: ignore[arg-type]
        assert "other words of the same size" in shown, (
            f"OVERRIDDEN_HOOKS/show_rendered_lines: MessagePart does not paint its lines: {shown}")


# --- No app class uses a private Textual name by accident ---


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@cache
def written_names(cls: type) -> frozenset[str]:
    """The private names a class's own source defines, or reads or sets on ``self``."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return frozenset()
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    defined = {node.name for node in body
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    for node in body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    on_self = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    }
    return frozenset(name for name in defined | on_self if is_private(name))


def textual_names(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.split(".")[0] == "textual":
            names |= {n for n in vars(base) if is_private(n)} | written_names(base)
    return names


def app_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(claude_tui.ui.__path__, "claude_tui.ui."):
        if info.name == textual_private.__name__:
            continue  # the one place private names are used on purpose (its own tests above)
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == module.__name__
                    and any(b.__module__.split(".")[0] == "textual" for b in value.__mro__)):
                found.append(value)
    return found


def test_no_app_class_reuses_a_private_name_of_its_textual_base() -> None:
    """A ``self._timer`` of the app's own on a widget whose Textual base had one would quietly
    break the base; a private hook overridden on purpose is listed in OVERRIDDEN_HOOKS."""
    classes = app_classes()
    assert len(classes) > 20  # the walk found the widgets
    clashes = {
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in classes
        for name in written_names(cls) & textual_names(cls)
        if name not in OVERRIDDEN_HOOKS
    }
    assert clashes == set()


async def test_a_resize_to_the_size_laid_out_waits_for_the_next_paints_layout() -> None:
    assert lay_out_same_size_resizes_once(), "lay_out_same_size_resizes_once could not be applied"
    app = Rows()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        layouts = layouts_showing(app, "row 11")
        # As a screen's first showing, or a terminal reporting its unchanged size again, does.
        screen._screen_resized(screen.size)
        assert not layouts, "lay_out_same_size_resizes_once: laid out at once"
        assert screen._layout_required, "lay_out_same_size_resizes_once: no layout asked for"
        await until(pilot, lambda: layouts)
        assert layouts == [False]
        # A terminal that really changes size is laid out for it at once, as before.
        await pilot.resize_terminal(50, 12)
        await until(pilot, lambda: any(layouts))
        assert len(screen_text(app).splitlines()) == 12
        # Textual's own handler still lays out at once for an unchanged size (else the
        # patch can go).
        done = len(layouts)
        original = getattr(type(screen)._screen_resized, "__wrapped__", None)
        assert original is not None, "lay_out_same_size_resizes_once: not applied"
        original(screen, screen.size)
        if len(layouts) == done:
            pytest.skip("Textual no longer lays out a resize to the same size at once: "
                        "lay_out_same_size_resizes_once can go")


class Keys(App[None]):
    BINDINGS: ClassVar = [("ctrl+q", "quit", "Quit"), ("ctrl+n", "bell", "New"),
                          ("f2", "app.bell", "Rename")]

    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield self.footer


async def keys_restyled_as_shown(footer: Footer) -> tuple[list[str], str]:
    """The keys (by description) restyled from the start until ``footer`` shows them, and
    its line on screen."""
    app = Keys(footer)
    restyled: list[str] = []
    update_styles = app.update_styles

    def counted(node: DOMNode, animate: bool = True) -> None:
        if isinstance(node, FooterKey):
            restyled.append(node.description)
        update_styles(node, animate)

    app.update_styles = counted  # type: ignore[method-assign]
    async with app.run_test(size=(60, 5)) as pilot:
        await until(pilot, lambda: "Rename" in screen_text(app))
        shown = list(restyled)
        line = screen_text(app).splitlines()[-1]
        footer.compact = True  # a compact key bar still makes compact keys
        await until(pilot, lambda: all(key.has_class("-compact")
                                       for key in app.query(FooterKey)))
    return shown, line


async def test_a_key_bars_keys_are_not_restyled_as_they_mount() -> None:
    from claude_tui.ui.footer import KeyFooter

    restyled, line = await keys_restyled_as_shown(KeyFooter())
    # The command palette's key is not bound to the footer: Textual's own way, restyled once.
    assert "Quit" not in restyled and "Rename" not in restyled, (
        "keys_made_as_shown: the keys were restyled as they mounted")
    textuals, textuals_line = await keys_restyled_as_shown(Footer())
    assert line == textuals_line, "keys_made_as_shown: the key bar looks different"
    if "Quit" not in textuals:
        pytest.skip("Textual no longer restyles a footer's keys as they mount: "
                    "keys_made_as_shown can go")
