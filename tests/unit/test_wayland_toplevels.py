"""Reading a foreign toplevel's `state` array (zwlr_foreign_toplevel_handle_v1)."""

from __future__ import annotations

from array import array

from deskguard.platform.wayland.toplevels import ACTIVATED, FULLSCREEN, states_of


def test_the_state_array_is_native_32_bit_values() -> None:
    raw = array("I", [ACTIVATED, FULLSCREEN]).tobytes()
    assert states_of(raw) == {ACTIVATED, FULLSCREEN}


def test_an_empty_or_cut_off_array_gives_what_is_whole() -> None:
    assert states_of(b"") == frozenset()
    assert states_of(array("I", [ACTIVATED]).tobytes() + b"\x03") == {ACTIVATED}
