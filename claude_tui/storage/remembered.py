"""The remembered view: the lines the shown tab's transcript last showed, kept as derived data.

A long conversation's first screen costs more than the rest of the start-up together: reading
its file, then rendering the Markdown and highlighting the code on screen (the lexer's first use
alone compiles dozens of regular expressions). The app keeps, in the user cache folder beside the
index, the lines the transcript of the shown tab showed when the app closed (``ui/transcript/
remembered.py`` decides when they are what a start would show), with what they depend on: the
file's signature and how they look (sizes, theme, versions). At the next start, if all of that is
the same, the first screen shows those lines while the messages themselves are mounted after it
is painted. The file holds nothing the conversation file does not; deleting it costs one slower
start. It is written by the store's writer thread, like every other file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from claude_tui.storage.atomic import atomic_write, json_bytes, private_dir
from claude_tui.storage.index import data_folder_key
from claude_tui.storage.reading import FileSignature

SCHEMA = 1
# The largest file read back: a screen's worth of lines is a few tens of KB.
MAX_BYTES = 2_000_000
# Text that would be a terminal control (C0, DEL, C1) never comes out of a rendering.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# A line: its pieces of text, each with the index of its style in ``styles``.
Line = list[tuple[str, int]]


class RememberedView:
    """The lines a conversation's transcript showed, and what they were shown for."""

    __slots__ = ("conversation_id", "lines", "looks", "signature", "styles", "where")

    def __init__(self, conversation_id: str, signature: FileSignature, looks: str,
                 where: tuple[int, int, int, int], styles: list[str], lines: list[Line]) -> None:
        self.conversation_id = conversation_id
        self.signature = signature  # of the file whose messages the lines show
        self.looks = looks  # everything else the lines depend on (sizes, theme, versions)
        self.where = where  # x, y, width, height on the screen
        self.styles = styles  # Rich style definitions ("bold #f8f8f2 on #272822")
        self.lines = lines

    def shows(self, conversation_id: str, signature: FileSignature | None) -> bool:
        """Whether the lines are of this conversation as its file now holds it."""
        return conversation_id == self.conversation_id and signature == self.signature

    def to_json(self) -> dict[str, object]:
        s = self.signature
        return {"schema": SCHEMA, "conversation": self.conversation_id,
                "file": [s.size, s.mtime_ns, s.ino], "looks": self.looks,
                "where": list(self.where), "styles": self.styles,
                "lines": [[list(piece) for piece in line] for line in self.lines]}

    @classmethod
    def from_json(cls, data: object) -> RememberedView | None:
        """The view in ``data``, or None if it is not one this version wrote (any doubt: the
        lines are not shown, the messages are, as without the file)."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return None
        conversation_id, file, looks = data.get("conversation"), data.get("file"), data.get("looks")
        where, styles, lines = data.get("where"), data.get("styles"), data.get("lines")
        if not (isinstance(conversation_id, str) and isinstance(looks, str)
                and isinstance(file, list) and len(file) == 3
                and all(type(n) is int for n in file)
                and isinstance(where, list) and len(where) == 4
                and all(type(n) is int and n >= 0 for n in where)
                and isinstance(styles, list) and all(isinstance(s, str) for s in styles)
                and isinstance(lines, list)):
            return None
        read: list[Line] = []
        for line in lines:
            if not isinstance(line, list):
                return None
            pieces: Line = []
            for piece in line:
                if not (isinstance(piece, list) and len(piece) == 2
                        and isinstance(piece[0], str) and type(piece[1]) is int
                        and 0 <= piece[1] < len(styles) and not _CONTROL.search(piece[0])):
                    return None
                pieces.append((piece[0], piece[1]))
            read.append(pieces)
        return cls(conversation_id, FileSignature(*file), looks,
                   (where[0], where[1], where[2], where[3]), styles, read)


def remembered_path(cache_dir: Path, data_dir: Path) -> Path:
    """One per data folder, beside its index (``index.index_path``)."""
    return Path(cache_dir) / f"view-{data_folder_key(data_dir)}.json"


def read_remembered(path: Path) -> RememberedView | None:
    """The view kept in ``path``; None when there is none, or it is damaged or too big (it is
    derived data: the next close writes it again)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return None
        return RememberedView.from_json(json.loads(raw))
    except (OSError, ValueError, TypeError, RecursionError):
        return None


def write_remembered(path: Path, view: RememberedView) -> None:
    """Keep ``view`` in ``path`` (on the writer thread)."""
    private_dir(path.parent)
    atomic_write(path, json_bytes(view.to_json()))
