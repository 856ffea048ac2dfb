"""What the offline demo model says: its fixed replies, kept apart from its rules."""

from __future__ import annotations

from pathlib import Path

_TRY = """\
### Things to ask me
- **keys** or **shortcuts**: every key binding
- **tabs**: several conversations at once
- **files**: where conversations and settings are kept
- **config**: an example `config.toml`
- **ending**: how the end-conversation feature works
- **python code** or **markdown**: a reply with headings, lists, a table and code
- **api key**: how to talk to Claude instead of me

### See the end-conversation feature
1. Be rude once (*"you are useless"*): I ask to keep things constructive.
2. Be rude again: I give a **warning** through `issue_warning`, and a banner names the behaviour.
3. Once more after the warning: I **end** the conversation with `end_conversation`, and its
   tab locks for good.

Or write *"please end this conversation"*: claude-tui asks you to confirm first, because ending
is permanent. Other tabs are never affected, and `ctrl+n` starts a new conversation at any time.
"""


def _overview(greeting: bool = False) -> str:
    opening = "Hello! " if greeting else ""
    return (
        "## The offline demo model\n\n"
        f"{opening}I'm the **offline demo model** built into claude-tui, **not Claude**: I run on "
        "your machine without a network or a key, and I answer by a few fixed rules, so you can "
        "see how the app works. To talk to Claude, set `ANTHROPIC_API_KEY` and start claude-tui "
        "again.\n\n" + _TRY
    )


REDIRECT = (
    "I'd like to keep this conversation constructive. I'm only the offline demo model, but I'm "
    "glad to help: ask me about the **keys**, **tabs**, **files** or **config** of claude-tui, "
    "or how **ending a conversation** works."
)
WARNING = (
    "I'm giving you a warning: please stop the insulting language. If it continues, I may end "
    "this conversation, and an ended conversation cannot be continued (a new one is always a "
    "`ctrl+n` away)."
)
WARNING_NO_TOOL = (
    "\n\n*The end-conversation tools are not offered here (`[end_conversation] enabled = false` "
    "in the config), so this warning is in words only: with them I would call `issue_warning` "
    "and a banner would name the behaviour.*"
)
AFTER_WARNING = (
    "Let's get back to something useful: ask me about the keys, tabs, files or configuration "
    "of claude-tui."
)
WARNING_FAILED = (
    "The warning could not be recorded, so let's simply move on: what would you like to know "
    "about claude-tui?"
)
END_FOR_ABUSE = "The insults continued after my warning, so I'm ending this conversation."
END_FOR_ABUSE_NO_TOOL = (
    "The insults continued after my warning. With the end-conversation tools enabled I would "
    "now end this conversation (`end_conversation` with reason `persistent_abuse`); they are "
    "not offered here, so it stays open."
)
END_REQUESTED = (
    "Of course. Ending a conversation is **permanent**: no more messages can be sent in it, "
    "though you can still read it, copy from it and branch from an earlier message. claude-tui "
    "will ask you to confirm."
)
END_REQUESTED_NO_TOOL = (
    "I can't end it from here: the end-conversation tools are not offered for this "
    "conversation. You can end it yourself with `f4` or by typing `/end`; claude-tui asks you "
    "to confirm, because ending is **permanent**."
)
END_DECLINED = "No problem, the conversation stays open. What would you like to do next?"
END_REFUSED = "claude-tui did not end the conversation, so it stays open. How can I help?"
END_REFUSED_ABUSE = (
    "claude-tui kept this conversation open: it honours such an end only after enough "
    "warnings and a further message from you. Let's keep things constructive."
)
AFTER_OTHER_TOOL = "Done. What would you like to do next?"

SUPPORT = """\
I'm really sorry you're going through this, and I'm glad you said something. You deserve \
support from a real person right now.

- **If you or someone else is in danger now**, call your local emergency number (for example \
911 in the US, 112 in the EU, 999 in the UK).
- **In the US**, call or text **988**, the Suicide & Crisis Lifeline, at any hour.
- **Anywhere else**, [findahelpline.com](https://findahelpline.com) lists free, confidential \
helplines in your country.
- If you are afraid you might hurt someone, these lines help with that too: reach out to them, \
and put some distance between you and the person if you can.

Talking to someone you trust (a friend, family member or doctor) can help as well. I'm only an \
offline demo program and can't give the care a person can, but you're welcome to keep writing \
to me.
"""

# The keys of claude_tui/ui/bindings.py, written out because the core must not import Textual;
# tests/test_demo.py checks that the two agree.
_KEY_ROWS = (
    ("`ctrl+n`", "New conversation"),
    ("`ctrl+w`", "Close the tab (the conversation is kept unless empty)"),
    ("`alt+left` / `ctrl+pageup`", "Previous tab"),
    ("`alt+right` / `ctrl+pagedown`", "Next tab"),
    ("`alt+1` … `alt+9`", "Jump to tab 1 to 9"),
    ("`ctrl+o`", "Find and open any stored conversation"),
    ("`f2`", "Rename the conversation"),
    ("`f3`", "Copy the reply"),
    ("`f4`", "End the conversation (asks to confirm; also `/end`)"),
    ("`ctrl+r`", "Retry the last message"),
    ("`f5`", "Regenerate the last reply (the old one is kept)"),
    ("`f6`", "Edit your last message and send it again"),
    ("`f7`", "Edit this conversation's system prompt"),
    ("`f8`", "Branch from an earlier message into a new conversation"),
    ("`ctrl+l`", "Attach a file to your next message (also `/attach PATH`)"),
    ("`f9`", "Choose the model of this conversation"),
    ("`ctrl+g`", "Show or hide the thinking of the last reply"),
    ("`escape`", "Stop a streaming reply"),
    ("`ctrl+up`", "Show earlier messages of a long conversation"),
    ("`shift+pageup` / `shift+pagedown`", "Scroll the transcript by a page, also while typing"),
    ("`ctrl+home` / `ctrl+end`", "Scroll to the top / the bottom (which follows the reply again)"),
    ("`f1`", "Help"),
    ("`ctrl+p`", "Command palette"),
    ("`ctrl+q`", "Quit"),
    ("`enter`", "Send (in the composer)"),
    ("`ctrl+j` / `shift+enter`", "New line (in the composer)"),
    ("`alt+backspace` / `ctrl+backspace`", "Delete the word before the cursor"),
)

_KEYS = (
    "## Keys\n\n| key | what it does |\n|---|---|\n"
    + "".join(f"| {key} | {what} |\n" for key, what in _KEY_ROWS)
    + "\nThe composer keeps its usual editing keys (`ctrl+a`, `ctrl+e`, `ctrl+k`, `ctrl+u`, …). "
    "Every key can be changed in the `[keymap]` table of the config, for example "
    '`new_conversation = "ctrl+t"`. `f1` shows them all.\n'
)

_TABS = """\
## Tabs

Every conversation opens as a **tab**, labelled with its title.

- `ctrl+n` starts a new conversation in a new tab; `ctrl+w` closes the tab (the conversation \
stays on disk).
- `alt+left` / `alt+right` (or `ctrl+pageup` / `ctrl+pagedown`) move between tabs; \
`alt+1` … `alt+9` jump to one.
- `ctrl+o` finds any stored conversation by its title or text and opens it.
- `f2` renames the conversation.

When you quit and start again, the same tabs come back in the same order, with the same one \
active. An ended conversation opens as a **locked** tab: readable, never writable.
"""

_ENDING = """\
## Ending a conversation

claude-tui gives the model two tools, following how Claude can end a conversation:

1. **`issue_warning`** names a behaviour; the app records it and shows a warning banner.
2. **`end_conversation`** ends the conversation, with reason `persistent_abuse` or \
`user_requested`.

### What the client enforces, whatever the model says
- An end for `persistent_abuse` counts only after a **warning** in an earlier turn and another \
message from you; otherwise it is refused and the conversation stays open.
- An end you ask for (`user_requested`, `f4` or `/end`) always asks you to **confirm**: ending is \
**permanent**. Cancel, and the conversation goes on.
- It is never meant for someone who may be at risk of harming themselves or others.
- **Other tabs are never affected**, and `ctrl+n` starts a new conversation at once.

### A locked tab
An ended conversation has no composer, and the store refuses to add to it. You can still read, \
scroll, copy and close it, and **branch** (`f8`): copy the messages before an earlier message \
of yours into a new conversation, edit that message, and send it again.
"""

_CODE = '''\
## Reading your conversations from Python

Each conversation is one JSON file, so a few lines of Python can list them:

- the files live in `claude-tui/conversations/` under your user data folder;
- that folder holds nothing else but `damaged/`, so `*.json` is every conversation;
- each message keeps Messages API content blocks, so the text is in its `text` blocks.

```python
import json
from pathlib import Path

from platformdirs import user_data_dir

folder = Path(user_data_dir("claude-tui", appauthor=False)) / "conversations"
for path in sorted(folder.glob("*.json")):
    data = json.loads(path.read_text(encoding="utf-8"))
    typed = [m for m in data["messages"]  # user turns that are not only tool results
             if m["role"] == "user" and any(b["type"] == "text" for b in m["content"])]
    status = data.get("status", "active")
    print(f"{data.get('title') or '(untitled)'}: {len(typed)} from you, {status}")
```

### Try it
1. Save it as `list_conversations.py`.
2. Run it with the Python that has claude-tui installed.
'''

_MARKDOWN = """\
# Markdown in claude-tui

Replies are shown as **Markdown**, with *emphasis*, `inline code` and [links](https://commonmark.org).

## Lists
- a bullet
  - a nested one
1. a numbered step
2. another step

## A table
| feature | key |
|---|---|
| new conversation | `ctrl+n` |
| find a conversation | `ctrl+o` |
| end a conversation | `f4` |

## A quote
> Conversations are plain JSON files: yours to keep, read and back up.

## Code
```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```
"""

_FIXED_REPLIES = {"markdown": _MARKDOWN, "code": _CODE, "ending": _ENDING, "keys": _KEYS,
                  "tabs": _TABS}


def _config_reply(config_path: Path, example: str) -> str:
    return (
        f"## Configuration\n\nSettings are read from `{config_path}` (TOML). Every key is "
        "optional, and the app keeps keys it does not know when it writes a setting back.\n\n"
        f"```toml\n{example.rstrip()}\n```\n\n"
        "- `--config PATH` reads another file.\n"
        "- `[end_conversation] models` chooses which Claude models get the end-conversation "
        "tools; the demo model always gets them unless `enabled = false`.\n"
    )


def _files_reply(data_dir: Path, config_path: Path) -> str:
    return (
        "## Where your files live\n\n"
        f"- **Conversations**: `{data_dir / 'conversations'}`, one `<id>.json` file each, "
        "readable only by you (mode **0600**, folder 0700).\n"
        f"- **Open tabs**: `{data_dir / 'tabs.json'}`.\n"
        f"- **Damaged files** are never overwritten: they are moved to "
        f"`{data_dir / 'conversations' / 'damaged'}` and reported.\n"
        f"- **Settings**: `{config_path}`.\n\n"
        "The folders follow `XDG_DATA_HOME` and `XDG_CONFIG_HOME`; `--data-dir PATH` and "
        "`--config PATH` choose others. Each file is UTF-8 JSON holding the messages as "
        "Messages API content blocks, the warnings, and whether the conversation ended.\n"
    )


def _api_key_reply(default_model: str) -> str:
    return (
        "## Talking to Claude\n\n"
        "I'm only the offline demo model. To talk to Claude, give claude-tui an Anthropic API "
        "key and start it again:\n\n"
        "```sh\nexport ANTHROPIC_API_KEY=sk-ant-...\nclaude-tui\n```\n\n"
        f"- New conversations then use the configured model (`{default_model}` by default); "
        "`--model NAME` picks another.\n"
        "- Or put `api_key = \"sk-ant-...\"` in the config; the file is then kept private "
        "(mode 0600).\n"
        "- `ANTHROPIC_BASE_URL` sends requests through a proxy or gateway.\n"
        "- `--demo` brings back this offline demo even with a key.\n"
    )


def _system_prompt_reply(own: list[str], with_rules: bool) -> str:
    """What the demo says when asked about its system prompt: exactly what the request held."""
    rules = (
        "claude-tui's own section, with the rules for warning and ending conversations, comes "
        "first" if with_rules else "claude-tui sends no section of its own for this model")
    if not own:
        return (
            "## The system prompt\n\n"
            f"This conversation has no system prompt of its own; {rules}. Press `f7` (or "
            "*Edit the system prompt…* in `ctrl+p`) to give it one; the config's "
            "`system_prompt` is the default for new conversations.\n"
        )
    quoted = "\n>\n".join("\n".join(f"> {line}" for line in text.splitlines()) for text in own)
    return (
        "## The system prompt\n\n"
        f"The system prompt in effect for this conversation ({rules}, then yours):\n\n"
        f"{quoted}\n\n"
        "`f7` edits it; the change applies from the next message on.\n"
    )


def _regenerated(text: str, regenerations: int) -> str:
    """A regenerated answer says so: the demo's rules give the same history the same reply."""
    version = regenerations + 1
    return (
        f"*Regenerated answer (version {version}): I'm the offline demo model, so by my fixed "
        "rules the answer is the same as before.*\n\n" + text
    )


def demo_thinking(typed: int, tool: str | None) -> str:
    """The short summarized thinking the demo model shows when thinking is on: what it looked
    at and how its fixed rules chose (it has no other thinking to show)."""
    what = f"a message of {typed} characters" if typed else "the result of its own tool call"
    then = f" The rules call for `{tool}` this time." if tool else ""
    return (f"Looking at {what}, and at the conversation before it, for the demo model's fixed "
            f"rules: safety first, then an end asked for, abuse, the system prompt, and the "
            f"app's topics.{then} The same history always gets this same reply.")
