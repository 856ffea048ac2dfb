"""What ``show`` and ``export`` write for a reply that broke off, and for headings in replies:
real subprocesses on real conversation files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from claude_tui.conversation import Conversation, Message, new_conversation_id
from tests.cli_support import run_cli, text_message


def _write(data_dir: Path, *messages: Message, title: str = "Broken off") -> Conversation:
    conversation = Conversation(id=new_conversation_id(), model="claude-opus-5-5", title=title,
                                messages=list(messages))
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{conversation.id}.json").write_text(json.dumps(conversation.to_dict()), "utf-8")
    return conversation


def _reply(text: str, **fields: object) -> Message:
    return text_message("assistant", text, model="claude-opus-5-5", **fields)


def test_a_cut_off_reply_says_so_in_plain_words_in_show_and_both_exports(
        data_dir: Path) -> None:
    conversation = _write(
        data_dir,
        text_message("user", "tell me a story"),
        _reply("Once upon a", interrupted=True, extra={"interruption": "stopped"}),
        text_message("user", "again"),
        _reply("Long ago", interrupted=True, extra={"interruption": "broke_off"}),
        text_message("user", "and again"),
        _reply("", interrupted=True, extra={"interruption": "unfinished"}),  # nothing came
        text_message("user", "once more"),
        _reply("In a land", interrupted=True),  # an older file: no word on how
        text_message("user", "the end"),
        _reply("The end.", stop_reason="end_turn"),
    )
    for args in (["show", conversation.id], ["export", conversation.id]):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        text = result.stdout
        assert "Once upon a\n\n[reply cut off: you stopped it]" in text
        assert ("Long ago\n\n[reply cut off: the connection ended before it was complete]"
                in text)
        assert "[reply cut off: the app stopped (a crash or a kill) before it was complete]" in text
        assert "In a land\n\n[reply cut off: it broke off before it was complete]" in text
        assert text.count("## Claude (cut off)") == 4
        assert "The end." in text and text.count("[reply cut off") == 4  # not the whole one
    data = json.loads(run_cli("export", conversation.id, "--format", "json").stdout)
    cut = [m for m in data["messages"] if m.get("interrupted")]
    assert [m.get("interruption") for m in cut] == ["stopped", "broke_off", "unfinished", None]
    assert "interrupted" not in data["messages"][-1]


def test_a_reply_at_the_token_limit_says_it_was_cut_short(data_dir: Path) -> None:
    conversation = _write(data_dir, text_message("user", "write a lot"),
                          _reply("A great deal of", stop_reason="max_tokens"))
    shown = run_cli("show", conversation.id).stdout
    assert "A great deal of\n\n[reply cut short: it reached the token limit]" in shown


REPLY_WITH_HEADINGS = """# Overview
Some words.

## You
Not the user: a heading the model wrote.

Setext title
============

```markdown
# A heading inside code stays exactly as written
## So does this
```

~~~
# And in a tilde fence
~~~
"""


def test_headings_in_messages_sit_below_the_exports_own_levels(data_dir: Path) -> None:
    conversation = _write(data_dir, text_message("user", "# My question\nwhat?"),
                          _reply(REPLY_WITH_HEADINGS), title="Headings")
    markdown = run_cli("export", conversation.id).stdout
    outside_code = re.sub(r"```.*?```|~~~.*?~~~", "", markdown, flags=re.S)
    top_levels = re.findall(r"^#{1,2} .*$", outside_code, flags=re.M)
    # Only the export makes headings of levels 1 and 2: the title, and one per message.
    assert top_levels == ["# Headings", "## You", "## Claude"]
    assert "### My question\nwhat?" in markdown
    assert "### Overview\nSome words." in markdown
    assert "#### You\nNot the user" in markdown
    assert "### Setext title\n" in markdown and "=====" not in markdown
    # Code is data: not one character changed inside the fences.
    assert ("```markdown\n# A heading inside code stays exactly as written\n## So does this\n"
            "```") in markdown
    assert "~~~\n# And in a tilde fence\n~~~" in markdown
    shown = run_cli("show", conversation.id).stdout  # the same text when piped
    assert "#### You\nNot the user" in shown
