"""Every place the app relies on a private part of Textual: what it is for, what breaks without it.

Textual's underscore names, and the behaviour behind them, may change in any release. They are
used only here (and, for hooks that must be overridden by name, in the class named below), so
that a Textual upgrade has one file to read; ``tests/test_textual_private.py`` fails, naming the
use, when the installed Textual no longer has what a use relies on. A patch that cannot be
applied is logged and skipped: the app still runs, without that fix, and that test fails.

Hooks overridden by name, listed in ``OVERRIDDEN_HOOKS``:
- ``Widget._render_content`` in ``MessagePart`` (``ui/transcript/parts.py``): it paints the
  lines it already rendered to measure its height, instead of rendering a second time.
- ``Widget._size_updated`` in ``MessagePart``, ``PartGroup``, ``MessageBlock`` and
  ``ConversationView`` (``ui/transcript/``): they pass ``layout=False``, so that setting their
  size (measured by the layout that sets it) does not lay the screen out a second time. Without
  it: each update of a streaming reply costs two or three layouts instead of one.
- ``Timer._run`` in ``_PaintTimer`` (below), the timer every screen paints from.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

from textual import _time
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.strip import Strip
from textual.timer import EventTargetGone, Timer
from textual.visual import Visual
from textual.widget import Widget, _RenderCache  # private: see show_rendered_lines
from textual.widgets import Footer

log = logging.getLogger(__name__)

# Private hooks that app classes override by name -> the class doing it and why.
OVERRIDDEN_HOOKS: dict[str, str] = {
    "_render_content": "MessagePart paints the lines it measured (ui/transcript/parts.py)",
    "_size_updated": "transcript widgets skip the second layout a size change asks for "
                     "(ui/transcript/)",
}


def _skipped(use: str, why: object) -> bool:
    log.warning("a fix for Textual was not applied (%s): %s", use, why)
    return False


# --- Textual's table of terminal sequences (textual._ansi_sequences.ANSI_SEQUENCES_KEYS) ---
# Why: the parser reads ESC 1 as "¡" and ESC DEL as ctrl+w; ui/terminal_keys.py says why those
# must be alt+1 and alt+backspace. Without it: on most terminals (those without the kitty
# keyboard protocol) alt+digit types "¡", "™"… instead of jumping to a tab, and alt+backspace
# closes the tab (ctrl+w) instead of deleting a word.


def add_key_sequences(sequences: Mapping[str, str]) -> bool:
    """Teach Textual's parser ``sequences`` (sequence -> key name); False if it cannot be."""
    try:
        from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    except ImportError as exc:
        return _skipped("add_key_sequences", exc)
    if not isinstance(ANSI_SEQUENCES_KEYS, MutableMapping):
        return _skipped("add_key_sequences", "the sequence table cannot be changed")
    table: MutableMapping[str, Any] = ANSI_SEQUENCES_KEYS
    for sequence, key in sequences.items():
        table[sequence] = (key,)  # the parser emits one key per entry of the tuple
    return True


# --- Strip.divide, patched process-wide ---
# Why: Textual caches a strip's division in the strip (the private ``_divide_cache``); a line
# that is not cut is divided into ``[itself]``, so every painted line became a reference cycle
# that only the garbage collector frees (ui/heap.py has the measurements). The patch returns a
# new ``[itself]`` without caching it: the same strips as before. Without it: garbage-collector
# pauses of up to half a second while a reply streams.

_strip_divide_patched = False


def stop_strip_divide_cycles() -> bool:
    """Patch ``Strip.divide`` (once) so that painting makes no reference cycles."""
    global _strip_divide_patched
    if _strip_divide_patched:
        return True
    divide = getattr(Strip, "divide", None)
    if divide is None or not hasattr(Strip, "cell_length"):
        return _skipped("stop_strip_divide_cycles", "Strip has no divide or cell_length")

    @functools.wraps(divide)  # keeps the original as __wrapped__ (the test compares them)
    def divide_without_cycle(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = list(cuts)
        length = self.cell_length
        if [cut for cut in cuts if cut <= length] == [length]:
            return [self]  # what Textual returns, not kept in the strip's own cache
        return divide(self, cuts)

    Strip.divide = divide_without_cycle  # type: ignore[method-assign]
    _strip_divide_patched = True
    return True


# --- The compositor's full map after a layout (Compositor.reflow, ``_full_map_invalidated``) ---
# Why: a layout (``reflow``) arranges every widget and keeps that as the compositor's full map,
# but leaves the flag saying the map is stale as it was; the same layout sets it first when a
# widget to repaint is off screen (a part of a long reply rendered above the screen), so the
# next look-up of a widget's region, which each widget the layout resized makes, arranged the
# whole screen again. The patch clears the flag after a reflow: the map kept is the one such a
# look-up would build. Without it: each layout while a long reply streams walks all of its
# parts twice instead of once.

_reflow_patched = False


def keep_full_map_after_reflow() -> bool:
    """Patch ``Compositor.reflow`` (once) to mark the full map it built as current."""
    global _reflow_patched
    if _reflow_patched:
        return True
    try:
        from textual._compositor import Compositor
    except ImportError as exc:
        return _skipped("keep_full_map_after_reflow", exc)
    reflow = getattr(Compositor, "reflow", None)
    if reflow is None or not hasattr(Compositor(), "_full_map_invalidated"):
        return _skipped("keep_full_map_after_reflow", "Compositor has no reflow or flag")

    @functools.wraps(reflow)  # keeps the original as __wrapped__ (the test compares them)
    def reflow_keeping_full_map(self: Any, parent: Widget, size: Any) -> Any:
        result = reflow(self, parent, size)
        self._full_map_invalidated = False
        return result

    Compositor.reflow = reflow_keeping_full_map  # type: ignore[method-assign]
    _reflow_patched = True
    return True


# --- TabPane's private focus handler (TabPane._on_descendant_focus) ---
# Why: Textual makes the pane holding the focus the shown tab; in the app only the user switches
# tabs (ui/tabs/pane.py says when focus lands in a hidden tab). A handler of the same event in a
# TabPane subclass calls this, which stops TabPane's own handler (handlers run for each class
# of the widget unless one prevents the default). Without it: a tab switch on a busy machine can
# switch straight back to the tab being left.


def keep_shown_tab(event: DescendantFocus) -> None:
    """In a ``TabPane`` subclass's ``on_descendant_focus``: focus here switches no tab."""
    event.prevent_default()


# --- A widget's rendering cache (Widget._render, _render_cache, _dirty_regions) ---
# Why: MessagePart renders its lines once per width, to measure its height, and paints those
# same lines (its ``_render_content`` hook, see OVERRIDDEN_HOOKS), where Textual would render
# them again to paint. Without it: every message part is rendered twice, and again on each
# resize of its container, which slows streaming into a long transcript. Not a patch that can
# be skipped: without ``_RenderCache`` no message part can be painted, so a Textual lacking it
# fails at start (and in the test), not quietly.


def widget_visual(widget: Widget) -> Visual:
    """What Textual paints for ``widget`` (for a ``Static``, its content), cached by Textual."""
    return widget._render()


def show_rendered_lines(widget: Widget, strips: list[Strip]) -> None:
    """From a ``_render_content`` hook: ``strips`` are what ``widget`` shows until it changes."""
    widget._render_cache = _RenderCache(widget.size, strips)
    widget._dirty_regions.clear()


# --- The lines a screen shows (Screen._compositor, Compositor.render_strips) ---
# Why: the lines the shown transcript shows at close are kept for the next start's first screen
# (ui/transcript/remembered.py); Textual renders a screen's lines for its own writes only.
# Without it: nothing is kept, and a start renders a long tab's messages before showing them.


def screen_lines(screen: Screen) -> list[Strip] | None:
    """Every line ``screen`` shows, as it paints them; None if they cannot be had."""
    render = getattr(getattr(screen, "_compositor", None), "render_strips", None)
    return render() if render is not None else None


# --- A widget's count of layout requests (Widget._layout_updates) ---
# Why: Textual caches each widget's box model, height included, by that count, and
# ``refresh(layout=True)`` adds to it only when no layout is pending for the widget already. A
# MessagePart that asks for a layout while painted (it was painted at a guessed height and
# knows its own now) often has one pending still: the one its content asked for before it was
# mounted. Without it: the part keeps the guessed height, a few blank lines under a reply's
# last words (or lines cut off) until something else lays it out.


def lay_out_again(widget: Widget) -> None:
    """``widget.refresh(layout=True)``, measuring its height again even if a layout is
    pending for it already."""
    widget._layout_updates += 1
    widget.refresh(layout=True)


# --- The screen's paint timer (Screen._update_timer; Timer._run, _active, _interval, _tick) ---
# Why: a screen paints what changed from a timer of 60 ticks a second, paused while nothing
# changes. Textual's timer, when a tick comes late (it was paused, or a paint took longer than
# a frame), skips to the grid point after the next one: the next paint waits 17-33 ms instead
# of at most 17. While a reply streams the screen paints every tenth of a second or so, each
# time after a pause, so a key typed just after a paint waited for that second frame (in tmux:
# 20-30 ms between the key handled and its paint, most of the keys' 95th percentile). The
# screens here paint at once when asked if the last paint was a frame ago or more, else a
# frame after it; never more often than Textual's frame rate.

# A wait shorter than this is no wait: Textual's sleep does not sleep under half a millisecond.
_SHORTEST_WAIT = 0.001


class _PaintTimer(Timer):
    """The screen's update timer: a tick as soon as resumed, at most one a frame. (Timer's
    ``reset()`` and repeat count do nothing here: a screen's timer uses neither.)"""

    async def _run(self) -> None:
        last = -math.inf
        count = 0
        while True:
            await self._active.wait()
            wait = last + self._interval - _time.get_time()
            if wait > _SHORTEST_WAIT:
                await _time.sleep(wait)
                continue  # it may have been paused meanwhile
            last = _time.get_time()
            count += 1
            try:
                await self._tick(next_timer=last, count=count)
            except EventTargetGone:
                break


_paint_timer_patched = False


def paint_promptly() -> bool:
    """Make every screen paint from a ``_PaintTimer`` (once)."""
    global _paint_timer_patched
    if _paint_timer_patched:
        return True
    try:
        from textual.screen import UPDATE_PERIOD
    except ImportError as exc:
        return _skipped("paint_promptly", exc)
    if not isinstance(Screen.__dict__.get("_update_timer"), property) or not all(
            hasattr(Timer, name) for name in ("_run", "_tick", "_start", "_active")):
        return _skipped("paint_promptly", "Screen has no _update_timer, or Timer changed")

    def update_timer(self: Screen) -> Timer:
        timer = self._Screen__update_timer  # Textual's own attribute, None until first used
        if timer is None:
            timer = _PaintTimer(self, UPDATE_PERIOD, name="screen_update",
                                callback=self._on_timer_update, pause=True)
            timer._start()
            self._timers.add(timer)
            self._Screen__update_timer = timer
        return timer

    Screen._update_timer = property(update_timer)  # type: ignore[method-assign,assignment]
    _paint_timer_patched = True
    return True


# --- Layouts held while hidden widgets mount (Screen._on_timer_update, _layout_required,
# _scroll_required) ---
# Why: a screen lays out again when any widget asks, a hidden one too: mounting a reply's new
# parts hidden (so that keys echo while they mount) laid the screen out once for the mount,
# and again for showing them. While held, the screen's ticks paint what changed (a key's
# echo) and keep the layout asked for until the hold ends, when it is done once with the
# parts shown. Without it: each update of a fast reply costs two or three layouts, not one.

_LAYOUTS_HELD = "_claude_tui_layouts_held"
_timer_update_patched = False


def allow_holding_layouts() -> bool:
    """Patch ``Screen._on_timer_update`` (once, before any screen paints: a screen's paint
    timer keeps the method it was made with) so that ``layouts_held`` can hold layouts."""
    global _timer_update_patched
    if _timer_update_patched:
        return True
    update = Screen.__dict__.get("_on_timer_update")
    names = getattr(getattr(update, "__code__", None), "co_names", ())
    if not {"_layout_required", "_scroll_required", "_refresh_layout"} <= set(names):
        return _skipped("allow_holding_layouts",
                        "Screen._on_timer_update no longer lays out from its flags")

    @functools.wraps(update)
    def on_timer_update(self: Screen) -> None:
        if not getattr(self, _LAYOUTS_HELD, 0) or not (
                self._layout_required or self._scroll_required):
            update(self)
            return
        layout, scroll = self._layout_required, self._scroll_required
        self._layout_required = self._scroll_required = False
        try:
            update(self)  # paints what changed where the last layout put it
        finally:
            self._layout_required = self._layout_required or layout
            self._scroll_required = self._scroll_required or scroll

    Screen._on_timer_update = on_timer_update  # type: ignore[method-assign]
    _timer_update_patched = True
    return True


@contextlib.contextmanager
def layouts_held(widget: Widget) -> Iterator[None]:
    """Within: the screen of ``widget`` paints what changes but lays nothing out; after, it
    lays out once what was asked meanwhile. (Nothing is held for a widget on no screen.)"""
    screen = widget.screen if widget.is_attached else None
    if screen is None or not _timer_update_patched:
        yield
        return
    setattr(screen, _LAYOUTS_HELD, getattr(screen, _LAYOUTS_HELD, 0) + 1)
    try:
        yield
    finally:
        setattr(screen, _LAYOUTS_HELD, getattr(screen, _LAYOUTS_HELD, 1) - 1)
        if screen._layout_required or screen._scroll_required:
            screen.check_idle()  # its idle resumes the paint timer


# Loop turns a widget is given to ask for its layout (one is enough for an idle widget).
_ASKING_TURNS = 5


async def layouts_asked(widgets: Iterable[Widget]) -> None:
    """Let ``widgets`` ask their screen for the layouts they need: Textual asks from each
    widget's next idle (``_check_refresh``), a few turns of the loop after ``refresh()``, which
    a hold ending before it would miss (the screen laid out twice)."""
    pending = list(widgets)
    for _ in range(_ASKING_TURNS):
        pending = [w for w in pending if w._layout_required and w.is_attached]
        if not pending:
            return
        await asyncio.sleep(0)


# --- A resize to the size the screen is laid out at (Screen._screen_resized, _compositor) ---
# Why: Textual lays a screen out at once for each Resize, even one to the size it has: its
# first showing sends one, and tmux's second report of an unchanged size another. Such a
# resize now asks for a layout, done with the others at the next paint. Without it: the
# first screen is laid out five times in the app's first moments, not two.

_resize_patched = False


def lay_out_same_size_resizes_once() -> bool:
    """Patch ``Screen._screen_resized`` (once): a resize to the size laid out already waits
    for the next paint's layout; any other is laid out at once, as before."""
    global _resize_patched
    if _resize_patched:
        return True
    try:
        from textual._compositor import Compositor
    except ImportError as exc:
        return _skipped("lay_out_same_size_resizes_once", exc)
    resized = Screen.__dict__.get("_screen_resized")
    names = getattr(getattr(resized, "__code__", None), "co_names", ())
    if "_refresh_layout" not in names or not hasattr(Compositor(), "size"):
        return _skipped("lay_out_same_size_resizes_once",
                        "Screen._screen_resized no longer lays out the screen")

    @functools.wraps(resized)
    def screen_resized(self: Screen, size: Any) -> None:
        if self.stack_updates and self.is_attached and self._compositor.size == size:
            self.refresh(layout=True)
            return
        resized(self, size)

    Screen._screen_resized = screen_resized  # type: ignore[method-assign]
    _resize_patched = True
    return True


# --- A key bar's keys made as the Footer shows them (FooterKey, its compact reactive) ---
# Why: a FooterKey's ``compact`` starts True, the Footer's False, bound to each key it makes:
# as each key mounted, its watcher added the ``-compact`` class and the binding removed it,
# each a restyle (sixteen for the app's key bar, before the first paint and at each rebuild).
# KeyFooter (ui/footer.py) gives each bound key the Footer's value before it mounts; the
# command palette's key, not bound, keeps Textual's. Without it: 16 million instructions
# (about 3 ms here) more before the first screen.


def keys_made_as_shown(footer: Footer, widgets: Iterable[Widget]) -> Iterator[Widget]:
    """``widgets`` (what ``Footer.compose`` makes), the keys bound to ``footer.compact``
    given its value already, so that mounting them changes no class."""
    try:
        from textual.widgets._footer import FooterKey
    except ImportError as exc:
        _skipped("keys_made_as_shown", exc)
        yield from widgets
        return
    for widget in widgets:
        if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
            widget.set_reactive(FooterKey.compact, footer.compact)
        yield widget


def apply_layout_and_paint_fixes() -> None:
    """The app's fixes to layouts, paints and styles (each says why above). Called before
    any screen paints."""
    keep_full_map_after_reflow()
    paint_promptly()
    allow_holding_layouts()
    lay_out_same_size_resizes_once()
