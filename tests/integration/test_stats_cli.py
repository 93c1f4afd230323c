"""`deskguard stats`, `walk` and `export`: the real executable on a seeded history file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from deskguard.store import History
from tests.support.env import isolated_env
from tests.support.process import deskguard_executable, history_path
from tests.unit.test_stats import EXPECTED, SEEDED_ROWS, seed

WINDOW = ("--until", "2026-01-07", "--days", "3")


def run(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [deskguard_executable(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path)


@pytest.fixture
def seeded(env: dict[str, str]) -> dict[str, str]:
    history = History(history_path(env))
    seed(history)
    history.close()
    return env


def stats_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    result = run(env, "stats", "--json", *args)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_stats_json_gives_the_hand_computed_figures(seeded: dict[str, str]) -> None:
    result = stats_json(seeded, *WINDOW)
    assert result.pop("history") == str(history_path(seeded))
    assert result == EXPECTED


def test_the_table_shows_the_same_numbers(seeded: dict[str, str]) -> None:
    result = run(seeded, "stats", *WINDOW)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "3 days, 2026-01-05 – 2026-01-07 (times in h:mm)"

    def rows(label: str) -> list[list[str]]:
        return [line.split() for line in lines if line.startswith(label)]

    for day, label in zip(EXPECTED["days"], ("Mon 01-05", "Tue 01-06", "Wed 01-07"), strict=True):
        sitting, reminders, moving = rows(label)
        assert sitting[2] == h_mm(day["present_seconds"])
        assert sitting[3] == h_mm(day["sitting_seconds"])
        assert sitting[-2:] == [h_mm(day["longest_sitting_seconds"]), str(day["breaks"])]
        counts = day["reminders"]
        names = ("shown", "accepted", "natural_break", "snoozed", "skipped", "dismissed")
        assert reminders[2:8] == [str(counts[name]) for name in names]
        assert reminders[8] == str(day["deferred"])
        compliance = day["compliance"]
        assert reminders[9] == ("–" if compliance is None else f"{compliance * 100:.0f}%")
        walks = day["walks"]
        assert moving[2:7] == [
            str(day["routines"]["started"]),
            str(day["routines"]["finished"]),
            h_mm(day["exercise_seconds"]),
            f"{walks['km']:g}",
            f"{walks['minutes']:g}",
        ]
        assert (moving[7:] == ["met"]) == walks["goal_met"]
    total = EXPECTED["total"]
    sitting, reminders, moving = rows("total")
    assert sitting[1:] == [
        h_mm(total["present_seconds"]),
        h_mm(total["sitting_seconds"]),
        h_mm(total["longest_sitting_seconds"]),
        str(total["breaks"]),
    ]
    assert reminders[1:] == ["8", "3", "1", "1", "1", "1", "0", "50%"]
    assert moving[1:] == ["3", "2", h_mm(total["exercise_seconds"]), "7.5", "70", "1/3"]
    # one small bar per day, longest for the day with the most sitting
    bars = [line.count("█") for line in lines[3:6]]
    assert bars[0] == 10 and 0 < bars[2] < bars[1] < bars[0]


def h_mm(seconds: float) -> str:
    minutes = int(seconds / 60 + 0.5)
    return f"{minutes // 60}:{minutes % 60:02d}"


def distinct_colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    return len(colours)


def test_chart_png_is_a_real_picture(seeded: dict[str, str], tmp_path: Path) -> None:
    from PIL import Image

    result = run(seeded, "stats", *WINDOW, "--chart", "week.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "chart written to week.png" in result.stdout
    with Image.open(tmp_path / "week.png") as image:
        assert image.format == "PNG"
        assert image.size == (1000, 500)
        # sitting bars in blue, the longest stretch in orange, breaks in green
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    pixels = {colour for _, colour in colours}
    assert {(0x4C, 0x72, 0xB0), (0xDD, 0x84, 0x52), (0x55, 0xA8, 0x68)} <= pixels
    assert distinct_colours(tmp_path / "week.png") > 20


def test_chart_svg_is_a_drawing_with_the_days(seeded: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "out" / "week.svg"
    result = run(seeded, "stats", "--json", *WINDOW, "--chart", str(target))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == EXPECTED["total"]  # stdout stays JSON
    assert f"chart written to {target}" in result.stderr
    root = ElementTree.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(node.itertext()).strip() for node in root.iter() if node.tag.endswith("text")}
    assert "Sitting per day, 2026-01-05 to 2026-01-07" in texts
    assert {"sitting (min)", "longest stretch (min)", "breaks taken"} <= texts
    bars = [
        node
        for node in root.iter()
        if node.tag.endswith("g") and str(node.get("id", "")).startswith("patch_")
    ]
    assert len(bars) > 3


def test_chart_with_another_extension_is_refused(seeded: dict[str, str], tmp_path: Path) -> None:
    result = run(seeded, "stats", "--chart", "week.jpg", cwd=tmp_path)
    assert result.returncode == 1
    assert "must end in .png or .svg" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "week.jpg").exists()


def today_walks(env: dict[str, str]) -> dict[str, Any]:
    return dict(stats_json(env, "--days", "1")["days"][0]["walks"])


def test_a_logged_walk_shows_in_stats(env: dict[str, str]) -> None:
    result = run(env, "walk", "3.5km")
    assert result.returncode == 0, result.stderr
    assert "Logged a walk of 3.5 km." in result.stdout
    assert "Walked today: 3.5 of 7 km" in result.stdout
    assert today_walks(env) == {
        "count": 1,
        "km": 3.5,
        "minutes": 0,
        "goal_km": 7.0,
        "goal_met": False,
    }
    for amount in (["40m"], ["4", "km"], ["25"]):
        assert run(env, "walk", *amount).returncode == 0
    walks = today_walks(env)
    assert (walks["count"], walks["km"], walks["minutes"], walks["goal_met"]) == (4, 7.5, 65, True)
    table = run(env, "stats", "--days", "1").stdout
    today = datetime.now().astimezone().strftime("%a %m-%d")
    moving = [line.split() for line in table.splitlines() if line.startswith(today)][2]
    assert moving[-3:] == ["7.5", "65", "met"]


def test_walk_refuses_what_it_cannot_read(env: dict[str, str]) -> None:
    for amount in (["3.5miles"], ["0km"], ["300km"], ["2km", "3km"]):
        result = run(env, "walk", *amount)
        assert result.returncode == 2, amount
        assert "Traceback" not in result.stderr
    assert not history_path(env).exists()
    help_text = run(env, "walk", "--help").stdout
    assert "a bare number up to 20 is km" in help_text and "above 20 it is minutes" in help_text


def test_export_json_and_csv_round_trip(seeded: dict[str, str]) -> None:
    result = run(seeded, "export", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert count_tables(rows) == SEEDED_ROWS
    presence = [row for row in rows if row["table"] == "presence"]
    assert presence[0] == {
        "table": "presence",
        "id": 1,
        "started_at": "2026-01-04T10:00:00+01:00",
        "ended_at": "2026-01-04T11:00:00+01:00",
        "seconds": 3600.0,
    }

    result = run(seeded, "export")  # csv is the default
    assert result.returncode == 0, result.stderr
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert count_tables(records) == SEEDED_ROWS
    sitting = [float(row["seconds"]) for row in records if row["table"] == "sitting"]
    assert sum(sitting) == 6000 + 1200 + 3000 + 4200 + 1800 + 2400 + 2700 + 5400 + 2400 + 3600 + 600
    walks = [(row["km"], row["minutes"]) for row in records if row["table"] == "walks"]
    assert walks == [("10.0", ""), ("3.5", "40.0"), ("4.0", ""), ("", "30.0")]

    since = run(seeded, "export", "--format", "csv", "--since", "2026-01-07")
    assert count_tables(list(csv.DictReader(io.StringIO(since.stdout)))) == {
        "sitting": 3,
        "reminders": 1,
        "presence": 2,
    }


def count_tables(rows: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["table"]] = counts.get(row["table"], 0) + 1
    return counts


def test_no_history_file_is_zeros_not_an_error(env: dict[str, str]) -> None:
    result = run(env, "stats", *WINDOW)
    assert result.returncode == 0, result.stderr
    assert "No history yet" in result.stdout
    totals = [line.split() for line in result.stdout.splitlines() if line.startswith("total")]
    assert totals == [
        ["total", "0:00", "0:00", "0:00", "0"],
        ["total", "0", "0", "0", "0", "0", "0", "0", "–"],
        ["total", "0", "0", "0:00", "0", "0", "0/3"],
    ]
    data = stats_json(env, *WINDOW)
    assert [day["sitting_seconds"] for day in data["days"]] == [0, 0, 0]
    assert data["total"]["reminders"]["shown"] == 0 and data["total"]["compliance"] is None

    export = run(env, "export", "--format", "json")
    assert export.returncode == 0 and json.loads(export.stdout)["rows"] == []
    assert "No history yet" in export.stderr
    assert not history_path(env).exists()  # looking never creates the file


def test_an_unreadable_history_is_a_message(env: dict[str, str]) -> None:
    path = history_path(env)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    result = run(env, "stats")
    assert result.returncode == 1
    assert "the history file cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == b"not a database" * 100
