"""Every key binding of the app, as data.

Each binding has an id, so a ``[keymap]`` table in the config can remap it
(``new_conversation = "ctrl+t"``), and a group, so the help screen can list them together.
The keys are the contract of DESIGN.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import _character_to_key

# Most terminals (and tmux) send alt+1 as ESC 1, which Textual reads as the character a Mac's
# Option key types (alt+1 -> "¡"). Bind both names so the jump works everywhere.
_ESC_DIGIT_CHARS = {"1": "¡", "2": "™", "3": "£", "4": "¢", "5": "∞", "6": "§", "7": "¶",
                    "8": "•", "9": "ª"}
ESC_DIGIT_KEYS: dict[str, str] = {
    digit: _character_to_key(char) for digit, char in _ESC_DIGIT_CHARS.items()
}


@dataclass(frozen=True)
class KeySpec:
    id: str
    keys: str
    action: str
    description: str
    group: str
    show: bool = False  # in the footer
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.id,
        )


def _jump(n: int) -> KeySpec:
    return KeySpec(
        id=f"jump_tab_{n}",
        keys=f"alt+{n},{ESC_DIGIT_KEYS[str(n)]}",
        action=f"jump_tab({n})",
        description=f"Tab {n}",
        group="Tabs",
        priority=True,
    )


APP_KEYS: list[KeySpec] = [
    KeySpec("new_conversation", "ctrl+n", "new_conversation", "New", "Tabs", show=True,
            priority=True),
    KeySpec("close_tab", "ctrl+w", "close_tab", "Close tab", "Tabs", show=True, priority=True),
    KeySpec("previous_tab", "alt+left,ctrl+pageup", "previous_tab", "Previous tab", "Tabs",
            priority=True),
    KeySpec("next_tab", "alt+right,ctrl+pagedown", "next_tab", "Next tab", "Tabs",
            priority=True),
    *[_jump(n) for n in range(1, 10)],
    KeySpec("open_conversation", "ctrl+o", "open_conversation", "Open", "Conversations",
            show=True, priority=True),
    KeySpec("rename", "f2", "rename", "Rename", "Conversations", show=True),
    KeySpec("copy_reply", "f3", "copy_reply", "Copy reply", "Conversations"),
    KeySpec("end_conversation", "f4", "end_conversation", "End", "Conversations", show=True),
    KeySpec("retry", "ctrl+r", "retry", "Retry", "Conversation", priority=True),
    KeySpec("branch", "f8", "branch", "Branch", "Conversations"),
    KeySpec("stop_reply", "escape", "stop_reply", "Stop reply", "Conversation"),
    KeySpec("show_earlier", "ctrl+up", "show_earlier", "Show earlier messages", "Conversation"),
    KeySpec("help", "f1", "help", "Help", "App", show=True),
    KeySpec("command_palette", "ctrl+p", "command_palette", "Commands", "App"),
    KeySpec("quit", "ctrl+q", "quit", "Quit", "App", show=True, priority=True),
]

# Keys of the composer (a text area), listed in the help screen; bound by the composer itself.
COMPOSER_KEYS: list[KeySpec] = [
    KeySpec("send", "enter", "send", "Send", "Composer"),
    KeySpec("newline", "ctrl+j,shift+enter", "newline", "New line", "Composer"),
    KeySpec("delete_word", "alt+backspace,ctrl+backspace", "delete_word_left",
            "Delete word", "Composer"),
]

# Keys that jump to a tab while the composer has focus must not be typed as "¡", "™", ...
JUMP_KEY_NAMES: frozenset[str] = frozenset(ESC_DIGIT_KEYS.values())


def app_bindings() -> list[Binding]:
    return [spec.binding() for spec in APP_KEYS]
