"""A streamed reply's raw events read as plain JSON data, not as the SDK's pydantic models.

Iterating the SDK's ``AsyncStream`` builds a pydantic model for every event (a union of
event types, then the delta inside it): for a long reply arriving at full speed that was about
two fifths of the cost of reading it, all on the event loop, where keys wait. The SDK still
sends the request, authenticates, retries nothing (the provider does), and makes every error
before the body; this module reads the body's Server-Sent Events with the SDK's own decoder
and does what ``AsyncStream`` does with them (``ping`` skipped, an ``error`` event raised as
the SDK's ``APIStatusError``), handing on a read-only attribute view of each event's JSON, so
``ReplyParts`` reads it exactly as it reads the SDK's models.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any


class RawEvent:
    """JSON data read as the SDK's models are: ``event.delta.text``; a field the event does
    not have is None (as an optional field of a model); ``model_dump()`` gives the data."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            value = self._data[name]
        except KeyError:
            if name.startswith("__"):
                raise AttributeError(name) from None  # copy, pickle and the like look for these
            return None
        return _view(value)

    def model_dump(self, *, exclude_none: bool = False, **_: Any) -> dict[str, Any]:
        """The data as JSON (what ``model_dump(mode="json")`` gives for a model of it)."""
        return _without_none(self._data) if exclude_none else self._data

    def __repr__(self) -> str:
        return f"RawEvent({self._data!r})"


def _view(value: Any) -> Any:
    if isinstance(value, dict):
        return RawEvent(value)
    if isinstance(value, list):
        return [_view(item) for item in value]
    return value


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


async def raw_events(stream: Any) -> AsyncIterator[RawEvent]:
    """The events of ``stream`` (an open ``AsyncStream`` of ``messages.create(stream=True)``,
    not iterated otherwise); closing the stream closes its response, as before."""
    import anthropic

    response = stream.response
    loads = json.loads
    async for sse in stream.raw_events(response):
        kind = sse.event
        if kind is None or kind == "ping":
            continue
        if kind == "error":
            # As AsyncStream does: the body's error, as the SDK's exception for it.
            body: object = sse.data
            try:
                body = loads(sse.data)
                message = f"{body}"
            except Exception:
                message = sse.data or f"Error code: {response.status_code}"
            raise anthropic.APIStatusError(message, response=response, body=body)
        if not sse.data:
            continue
        data = loads(sse.data)  # a malformed event is a ValueError: describe_error knows it
        if isinstance(data, dict):
            yield RawEvent(data)
