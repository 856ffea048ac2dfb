"""How the screens show a stored time: recent ones relative, older ones as local date and time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from claude_tui.text import one_line

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_time(value: str) -> datetime | None:
    """A stored ISO 8601 time, or None when it is missing or not a time."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    # Times without an offset were written as UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def local_time(value: str) -> str:
    """A stored time as local date and time for people; the raw value if it is not one."""
    when = parse_time(value)
    if when is None:
        return one_line(value, 20) or "an unknown time"
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_time(value: str, now: datetime) -> str:
    """'just now', '3 min ago', or '2026-11-26 14:02' in local time."""
    when = parse_time(value)
    if when is None:
        return one_line(value, 20) or "unknown time"
    seconds = (now - when).total_seconds()
    if -60 < seconds < 60:
        return "just now"
    if 0 < seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
