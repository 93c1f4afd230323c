#!/usr/bin/env python3
"""Regenerates the pictures the README and the AppStream metadata show.

    .venv/bin/python scripts/screenshots.py

Writes config/desktop/screenshots/exercises/<id>.png, each exercise's still picture as
`deskguard catalog show ID --image` draws it, and config/desktop/screenshots/routine.png,
a screenshot of the real routine window during a hold, taken on a private Xvfb screen
(needs Xvfb and ImageMagick's `import`, which scripts/system-packages.sh installs). Run
it after changing a figure or the window, and commit the images.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "config" / "desktop" / "screenshots"
WINDOW_EXERCISE = "hamstring-stretch"
SPEED = "5"  # through the getting ready quickly; the hold lasts 6 s of real time


def deskguard() -> str:
    beside = Path(sys.executable).parent / "deskguard"
    found = str(beside) if beside.exists() else shutil.which("deskguard")
    if not found:
        sys.exit("deskguard is not installed: run scripts/test.sh once, or pip install -e .")
    return found


def private_env(home: Path) -> dict[str, str]:
    """A user with no settings of their own, who has seen the health notice already."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    for name in ("CONFIG", "STATE", "CACHE", "DATA", "RUNTIME"):
        folder = home / name.lower()
        folder.mkdir(mode=0o700)
        env[f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR"] = str(folder)
    marker = home / "state" / "deskguard" / "health-notice-shown"
    marker.parent.mkdir(parents=True)
    marker.write_text("shown\n")
    return env


def exercise_pictures(env: dict[str, str]) -> None:
    listed = subprocess.run(
        [deskguard(), "catalog", "list", "--json"], env=env, check=True, capture_output=True
    )
    folder = OUT / "exercises"
    folder.mkdir(parents=True, exist_ok=True)
    for exercise in json.loads(listed.stdout):
        target = folder / f"{exercise['id']}.png"
        subprocess.run(
            [deskguard(), "catalog", "show", exercise["id"], "--image", str(target)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"wrote {target.relative_to(ROOT)}")


def start_xvfb(env: dict[str, str]) -> subprocess.Popen[bytes]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as announced:
        env["DISPLAY"] = ":" + announced.readline().strip()
    return xvfb


def trace_records(trace: Path) -> list[dict[str, Any]]:
    if not trace.exists():
        return []
    return [json.loads(line) for line in trace.read_text().splitlines() if line]


def window_screenshot(env: dict[str, str], home: Path) -> None:
    trace = home / "trace.jsonl"
    xvfb = start_xvfb(env)
    window = subprocess.Popen(
        [deskguard(), "routine", "--exercises", WINDOW_EXERCISE],
        env={**env, "DESKGUARD_ROUTINE_SPEED": SPEED, "DESKGUARD_ROUTINE_TRACE": str(trace)},
    )
    try:
        deadline = time.monotonic() + 30
        layout: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            records = trace_records(trace)
            layout = next((r for r in records if r.get("event") == "layout"), layout)
            holding = records and records[-1].get("step_kind") == "hold"
            if layout and holding:
                break
            time.sleep(0.1)
        else:
            sys.exit("the routine window never reached its first hold")
        time.sleep(0.5)  # let the countdown's first redraw land
        x, y, width, height = layout["window"]
        target = OUT / "routine.png"
        subprocess.run(
            ["import", "-window", "root", "-crop", f"{width}x{height}+{x}+{y}", str(target)],
            env=env,
            check=True,
        )
        print(f"wrote {target.relative_to(ROOT)}")
    finally:
        window.terminate()
        window.wait(10)
        xvfb.terminate()
        xvfb.wait(10)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="deskguard-shots-") as folder:
        home = Path(folder)
        env = private_env(home)
        exercise_pictures(env)
        window_screenshot(env, home)


if __name__ == "__main__":
    main()
