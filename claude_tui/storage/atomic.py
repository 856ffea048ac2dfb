"""Writing files so that a crash at any moment leaves the old version or the new one, whole."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """How the temporary files of writes to ``path`` are named (``.<name>.<random>.tmp``)."""
    return f".{path.name}."


def atomic_write(path: Path, data: bytes | Iterable[bytes], mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves old or new, whole.

    ``data`` may come in pieces, so a large file is never one more copy in memory.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX,
                                    dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            if isinstance(data, bytes | bytearray):
                handle.write(data)
            else:
                for piece in data:
                    handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the replace itself is still atomic
    finally:
        os.close(fd)


def private_dir(path: Path, *, ours: bool = True) -> Path:
    """Make ``path`` (mode 0700) if needed.

    A folder the app names itself (``ours``) is made private even if it already existed; a
    folder the user chose (``--data-dir ~/notes``) keeps its mode unless the app created it.
    """
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if ours or not existed:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)
    return path


def json_bytes(data: Any, indent: int | None = None) -> bytes:
    text = json.dumps(data, ensure_ascii=False, indent=indent) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (possible in text from the network) has no UTF-8 form; escaped
        # JSON keeps it and stays valid UTF-8.
        return (json.dumps(data, ensure_ascii=True, indent=indent) + "\n").encode("ascii")
