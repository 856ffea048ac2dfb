"""Every key binding of the app, as data.

Each binding has an id, so a ``[keymap]`` table in the config can remap it
(``new_conversation = "ctrl+t"``), a group, so the help screen can list them together, a short
description for the footer and a longer help text for the help screen and the command palette.
The keys are the contract of DESIGN.md section 3.
"""

from __future__ import annotations

from textual.binding import Binding

from claude_tui.record import Record

# alt+1 and alt+backspace arrive as named here even from terminals that send ESC 1 and ESC DEL:
# ui/terminal_keys.py teaches Textual's parser those sequences before the app starts.


class KeySpec(Record):
    id: str
    keys: str
    action: str
    description: str  # short: the footer's label
    group: str
    show: bool = False  # in the footer
    priority: bool = False
    help: str = ""  # what it does, in a sentence: the help screen and the command palette
    fixed: bool = False  # not remappable with [keymap]

    @property
    def explained(self) -> str:
        return self.help or self.description

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.id,
            tooltip=self.explained,
        )


def _jump(n: int) -> KeySpec:
    return KeySpec(
        id=f"jump_tab_{n}",
        keys=f"alt+{n}",
        action=f"jump_tab({n})",
        description=f"Tab {n}",
        group="Tabs",
        priority=True,
        help=f"Go to tab {n}",
    )


APP_KEYS: list[KeySpec] = [
    KeySpec("new_conversation", "ctrl+n", "new_conversation", "New", "Tabs", show=True,
            priority=True, help="New conversation in a new tab"),
    KeySpec("close_tab", "ctrl+w", "close_tab", "Close tab", "Tabs", show=True, priority=True,
            help="Close this tab (its conversation is kept if used)"),
    KeySpec("previous_tab", "alt+left,ctrl+pageup", "previous_tab", "Previous tab", "Tabs",
            priority=True, help="Show the tab to the left"),
    KeySpec("next_tab", "alt+right,ctrl+pagedown", "next_tab", "Next tab", "Tabs",
            priority=True, help="Show the tab to the right"),
    *[_jump(n) for n in range(1, 10)],
    KeySpec("open_conversation", "ctrl+o", "open_conversation", "Open", "Tabs", show=True,
            priority=True, help="Find and open any stored conversation"),
    KeySpec("rename", "f2", "rename", "Rename", "Conversation", show=True,
            help="Rename this conversation"),
    KeySpec("copy_reply", "f3", "copy_reply", "Copy reply", "Conversation",
            help="Copy the last reply to the clipboard"),
    KeySpec("end_conversation", "f4", "end_conversation", "End", "Conversation", show=True,
            help="End this conversation (asks to confirm; permanent)"),
    KeySpec("retry", "ctrl+r", "retry", "Retry", "Conversation", priority=True,
            help="Send the last unanswered message again"),
    # Priority: the composer's text area has f6 and f7 too (select line, select all). In a
    # dialog they are off (check_action), so a dialog's own f5..f7 still work.
    KeySpec("regenerate", "f5", "edit('regenerate')", "Regenerate", "Conversation",
            priority=True, help="Regenerate the last reply (the old one is kept)"),
    KeySpec("edit_last", "f6", "edit('last_message')", "Edit last", "Conversation",
            priority=True, help="Edit your last message and send it again"),
    KeySpec("system_prompt", "f7", "edit('system_prompt')", "System prompt", "Conversation",
            priority=True, help="Edit this conversation's system prompt"),
    # Not taken by the composer's text area; tmux passes it on.
    KeySpec("toggle_thinking", "ctrl+g", "edit('thinking')", "Thinking", "Conversation",
            priority=True, help="Show or hide the thinking of the last reply (click any)"),
    KeySpec("choose_model", "f9", "choose_model", "Model", "Conversation",
            help="Choose the model of this conversation"),
    # ctrl+l: free in the text area and the app, and sent by terminals and tmux as is (FF).
    KeySpec("attach_file", "ctrl+l", "attach_file", "Attach", "Conversation",
            help="Attach a file to your next message (also /attach PATH)"),
    KeySpec("branch", "f8", "branch", "Branch", "Conversation",
            help="Branch into a new tab from an earlier message"),
    KeySpec("stop_reply", "escape", "stop_reply", "Stop reply", "Conversation",
            help="Take back queued messages, else stop the reply"),
    KeySpec("show_earlier", "ctrl+up", "show_earlier", "Show earlier messages", "Conversation",
            help="Show earlier messages of a long conversation"),
    # Scrolling while typing. None of these is an editing key of the composer's text area
    # (its shift+home/shift+end select to the line's start/end, so the ends take ctrl).
    KeySpec("scroll_up", "shift+pageup", "scroll_transcript('page_up')", "Scroll up",
            "Transcript", help="Scroll up a page (stops following the reply)"),
    KeySpec("scroll_down", "shift+pagedown", "scroll_transcript('page_down')", "Scroll down",
            "Transcript", help="Scroll the transcript down a page"),
    KeySpec("scroll_top", "ctrl+home", "scroll_transcript('top')", "Scroll to top",
            "Transcript", help="Scroll to the top of the transcript"),
    KeySpec("scroll_bottom", "ctrl+end", "scroll_transcript('bottom')", "Scroll to bottom",
            "Transcript", help="Scroll to the bottom and follow the reply again"),
    KeySpec("help", "f1", "help", "Help", "App", show=True, help="Help (this list of keys)"),
    KeySpec("command_palette", "ctrl+p", "command_palette", "Commands", "App",
            help="Find any command by name"),
    KeySpec("quit", "ctrl+q", "quit", "Quit", "App", show=True, priority=True,
            help="Quit (open tabs and unsent text are kept)"),
]

# Keys of the composer (a text area), listed in the help screen; bound by the composer itself.
COMPOSER_KEYS: list[KeySpec] = [
    KeySpec("send", "enter", "send", "Send", "Composer", help="Send the message", fixed=True),
    KeySpec("newline", "ctrl+j,shift+enter", "newline", "New line", "Composer",
            help="Start a new line"),
    KeySpec("delete_word", "alt+backspace,ctrl+backspace", "delete_word_left",
            "Delete word", "Composer", help="Delete the word before the cursor"),
]


# The help screen's groups, in this order: the transcript's keys come last, so that the ones
# of the first three groups are on the first screen of help they always were.
HELP_GROUPS = ("Tabs", "Conversation", "App", "Composer", "Transcript")


def app_bindings() -> list[Binding]:
    return [spec.binding() for spec in APP_KEYS]
