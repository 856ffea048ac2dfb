"""The command pauses Python's garbage collector while the app starts (start-up makes almost
no garbage, and collecting cost a tenth of it), and collection resumes once the first screen
is painted: an app left open all day must still free what it no longer uses.

Each test runs the command's own entry point (``claude_tui.launch.main``) in a fresh
interpreter, with the app driven headless in place of the terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import asyncio, gc, json, sys
import claude_tui.ui.app as ui_app
from claude_tui import launch
from tests.ui_helpers import until

seen = {}

def run_app(options):
    # Where the command starts the app in the terminal: the same app, driven headless.
    seen["collecting while starting"] = gc.isenabled()
    app = ui_app.ClaudeTUI(options)
    async def drive():
        async with app.run_test() as pilot:
            await until(pilot, gc.isenabled)
            seen["left out of collections"] = gc.get_freeze_count()
    asyncio.run(drive())
    seen["collecting after the app"] = gc.isenabled()
    return 0

ui_app.run_app = run_app
sys.argv = ["claude-tui", *sys.argv[1:]]
code = launch.main()
seen["collecting for a command"] = gc.isenabled()
print(json.dumps(seen))
sys.exit(code)
"""


def run_probe(*args: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env=env, cwd=Path(__file__).parents[1], timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_collection_waits_for_the_first_screen_then_resumes() -> None:
    seen = run_probe()
    assert seen["collecting while starting"] is False
    # Resumed after the first paint, with what start-up built frozen rather than scanned.
    assert seen["left out of collections"] > 10_000
    assert seen["collecting after the app"] is True


def test_a_command_collects_as_usual() -> None:
    seen = run_probe("list")
    assert "collecting while starting" not in seen  # no app was started
    assert seen["collecting for a command"] is True
