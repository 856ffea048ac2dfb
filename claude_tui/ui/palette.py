"""The command palette's commands (ctrl+p): every app action, by name, with its key."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from claude_tui.record import Record
from claude_tui.ui.bindings import APP_KEYS, KeySpec
from claude_tui.ui.key_words import shown_keys

# The palette's entry for the files that could not be read (its dialog has the same title).
PALETTE_NAME = "Unreadable files"


class PaletteCommand(Record):
    name: str
    action: str
    help: str
    discoverable: bool = True  # listed before anything is typed


# Palette names for the bound actions, where the short footer label would be unclear.
_NAMES: dict[str, str] = {
    "new_conversation": "New conversation",
    "open_conversation": "Open a conversation…",
    "rename": "Rename conversation…",
    "copy_reply": "Copy the last reply",
    "end_conversation": "End conversation…",
    "retry": "Retry the last message",
    "regenerate": "Regenerate the last reply",
    "edit_last": "Edit and resend the last message…",
    "system_prompt": "Edit the system prompt…",
    "branch": "Branch from an earlier message…",
    "choose_model": "Choose the model…",
    "attach_file": "Attach a file…",
    "toggle_thinking": "Show or hide the last reply's thinking",
    "stop_reply": "Stop the reply",
    "help": "Show keys (help)",
    "scroll_up": "Scroll the transcript up a page",
    "scroll_down": "Scroll the transcript down a page",
    "scroll_top": "Scroll to the top of the transcript",
    "scroll_bottom": "Scroll to the bottom of the transcript",
}
# Actions that make no sense from the palette itself.
_SKIPPED = {"command_palette"}

# Actions the palette offers that have no key.
EXTRA_COMMANDS: list[PaletteCommand] = [
    PaletteCommand("Delete conversation…", "delete_conversation",
                   "Delete this conversation's file, after asking"),
    PaletteCommand("Export conversation as Markdown", "export_conversation",
                   "Write this conversation to a Markdown file"),
    PaletteCommand("Copy a message…", "copy_message", "Choose a message to copy"),
    PaletteCommand("Show earlier versions", "edit('versions')",
                   "Show or hide the replies and messages replaced by a regenerate or an edit"),
    PaletteCommand("Thinking on for this conversation", "edit('thinking_on')",
                   "Extended thinking for this conversation's next requests, whatever the "
                   "config says"),
    PaletteCommand("Thinking off for this conversation", "edit('thinking_off')",
                   "No extended thinking for this conversation's next requests"),
    PaletteCommand("Thinking as the config says, for this conversation", "edit('thinking_default')",
                   "Forget this conversation's thinking choice: the config's `thinking` applies"),
    PaletteCommand(PALETTE_NAME, "show_problems",
                   "The conversation files that could not be read, and where they are"),
]


def _command(spec: KeySpec, keys: str) -> PaletteCommand:
    jump = spec.id.startswith("jump_tab_")
    name = f"Go to tab {spec.id.removeprefix('jump_tab_')}" if jump else _NAMES.get(
        spec.id, spec.description
    )
    shown = ", ".join(shown_keys(keys))
    help_text = f"{spec.explained} · {shown}" if shown else spec.explained
    return PaletteCommand(name, spec.action, help_text, discoverable=not jump)


class ConversationCommands(Provider):
    """Runs the chosen command with ``app.run_action``, exactly as its key would."""

    def commands(self) -> list[PaletteCommand]:
        keys = self._current_keys()
        found = [
            _command(spec, keys.get(spec.id, spec.keys))
            for spec in APP_KEYS
            if spec.action not in _SKIPPED
        ]
        return found + EXTRA_COMMANDS

    def _current_keys(self) -> dict[str, str]:
        """Binding id -> keys remapped by the config, as the help screen shows them.

        Not the screen's active bindings: while the palette is open the app disables the main
        screen's actions (``check_action``), which leaves them out of those.
        """
        settings = getattr(self.app, "settings", None)
        return dict(settings.keymap) if settings is not None else {}

    def _run(self, action: str):
        return partial(self.app.run_action, action)

    async def discover(self) -> Hits:
        for command in self.commands():
            if command.discoverable:
                yield DiscoveryHit(command.name, self._run(command.action), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), self._run(command.action),
                          text=command.name, help=command.help)
