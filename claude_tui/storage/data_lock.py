"""One running claude-tui per data folder.

Two instances writing the same conversation files would overwrite each other's messages, and
one could add to a conversation the other has just ended. The lock is an advisory ``flock`` on
``<data folder>/lock``, released by the system when the process exits, even on a crash.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; the app runs without the guard there.
    fcntl = None  # type: ignore[assignment]


class DataFolderInUse(Exception):
    """Another claude-tui is running with the same data folder."""


class DataFolderLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None or self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise DataFolderInUse(
                f"claude-tui is already running with the data folder {self.path.parent}{who}. "
                "Switch to that window, or start another one with --data-dir PATH."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
