"""Exercise pictures kept as PNG files, drawn once and reused until the figure changes.

A file's name is the exercise id and a hash of everything the picture is drawn from (the
figure, the position, the sides, the size, the drawing's version), so an edited pose in
the user's catalog gets a new picture and a stale one is never shown. Notification
servers and tray hosts read the file by its path, outside deskguard.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from deskguard.model import plain

if TYPE_CHECKING:
    from deskguard.model.exercise import Exercise

DRAWING_VERSION = 1
"""Raised whenever the drawing code changes how a picture looks."""


def picture_name(exercise: Exercise, size: tuple[int, int]) -> str:
    """The cache file name for this exercise's picture at this size."""
    facts = {
        "figure": plain.encode(exercise.figure),
        "position": exercise.position,
        "sides": exercise.sides,
        "size": list(size),
        "drawing": DRAWING_VERSION,
    }
    text = json.dumps(facts, sort_keys=True).encode()
    # blake2b rather than sha256: Python's own code, so it works in the daemon, which
    # leaves OpenSSL's hashing out (deskguard.daemon.lean).
    digest = hashlib.blake2b(text, digest_size=8).hexdigest()
    return f"{exercise.id}-{size[0]}x{size[1]}-{digest}.png"


def cached_picture(exercise: Exercise, folder: Path, size: tuple[int, int] | None = None) -> Path:
    """The path of the exercise's picture in `folder`, drawn first if it is not there.

    Raises ValueError for an exercise without a figure and OSError when the folder
    cannot be written.
    """
    from deskguard.pictures.render import SIZE, render_png

    size = size or SIZE
    path = folder / picture_name(exercise, size)
    if path.is_file():
        return path
    png = render_png(exercise, size)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written beside and renamed, so a reader never sees half a picture.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(png)
    partial.replace(path)
    # The pictures of the exercise's earlier poses are never asked for again.
    for stale in folder.glob(f"{exercise.id}-{size[0]}x{size[1]}-*.png"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path
