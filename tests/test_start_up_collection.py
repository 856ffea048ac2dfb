"""The command pauses Python's garbage collector while the app starts (start-up makes almost
no garbage, and collecting cost a tenth of it) and while the SDK is brought in after the first
paint, and collection resumes then: an app left open all day must still free what it no
longer uses.

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
from claude_tui.ui.sdk_warm_up import WarmUp
from tests.ui_helpers import until

seen = {}
full_collections = []
gc.callbacks.append(lambda phase, info: full_collections.append(1)
                    if phase == "stop" and info["generation"] == 2 else None)
warm_up_done = WarmUp._done

def done(self, error):
    warm_up_done(self, error)
    seen["full collections until warmed up"] = len(full_collections)
    seen["sdk brought in"] = "anthropic" in sys.modules

WarmUp._done = done

def run_app(options):
    # Where the command starts the app in the terminal: the same app, driven headless.
    seen["collecting while starting"] = gc.isenabled()
    app = ui_app.ClaudeTUI(options)
    async def drive():
        async with app.run_test() as pilot:
            await until(pilot, lambda: "sdk brought in" in seen)
            seen["collecting once warmed up"] = gc.isenabled()
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


def run_probe(*args: str, key: bool = False) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    if key:  # Claude chosen, so the warm-up brings the SDK in; nothing listens on port 9
        env |= {"ANTHROPIC_API_KEY": "test", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env=env, cwd=Path(__file__).parents[1], timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_collection_waits_for_the_first_screen_then_resumes() -> None:
    seen = run_probe()
    assert seen["collecting while starting"] is False
    # Resumed after the first paint's warm-up, what was built frozen rather than scanned.
    assert seen["collecting once warmed up"] is True
    assert seen["left out of collections"] > 10_000
    assert seen["collecting after the app"] is True


def test_no_full_collection_pauses_the_app_while_the_sdk_is_brought_in() -> None:
    # The SDK's import after the first paint builds 180,000 objects; collecting them cost
    # full collections of up to 141 ms, each a pause the user typing would feel.
    seen = run_probe(key=True)
    assert seen["sdk brought in"] is True
    assert seen["full collections until warmed up"] == 0
    assert seen["collecting once warmed up"] is True
    assert seen["left out of collections"] > 100_000


def test_a_command_collects_as_usual() -> None:
    seen = run_probe("list")
    assert "collecting while starting" not in seen  # no app was started
    assert seen["collecting for a command"] is True
