"""The wait before a retry, counted down in the tab: "rate limited, retrying in 27 s; escape
stops". Hidden again as soon as anything else happens in the turn."""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

# Often enough that the shown second changes on time, whatever the phase of the wait.
TICK = 0.25


def countdown_text(reason: str, seconds_left: float) -> str:
    left = math.ceil(max(0.0, seconds_left))
    if not left:
        return f"{reason}, retrying now…"
    return f"{reason}, retrying in {left} s; escape stops"


class RetryCountdown(Static):
    DEFAULT_CSS = """
    RetryCountdown {
        height: auto;
        padding: 0 1;
        background: $warning 15%;
        color: $text-warning;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.reason = ""
        self._until = 0.0
        self._timer: Timer | None = None
        self.display = False

    def start(self, seconds: float, reason: str) -> None:
        self.reason = reason
        self._until = time.monotonic() + seconds
        self.display = True
        self._tick()
        if self._timer is None:
            self._timer = self.set_interval(TICK, self._tick)

    @property
    def text(self) -> str:
        """What it shows now ("" when hidden)."""
        return countdown_text(self.reason, self._until - time.monotonic()) if self.display else ""

    def _tick(self) -> None:
        self.update(Text(self.text))

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.display = False
