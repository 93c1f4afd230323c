"""The figure's geometry and movement, its drawing, its still picture and its validation."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from deskguard.catalog import CatalogError, load_catalog
from deskguard.cli.catalog import catalog_group
from deskguard.core.figure import (
    BONES,
    MOVE_SECONDS,
    Angles,
    KeyPoses,
    Movement,
    between,
    body,
    mirrored,
    shortest_turn,
)
from deskguard.core.figure_drawing import COLOURS, Disc, Frame, Scale, Stroke, frame_for, shapes
from deskguard.model.figure import SEGMENTS, Figure, Pose
from deskguard.pictures.cache import cached_picture
from deskguard.pictures.render import render_png


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "config"
    (home / "deskguard").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    yield home


def keys_of(exercise_id: str) -> KeyPoses:
    item = load_catalog().exercise(exercise_id)
    assert item.figure is not None
    return KeyPoses.of(item.position, item.figure, sided=item.side_count == 2)


# --------------------------------------------------------------------------- geometry


def test_a_standing_figure_is_about_one_metre_seventy_five() -> None:
    keys = KeyPoses.of("standing", Figure(held=Pose()), sided=False)
    standing = body(keys.start, "standing")
    assert standing.clearance("left_ankle") == pytest.approx(0.0)
    assert standing.y("head") + 11 == pytest.approx(180, abs=6)
    assert standing.x("head") == pytest.approx(standing.x("hip"))


def test_a_pose_names_only_what_moves_and_the_rest_carries_over() -> None:
    figure = Figure(start=Pose(left_thigh=45), held=Pose(torso=150))
    keys = KeyPoses.of("lying-on-back", figure, sided=False)
    assert keys.start["left_thigh"] == 45 and keys.start["torso"] == 180
    assert keys.held[0]["left_thigh"] == 45 and keys.held[0]["torso"] == 150
    assert keys.held[1] == keys.held[0]


def test_the_other_side_is_the_mirror_unless_given() -> None:
    figure = Figure(held=Pose(left_thigh=90), working=("left_thigh", "torso"))
    keys = KeyPoses.of("lying-on-back", figure, sided=True)
    assert keys.held[1]["right_thigh"] == 90 and keys.held[1]["left_thigh"] == -5
    assert keys.working == (
        frozenset({"left_thigh", "torso"}),
        frozenset({"right_thigh", "torso"}),
    )
    own = Figure(held=Pose(left_thigh=90), other_side=Pose(right_thigh=70))
    assert KeyPoses.of("lying-on-back", own, sided=True).held[1]["right_thigh"] == 70
    assert mirrored({"left_foot": 1.0, "head": 2.0}) == {"right_foot": 1.0, "head": 2.0}


def test_turning_between_poses_takes_the_short_way() -> None:
    assert shortest_turn(170, -170) == pytest.approx(20)
    assert shortest_turn(-170, 170) == pytest.approx(-20)
    start = dict.fromkeys(SEGMENTS, 170.0)
    end = dict.fromkeys(SEGMENTS, -170.0)
    assert between(start, end, 0.5)["torso"] == pytest.approx(180)


def test_a_pillow_lifts_the_pelvis_and_a_towel_the_head() -> None:
    angles = KeyPoses.of("lying-face-down", Figure(held=Pose()), sided=False).start
    bare, propped = body(angles, "lying-face-down"), body(angles, "lying-face-down", ("pillow",))
    assert bare.clearance("hip") == pytest.approx(0.0, abs=0.05)
    assert propped.clearance("hip") == pytest.approx(8.0, abs=0.05)


# --------------------------------------------------------------------------- movement


def same(first: Angles, second: Angles) -> bool:
    """The same pose: every segment pointing the same way (-180 is 180)."""
    return all(abs(shortest_turn(first[s], second[s])) < 1e-6 for s in SEGMENTS)


def test_getting_ready_holds_still_then_moves_into_the_held_pose() -> None:
    keys = keys_of("back-extension")
    movement = Movement(keys)
    first = movement.at("prepare", 0.5, 10, None)
    assert first.angles == keys.start and not first.moving
    halfway = movement.at("prepare", 10 - MOVE_SECONDS / 2, 10, None)
    assert halfway.moving
    assert keys.held[0]["torso"] < halfway.angles["torso"] < keys.start["torso"]
    assert same(movement.at("prepare", 10, 10, None).angles, keys.held[0])


def test_the_figure_stays_in_the_held_pose_for_the_whole_countdown() -> None:
    keys = keys_of("back-extension")
    movement = Movement(keys)
    for elapsed in (0.0, 3.3, 9.99):
        moment = movement.at("hold", elapsed, 10, None)
        assert moment.angles == keys.held[0] and not moment.moving


def test_a_rest_returns_to_the_start_and_goes_back() -> None:
    keys = keys_of("crunch")
    movement = Movement(keys)
    assert same(movement.at("rest", 1.5, 3, None).angles, keys.start)
    assert movement.at("rest", 0.75, 3, None).moving
    assert same(movement.at("rest", 3, 3, None).angles, keys.held[0])


def test_a_side_change_goes_from_one_side_to_the_other_and_highlights_it() -> None:
    keys = keys_of("hamstring-stretch")
    movement = Movement(keys)
    left = movement.at("hold", 1, 30, "left leg")
    right = movement.at("hold", 1, 30, "right leg")
    assert left.angles["left_thigh"] == 88 and right.angles["right_thigh"] == 88
    assert "left_thigh" in left.working and "right_thigh" in right.working
    assert same(movement.at("change-side", 0, 5, "right leg").angles, keys.held[0])
    assert same(movement.at("change-side", 2.5, 5, "right leg").angles, keys.start)
    assert same(movement.at("change-side", 5, 5, "right leg").angles, keys.held[1])


# --------------------------------------------------------------------------- drawing


def test_shapes_draw_the_floor_first_and_the_working_side_highlighted() -> None:
    item = load_catalog().exercise("opposite-arm-leg-raise")
    assert item.figure is not None
    keys = KeyPoses.of(item.position, item.figure, sided=True)
    frame = frame_for(keys, item.position, item.figure.props)
    drawn = shapes(body(keys.held[0], item.position, item.figure.props), keys.working[0], frame)
    floor = drawn[0]
    assert isinstance(floor, Stroke) and floor.tone == "floor"
    assert floor.start == (frame.left, 0.0) and floor.end == (frame.right, 0.0)
    assert {s.tone for s in drawn} >= {"prop", "far", "near", "working"}
    strokes = [s for s in drawn if isinstance(s, Stroke) and s.tone == "working"]
    assert len(strokes) == len(item.figure.working)
    assert any(isinstance(s, Disc) and s.tone == "prop" for s in drawn)  # the towel


def test_the_frame_holds_every_pose_and_the_scale_fits_it() -> None:
    keys = keys_of("hamstring-stretch")
    frame = frame_for(keys, "lying-on-back", ())
    for angles in (keys.start, *keys.held):
        for x, y in body(angles, "lying-on-back").points.values():
            assert frame.left < x < frame.right and frame.bottom < y < frame.top
    scale = Scale.fit(frame, 400, 200)
    left, top = scale.point((frame.left, frame.top))
    right, bottom = scale.point((frame.right, frame.bottom))
    assert left >= -0.01 and right <= 400.01 and top >= -0.01 and bottom <= 200.01
    assert max(right - left - 400, bottom - top - 200) == pytest.approx(0, abs=0.01)
    assert Frame(0, 0, 10, 5).width == 10
    seen = scale.visible(400, 200)
    assert seen.left <= frame.left and seen.right >= frame.right
    assert seen.bottom == pytest.approx(frame.bottom) and seen.top == pytest.approx(frame.top)
    assert scale.point((seen.left, seen.top)) == pytest.approx((0, 0))
    assert scale.point((seen.right, seen.bottom)) == pytest.approx((400, 200))


def test_the_still_picture_is_a_png_of_the_held_pose() -> None:
    catalog = load_catalog()
    pictures = {}
    for item in catalog.exercises.values():
        png = render_png(item)
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (256, 256)
        colours = {colour for _count, colour in image.getcolors(256 * 256) or []}
        assert _rgb(COLOURS["near"]) in colours and _rgb(COLOURS["floor"]) in colours
        pictures[item.id] = png
    assert len(set(pictures.values())) == len(pictures)  # each exercise looks different
    assert len(BONES) == len(SEGMENTS)


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_an_exercise_without_a_figure_has_no_picture(config_home: Path) -> None:
    item = load_catalog().exercise("crunch")
    bare = type(item)(**{**item.__dict__, "figure": None})
    with pytest.raises(ValueError, match="has no figure"):
        render_png(bare)


# --------------------------------------------------------------------------- validation


def problems(config_home: Path, text: str) -> tuple[Path, list[tuple[str, str, str]]]:
    path = config_home / "deskguard" / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    return path, [(p.source, p.entry, p.reason) for p in excinfo.value.problems]


def test_an_unknown_joint_is_named_with_file_and_key(config_home: Path) -> None:
    path, found = problems(config_home, "[exercises.crunch.figure.held]\ntail = 30\n")
    assert found == [(str(path), "exercises.crunch.figure.held.tail", "unknown field")]


def test_an_angle_out_of_range_is_refused(config_home: Path) -> None:
    path, found = problems(config_home, "[exercises.crunch.figure.start]\ntorso = 400\n")
    [(source, entry, reason)] = found
    assert (source, entry) == (str(path), "exercises.crunch.figure.start.torso")
    assert "360" in reason


def test_an_unknown_prop_and_an_unknown_working_segment_are_refused(config_home: Path) -> None:
    path, found = problems(
        config_home, '[exercises.crunch.figure]\nprops = ["mat"]\nworking = ["tail"]\n'
    )
    entries = {entry: reason for _source, entry, reason in found}
    assert set(entries) == {"exercises.crunch.figure.props.0", "exercises.crunch.figure.working.0"}
    assert "'towel'" in entries["exercises.crunch.figure.props.0"]
    assert {source for source, _e, _r in found} == {str(path)}


def test_a_new_exercise_needs_a_held_pose_and_other_side_needs_sides(config_home: Path) -> None:
    path, found = problems(config_home, "[exercises.crunch.figure]\nheld = 3\n")
    assert [(s, e) for s, e, _r in found] == [(str(path), "exercises.crunch.figure.held")]
    _path, found = problems(config_home, "[exercises.crunch.figure.other_side]\ntorso = 150\n")
    [(_source, entry, reason)] = found
    assert entry == "exercises.crunch" and "only for an exercise with sides" in reason


def test_a_users_own_exercise_can_have_a_figure(config_home: Path) -> None:
    (config_home / "deskguard" / "catalog.toml").write_text(
        """
[exercises.neck-tilt]
name = "Neck tilt"
kind = "stretch"
position = "standing"
hold = { min_seconds = 5, max_seconds = 5 }
repetitions = { count = 3 }
sides = "none"
purpose = "Loosens the neck."
summary = "Tilt the head back gently."
steps = ["Tilt the head back."]
contraindications = []
figure = { held = { head = 120 }, working = ["head"] }
""",
        encoding="utf-8",
    )
    item = load_catalog().exercise("neck-tilt")
    assert item.figure == Figure(held=Pose(head=120), working=("head",))
    assert render_png(item).startswith(b"\x89PNG")


# --------------------------------------------------------------------------- pictures


def test_a_picture_is_drawn_once_and_replaced_when_the_pose_changes(
    tmp_path: Path, config_home: Path
) -> None:
    folder = tmp_path / "cache"
    item = load_catalog().exercise("crunch")
    first = cached_picture(item, folder)
    assert first.name.startswith("crunch-256x256-") and first.read_bytes() == render_png(item)
    stamp, drawn = first.stat().st_mtime_ns, first.read_bytes()
    assert cached_picture(item, folder) == first and first.stat().st_mtime_ns == stamp
    (config_home / "deskguard" / "catalog.toml").write_text(
        "[exercises.crunch.figure.held]\ntorso = 140\n", encoding="utf-8"
    )
    changed = cached_picture(load_catalog().exercise("crunch"), folder)
    assert changed != first and changed.read_bytes() != drawn
    assert [p.name for p in folder.iterdir()] == [changed.name]  # the old one is gone


def test_catalog_show_writes_the_picture(tmp_path: Path) -> None:
    target = tmp_path / "knees.png"
    result = CliRunner().invoke(catalog_group, ["show", "knees-to-chest", "--image", str(target)])
    assert result.exit_code == 0, result.output
    assert "Knees to chest" in result.output
    assert target.read_bytes() == render_png(load_catalog().exercise("knees-to-chest"))
    missing = tmp_path / "no-such-folder" / "x.png"
    result = CliRunner().invoke(catalog_group, ["show", "crunch", "--image", str(missing)])
    assert result.exit_code == 1 and f"cannot write {missing}" in result.output
