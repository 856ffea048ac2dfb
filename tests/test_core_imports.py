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
    "conversation", "config", "cli", "startup", "text", "events", "protocol", "request", "chat",
    "reply_stream", "end_tools", "turn_output",
    "providers.base", "providers.choice", "providers.demo", "providers.demo_reading",
    "providers.demo_replies",
    "providers.anthropic", "providers.anthropic_errors",
    "storage", "storage.atomic", "storage.data_lock", "storage.file_format", "storage.guards",
    "storage.index", "storage.quarantine", "storage.reading", "storage.refresh",
    "storage.session", "storage.store", "storage.sync", "storage.writer",
]
# The engine works with any provider: it is handed them, and never imports one.
ENGINE = ["chat", "protocol", "request", "reply_stream", "end_tools", "turn_output",
          "providers.choice"]


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


def ours_after(code: str) -> list[str]:
    """The claude_tui modules a fresh interpreter holds after running ``code``."""
    probe = code + (
        "\nimport json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('claude_tui'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_engine_imports_no_provider() -> None:
    loaded = ours_after("\n".join(f"import claude_tui.{m}" for m in ENGINE))
    assert "claude_tui.providers.anthropic" not in loaded
    assert "claude_tui.providers.demo" not in loaded


def test_the_command_line_and_the_ui_do_not_import_each_other() -> None:
    """Start-up hands the app its options and providers; the UI loads only to run the app."""
    assert not [m for m in ours_after("import claude_tui.cli") if m.startswith("claude_tui.ui")]
    assert "claude_tui.cli" not in ours_after("import claude_tui.ui.app")
