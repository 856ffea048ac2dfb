"""The core starts light: no Textual and no SDK behind the modules the first screen needs.

Importing ``anthropic`` costs over a second (NOTES-stack.md), and the core must not know Textual.
Each check runs in a fresh interpreter so earlier imports in the test process cannot hide one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

CORE = [
    "conversation", "config", "cli", "text", "events", "protocol", "request", "chat",
    "providers.base", "providers.demo", "providers.demo_replies", "providers.anthropic",
    "storage", "storage.atomic", "storage.data_lock", "storage.file_format", "storage.guards",
    "storage.index", "storage.quarantine", "storage.reading", "storage.refresh",
    "storage.session", "storage.store", "storage.sync", "storage.writer",
]


def core_modules() -> list[str]:
    return [f"claude_tui.{m}" for m in CORE]


def heavy_after(code: str) -> list[str]:
    """Which of textual and anthropic a fresh interpreter holds after running ``code``."""
    probe = code + (
        "\nimport json, sys\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & HEAVY)))"
    ).replace("HEAVY", "{'textual', 'anthropic'}")
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_core_modules_import_neither_textual_nor_the_sdk() -> None:
    modules = core_modules()
    assert heavy_after("\n".join(f"import {m}" for m in modules)) == []


def test_each_core_module_alone_stays_light() -> None:
    for module in core_modules():
        loaded = heavy_after(f"import {module}")
        assert loaded == [], (module, loaded)


def test_version_imports_neither() -> None:
    code = (
        "import sys\nfrom claude_tui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
    )
    assert heavy_after(code) == []
