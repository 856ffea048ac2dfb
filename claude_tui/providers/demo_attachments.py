"""What the offline demo model says of the files attached to the last message.

It cannot look inside them; it names each one as the request carried it: an image by the line
claude-tui sends before it, a document by its title, with its type and its size in bytes.
"""

from __future__ import annotations

from typing import Any

from claude_tui.attachments import human_size, image_label, type_name

_HOW = {"image": "an image block", "application/pdf": "a PDF document block",
        "text/plain": "a text document block"}


def _size(source: dict[str, Any]) -> int:
    data = source.get("data")
    if not isinstance(data, str):
        return 0
    if source.get("type") == "text":
        return len(data.encode("utf-8", "replace"))
    return max(0, len(data) * 3 // 4 - (len(data) - len(data.rstrip("="))))


def received(blocks: list[dict[str, Any]]) -> list[tuple[str, str, int, str]]:
    """(name, type, size, how it was sent) for each attachment in a user message's blocks."""
    found = []
    label = ""
    for block in blocks:
        kind = block.get("type")
        source = block.get("source") if isinstance(block.get("source"), dict) else {}
        if kind == "text":
            text = str(block.get("text") or "")
            label = text.removeprefix(image_label("")) if text.startswith(image_label("")) else ""
            continue
        media_type = str(source.get("media_type") or "")
        if kind == "image":
            found.append((label or "an image", type_name(media_type), _size(source),
                          _HOW["image"]))
        elif kind == "document":
            found.append((str(block.get("title") or "a document"), type_name(media_type),
                          _size(source), _HOW.get(media_type, "a document block")))
        label = ""
    return found


def is_label(block: dict[str, Any], following: dict[str, Any] | None) -> bool:
    """The line naming an image, just before it: not something the user typed."""
    return (block.get("type") == "text" and following is not None
            and following.get("type") == "image"
            and str(block.get("text") or "").startswith(image_label("")))


def acknowledgement(files: list[tuple[str, str, int, str]]) -> str:
    count = "a file" if len(files) == 1 else f"{len(files)} files"
    them = "it" if len(files) == 1 else "them"
    lines = [f"### You attached {count}", "",
             f"I'm the offline demo model, so I cannot look inside {them}, but this is what "
             "claude-tui sent:", ""]
    lines += [f"- **{name}**: {kind}, {human_size(size)} (as {how})"
              for name, kind, size, how in files]
    return "\n".join(lines) + "\n"


def without_data(messages: list[dict[str, Any]]) -> list[Any]:
    """The messages with each attachment's data cut to a stand-in of a few characters per
    1,000, so the demo's rough token count is not the base64's length."""
    out: list[Any] = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            out.append(message)
            continue
        blocks = []
        for block in content:
            source = block.get("source") if isinstance(block, dict) else None
            if isinstance(source, dict) and isinstance(source.get("data"), str):
                stand_in = "x" * (len(source["data"]) // 1000)
                block = {**block, "source": {**source, "data": stand_in}}
            blocks.append(block)
        out.append({**message, "content": blocks})
    return out
