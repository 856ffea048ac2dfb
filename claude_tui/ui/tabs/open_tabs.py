"""Which conversations are open as tabs, in which order, and which one is shown."""

from __future__ import annotations

from claude_tui.storage.session import TabState


class OpenTabs:
    """The app's record of its tabs; ``state()`` is what ``tabs.json`` holds."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.active: str | None = None

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self.order

    def __len__(self) -> int:
        return len(self.order)

    def add(self, conversation_id: str) -> None:
        if conversation_id not in self.order:
            self.order.append(conversation_id)

    def remove(self, conversation_id: str) -> str | None:
        """Forget a tab; returns the tab to show instead (its right neighbour, else its left)."""
        if conversation_id not in self.order:
            return self.active
        position = self.order.index(conversation_id)
        self.order.remove(conversation_id)
        if self.active == conversation_id:
            if not self.order:
                self.active = None
            else:
                self.active = self.order[min(position, len(self.order) - 1)]
        return self.active

    def step(self, offset: int) -> str | None:
        """The tab ``offset`` places from the shown one, wrapping around."""
        if not self.order:
            return None
        if self.active not in self.order:
            return self.order[0]
        position = self.order.index(self.active)
        return self.order[(position + offset) % len(self.order)]

    def nth(self, number: int) -> str | None:
        """The tab at 1-based ``number``; None when there are fewer tabs."""
        if 1 <= number <= len(self.order):
            return self.order[number - 1]
        return None

    def state(self) -> TabState:
        return TabState(open=list(self.order), active=self.active)
