"""Keeping Python's garbage collector from pausing the app while replies stream.

Measured in a real terminal while a reply streamed at Claude's pace: a quarter of the app's CPU
time went to garbage collection, in pauses of up to half a second (a typed key waited that long),
for two reasons fixed here.

1. Textual's ``Strip.divide`` caches its result on the strip; for a line that is not cut (the
   compositor's usual case) the result is ``[self]``, so every painted line became a reference
   cycle (strip, cache, list, strip) with seven caches and its segments in it, freed only by
   the collector: thousands a second. ``install()`` makes that case return a new list without
   caching it (the same strips as before; nothing else changes).
2. What the app holds after start-up (Textual, Rich, Pygments, the SDK: about 200,000
   objects) was scanned again by every full collection. ``settle()`` freezes it once the app is
   up (``gc.freeze``: scanned no more; it is rarely garbage), and the young generation's
   threshold is raised so that short-lived objects die young and few reach the old ones.

Start-up itself runs with collection paused by the command's entry point (``launch.py``), and
so does the warm-up after the first paint (the SDK's import, on a thread: 3,500 modules and
180,000 objects the collector tracks, almost no garbage). Collecting meanwhile cost three full
collections of 24 to 95 ms, each a pause of the whole app while the user may be typing, and
settling after it one more (141 ms, 261 objects freed). ``resume_after_start_up()`` freezes
all of it once the warm-up is done, which costs nothing, and resumes.
Left as it is: what is frozen is never collected, so a tab open at start-up keeps its widgets
and conversation after it is closed (freeing them takes a full collection, 140-190 ms).
"""

from __future__ import annotations

import gc

from claude_tui.ui.textual_private import stop_strip_divide_cycles

# Allocations between young collections (Python's default 700 is a few painted lines here).
YOUNG_THRESHOLD = 10_000

_DEFAULT_THRESHOLD = gc.get_threshold()


def install() -> None:
    """Patch ``Strip.divide`` (once, in ui/textual_private.py) so painting makes no cycles."""
    stop_strip_divide_cycles()


def resume_after_start_up() -> bool:
    """The app is up and warmed up: collection resumes if ``launch.py`` paused it, with what
    was built meanwhile frozen first (left out of later collections; without that freeze the
    first collection would scan all of it at once). False if it was not paused."""
    if gc.isenabled():
        return False  # not paused: an app started by a test, or ``python -c``
    gc.freeze()
    _raise_young_threshold()
    gc.enable()
    return True


def settle() -> None:
    """The app is up: what it holds now is left out of later collections."""
    gc.collect()
    gc.freeze()
    _raise_young_threshold()


def _raise_young_threshold() -> None:
    """Short-lived objects (a paint's) die before a young collection, and few reach the old."""
    _, middle, old = _DEFAULT_THRESHOLD
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def release() -> None:
    """The app is closing: its objects may be collected again (tests run many apps)."""
    gc.unfreeze()
    gc.set_threshold(*_DEFAULT_THRESHOLD)
    gc.enable()  # closed before its first paint: still paused by launch.py
