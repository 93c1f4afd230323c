"""The exercise pictures on a real desktop: the routine window's figure moves into the
held pose and stays there (read from screenshots of the Xvfb screen), and the reminder's
Notify call to dunst carries a PNG of the exercise it names.

One desktop (Xvfb, session bus, dunst) serves the whole module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from PIL import Image

from deskguard.core.figure_drawing import COLOURS
from tests.integration.test_routine_window import RoutineWindowProcess, skip_health_notice
from tests.support.desktop import HeadlessDesktop, Notification
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config

FIGURE_COLOURS = {
    tuple(int(COLOURS[tone][i : i + 2], 16) for i in (1, 3, 5))
    for tone in ("far", "near", "working")
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Slower than real time: the start pose is on screen for the first 2 of the 5 seconds of
# getting ready (4 s of real time here), and a screenshot must land inside that even on
# a busy machine.
SPEED = 0.5


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessDesktop]:
    with HeadlessDesktop(tmp_path_factory.mktemp("pictures") / "desktop") as running:
        yield running


def figure_pixels(screenshot: Path, box: list[int]) -> set[tuple[int, int]]:
    """Where the figure is drawn inside the canvas rectangle `box` (x, y, width, height)."""
    x, y, width, height = box
    with Image.open(screenshot) as image:
        canvas = image.convert("RGB").crop((x, y, x + width, y + height))
        pixels = canvas.load()
        assert pixels is not None
        return {
            (px, py)
            for px in range(width)
            for py in range(height)
            if pixels[px, py] in FIGURE_COLOURS
        }


def test_the_routine_window_moves_the_figure_into_the_held_pose_and_keeps_it(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    skip_health_notice(desktop.env)
    routine = RoutineWindowProcess(desktop, tmp_path, SPEED, "--exercises", "back-extension")

    def at(kind: str, countdown: int, name: str) -> set[tuple[int, int]]:
        routine.wait_for(
            lambda r: r.get("step_kind") == kind and r.get("countdown") == countdown,
            f"{kind} countdown {countdown}",
        )
        return figure_pixels(desktop.screenshot(tmp_path / f"{name}.png"), box)

    try:
        layout = routine.wait_for(lambda r: r.get("event") == "layout", "the window's layout")
        box = layout["figure"]
        assert box[2] > 300 and box[3] > 150, box
        lying = poll(
            lambda: figure_pixels(desktop.screenshot(tmp_path / "lying.png"), box) or None,
            timeout=5,
            what="the figure on screen",
        )
        # Still the start pose when that screenshot was taken: 2 of 5 seconds not yet gone.
        assert routine.states()[-1]["countdown"] >= 3, routine.states()[-1]
        moving = at("prepare", 2, "moving")
        held = at("hold", 10, "held")
        still = at("hold", 8, "still-held")
    finally:
        routine.close()

    for pixels in (lying, moving, held):
        assert len(pixels) > 800, len(pixels)
    # Moving: neither the start nor the held pose; holding: the same picture throughout.
    assert moving != lying and moving != held
    assert held == still
    assert len(held ^ lying) > 0.2 * len(lying)
    # Head and shoulders lifted: the figure reaches much higher than lying flat.
    top = min(y for _x, y in held)
    assert top < min(y for _x, y in lying) - 15
    # ...while the feet stay on the floor: the lowest figure pixels are where they were.
    assert max(y for _x, y in held) == pytest.approx(max(y for _x, y in lying), abs=2)


FAST_REMINDER = """
[reminder]
sit_limit = "3s"
natural_break = "1h"
[activity]
source = "x11"
poll = "1s"
"""


def is_reminder(notification: Notification) -> bool:
    return notification.app_name == "deskguard" and "stand up" in notification.summary.lower()


def test_the_reminder_carries_a_png_picture_of_the_exercise_it_names(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    write_config(desktop.env, FAST_REMINDER)
    daemon = DeskguardProcess(desktop.env, tmp_path / "deskguard.log").start()
    try:
        notice = desktop.wait_for_notification(is_reminder, timeout=15)
        exercise = daemon.wait_for_state("reminding")["pending_exercise"]
        # dunst's history holds closed notices: close it as a user would, then read it.
        desktop.dunstctl("close-all")
        received = poll(
            lambda: next(
                (e for e in desktop.dunst_history() if e.get("summary") == notice.summary), None
            ),
            timeout=5,
            what="the reminder in dunst's history",
        )
    finally:
        daemon.stop()

    uri = str(notice.hints["image-path"])
    assert uri.startswith("file://"), uri
    picture = Path(unquote(urlparse(uri).path))
    assert picture.parent == Path(desktop.env["XDG_CACHE_HOME"]) / "deskguard" / "pictures"
    assert picture.name.startswith(f"{exercise}-"), (picture, exercise)
    png = picture.read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    # The very picture `catalog show` draws for the named exercise, and no other's.
    expected = tmp_path / "expected.png"
    shown = daemon.cli("catalog", "show", exercise, "--image", str(expected))
    assert shown.returncode == 0, shown.stderr
    assert png == expected.read_bytes()
    other = "quadriceps-stretch" if exercise != "quadriceps-stretch" else "standing-back-bend"
    daemon.cli("catalog", "show", other, "--image", str(tmp_path / "other.png"))
    assert png != (tmp_path / "other.png").read_bytes()
    # dunst itself took the picture from the hint.
    assert received.get("icon_path") == str(picture), received
