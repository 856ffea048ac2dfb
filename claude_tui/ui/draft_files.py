"""The files attached to a draft, read again when the draft comes back (a restart, a closed tab
opened again).

``tabs.json`` keeps the paths the user chose, not the bytes, so the file is read as it is now,
off the event loop, and what is sent is its content now. A file that is gone, or can no longer
be attached, is left off with one notice naming it; the draft's text stays.
"""

from __future__ import annotations

import asyncio
import os

from claude_tui.attachments import Attachment, AttachmentError, read_attachment
from claude_tui.text import one_line


async def read_again(paths: list[str]) -> tuple[list[Attachment], list[str]]:
    """The files at ``paths`` as attachments, in order, and a line for each one left off."""
    if not paths:
        return [], []
    return await asyncio.to_thread(_read_all, paths)


def _read_all(paths: list[str]) -> tuple[list[Attachment], list[str]]:
    attached: list[Attachment] = []
    left_off: list[str] = []
    for path in paths:
        try:
            attached.append(read_attachment(path))
        except AttachmentError as exc:
            if not os.path.lexists(os.path.expanduser(path)):
                left_off.append(f"{one_line(path, 200)} is no longer there.")
            else:
                left_off.append(str(exc))
        except (OSError, ValueError) as exc:  # a path the system cannot take at all
            left_off.append(f"{one_line(path, 200)}: {exc}")
    return attached, left_off


def left_off_notice(title: str, left_off: list[str]) -> str:
    """One notice for the files a draft lost: which, why, and that its text is kept."""
    files = "a file that was" if len(left_off) == 1 else f"{len(left_off)} files that were"
    return "\n".join([f"The draft in “{one_line(title, 60)}” comes back without {files} "
                      "attached to it (its text is kept):", *left_off])
