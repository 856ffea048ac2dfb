"""The ``claude-tui`` command's entry point: the garbage collector waits out the start-up.

Start-up builds the objects the app keeps for its whole life (Textual, Rich, our modules and
widgets: about 300,000) and makes almost no garbage, yet Python's collector scanned them again
and again meanwhile, a full collection among those passes: 55-80 ms of a start measured on a
2-CPU machine, twice what a minimal Textual app pays. So collection is paused here, before
anything is imported, and resumes once the first screen is painted and the SDK brought in
after it (``ui/heap.py``), with what was built left out of later collections; a command
(``list``, ``search``...) resumes it at once (``cli.py``).
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from claude_tui.cli import main as run  # imported only now: the pause covers it

    return run()
