"""Only one claude-tui at a time may write a data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claude_tui.storage.data_lock import DataFolderInUse, DataFolderLock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX only")


def test_a_second_lock_on_the_same_folder_is_refused_until_the_first_is_released(
    tmp_path: Path,
) -> None:
    first = DataFolderLock(tmp_path)
    first.acquire()
    second = DataFolderLock(tmp_path)
    with pytest.raises(DataFolderInUse) as refused:
        second.acquire()
    assert str(tmp_path) in str(refused.value)
    assert f"process {os.getpid()}" in str(refused.value)
    assert "--data-dir" in str(refused.value)
    first.release()
    second.acquire()  # free again once the first instance has gone
    second.release()


def test_other_data_folders_are_not_affected(tmp_path: Path) -> None:
    a = DataFolderLock(tmp_path / "a")
    b = DataFolderLock(tmp_path / "b")
    a.acquire()
    b.acquire()
    a.release()
    b.release()


def test_the_app_refuses_to_start_on_a_folder_in_use(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    lock = DataFolderLock(data_dir)
    lock.acquire()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "claude_tui", "--data-dir", str(data_dir)],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )
    finally:
        lock.release()
    assert result.returncode == 1
    assert "already running" in result.stderr
    assert str(data_dir) in result.stderr
    # Nothing was written into the folder by the refused instance.
    assert sorted(p.name for p in data_dir.iterdir()) == ["lock"]
