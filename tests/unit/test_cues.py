"""The cue schedule derived from the routine timeline, and the player handing cues out."""

from __future__ import annotations

from deskguard.catalog import load_catalog
from deskguard.core.cues import Cue, CueCursor, cue_schedule
from deskguard.core.routine import Routine
from deskguard.core.routine_plan import custom_routine
from deskguard.routine.player import Player

CATALOG = load_catalog()


def routine(*ids: str) -> Routine:
    return custom_routine(CATALOG, list(ids)).routine


# Quadriceps stretch, per leg, 3 repetitions of 30 s: get ready 0-5, left holds 5-35,
# 38-68, 71-101, change side 101-106, right holds 106-136, 139-169, 172-202.
QUAD = routine("quadriceps-stretch")
# Standing back bend (5 holds of 5 s, ends at 42), then the quadriceps stretch from 42.
BEND_QUAD = routine("standing-back-bend", "quadriceps-stretch")


def test_every_hold_starts_and_ends_with_a_tone() -> None:
    cues = cue_schedule(QUAD)
    holds = [step for step in QUAD.steps if step.kind == "hold"]
    starts = {cue.at for cue in cues if cue.tone == "hold-start"}
    ends = {cue.at for cue in cues if cue.tone in ("hold-end", "switch-side", "done")}
    assert starts == {step.start for step in holds}
    assert ends == {step.end for step in holds}


def test_the_words_follow_the_routine() -> None:
    cues = cue_schedule(QUAD)
    assert cues[0] == Cue(0, None, "Standing quadriceps stretch")
    assert cues[1] == Cue(5, "hold-start", "Repetition 1 of 3. Hold")
    assert cues[2] == Cue(35, "hold-end", "Release")
    assert Cue(101, "switch-side", "Release. Switch to the right leg") in cues
    assert cues[-1] == Cue(202, "done", "Done. Well done")
    assert [cue.at for cue in cues] == sorted(cue.at for cue in cues)


def test_switching_sides_and_finishing_have_tones_of_their_own() -> None:
    tones = [cue.tone for cue in cue_schedule(QUAD)]
    assert tones.count("switch-side") == 1
    assert tones.count("done") == 1
    assert tones.count("hold-end") == 4  # six holds: one ends in a switch, one in done


def test_a_single_repetition_just_says_hold() -> None:
    one_rep = custom_routine(CATALOG, ["standing-back-bend"]).routine
    single = Routine.from_entries("custom", [(one_rep.exercises[0], 1)])
    assert [cue.speech for cue in cue_schedule(single)] == [
        "Standing back bend",
        "Hold",
        "Done. Well done",
    ]


def test_the_next_exercise_is_named_as_it_starts() -> None:
    at_42 = [cue for cue in cue_schedule(BEND_QUAD) if cue.at == 42]
    assert at_42 == [Cue(42, "hold-end", "Release"), Cue(42, None, "Standing quadriceps stretch")]


def test_the_cursor_hands_each_cue_out_once() -> None:
    cursor = CueCursor(cue_schedule(QUAD))
    assert [cue.at for cue in cursor.reach(0)] == [0]
    assert cursor.reach(4.9) == []
    assert [cue.at for cue in cursor.reach(40)] == [5, 35, 38]
    assert cursor.reach(40) == []
    assert cursor.jump(101) == []  # the end of a skipped hold: nothing to say
    assert [cue.at for cue in cursor.jump(172)] == [172]
    assert cursor.reach(172) == []


def test_the_player_cues_as_time_passes_and_not_after_a_stop() -> None:
    heard: list[Cue] = []
    player = Player(QUAD, on_cue=heard.append)
    player.start(100.0)
    assert [cue.speech for cue in heard] == ["Standing quadriceps stretch"]
    player.advance(105.0)
    assert heard[-1] == Cue(5, "hold-start", "Repetition 1 of 3. Hold")
    player.stop(120.0)
    count = len(heard)
    player.advance(400.0)
    assert len(heard) == count


def test_skipping_passes_the_cues_in_between_silently() -> None:
    heard: list[Cue] = []
    player = Player(BEND_QUAD, on_cue=heard.append)
    player.start(0.0)
    player.advance(6.0)
    player.skip(6.0)  # to the quadriceps stretch at 42
    player.advance(6.5)
    assert [cue.at for cue in heard] == [0, 5, 42]
    assert heard[-1].speech == "Standing quadriceps stretch"


def test_finishing_plays_the_done_cue() -> None:
    heard: list[Cue] = []
    player = Player(QUAD, on_cue=heard.append)
    player.start(0.0)
    player.advance(1000.0)
    assert player.over
    assert heard[-1].tone == "done"
    assert len(heard) == len(cue_schedule(QUAD))
