"""The first-run health notice: when the exercises must not be done, and declaring any.

Shown once, before the first routine (remembered by the file
$XDG_STATE_HOME/deskguard/health-notice-shown). What the user declares goes into
`[health] contraindications` of the user config file; the routines then leave out
every exercise it rules out.
"""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import platformdirs
import tomli_w

from deskguard import paths
from deskguard.errors import UserError
from deskguard.i18n import N_, _

if TYPE_CHECKING:
    import tkinter as tk

    from deskguard.catalog import Catalog

TITLE = N_("Before your first routine: a health notice")
INTRO = N_("Do not do these exercises while any of the following applies to you:")
QUESTION = N_("Tick whatever applies to you now; the routines will leave out what it rules out.")


def marker_file() -> Path:
    return platformdirs.user_state_path(paths.APP) / "health-notice-shown"


def notice_due() -> bool:
    """True until the notice has been shown (and answered) once."""
    return not marker_file().exists()


def mark_shown() -> None:
    marker = marker_file()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("The health notice was shown; delete this file to see it again.\n")


def conditions(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(id, name, description) of every contraindication, in catalog order."""
    return [(key, c.name, c.description) for key, c in catalog.contraindications.items()]


def save_declared(declared: Sequence[str], config: Path | None = None) -> Path | None:
    """Write `[health] contraindications` into the user config, keeping every other key.

    Nothing is written when the file already says the same. The file is rewritten from
    its parsed content, so comments cannot survive; a file that had some is first
    copied to `<name>.bak`. Returns the path written, or None.
    """
    path = config or paths.user_config_file()
    data: dict[str, Any] = {}
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(
                f"could not record your answer in {path}",
                f"{exc}; add `contraindications = {list(declared)}` under [health] yourself",
            ) from exc
        if "#" in text:
            shutil.copyfile(path, path.with_name(path.name + ".bak"))
    health = data.get("health")
    current = health.get("contraindications", []) if isinstance(health, dict) else []
    if list(current) == list(declared):
        return None
    if not isinstance(health, dict):
        health = data["health"] = {}
    health["contraindications"] = list(declared)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(path.name + ".tmp")
    staged.write_text(tomli_w.dumps(data), encoding="utf-8")
    staged.replace(path)
    return path


# --------------------------------------------------------------------------- terminal


def parse_answer(text: str, ids: Sequence[str]) -> list[str]:
    """Numbers (1-based) or ids separated by spaces or commas; raises ValueError."""
    chosen: list[str] = []
    for token in filter(None, re.split(r"[\s,]+", text.strip().lower())):
        if token.isdigit() and 1 <= int(token) <= len(ids):
            choice = ids[int(token) - 1]
        elif token in ids:
            choice = token
        else:
            raise ValueError(
                _("{answer} is not one of the numbers 1 to {last}").format(
                    answer=repr(token), last=len(ids)
                )
            )
        if choice not in chosen:
            chosen.append(choice)
    return [i for i in ids if i in chosen]


def _print_notice(catalog: Catalog, declared: Collection[str], out: TextIO) -> None:
    print(_(TITLE), file=out)
    print(_(INTRO), file=out)
    for number, (key, name, description) in enumerate(conditions(catalog), start=1):
        mark = " " + _("(declared)") if key in declared else ""
        print(f"  {number}. {name}{mark}: {description}", file=out)


def terminal_notice(
    catalog: Catalog,
    declared: Sequence[str],
    *,
    out: TextIO,
    ask: Callable[[str], str] | None,
    config: Path | None = None,
) -> list[str]:
    """Show the notice in the terminal and return the conditions that apply.

    `ask` reads one answer (like `input`); None means nobody can answer (stdin is not a
    terminal): the notice is printed with a note and stays due for next time.
    """
    _print_notice(catalog, declared, out)
    target = config or paths.user_config_file()
    if ask is None:
        print(
            _(
                "(Not asked: input is not a terminal. Declare what applies under [health]"
                " contraindications in {file}.)"
            ).format(file=target),
            file=out,
        )
        return list(declared)
    ids = [key for key, _name, _description in conditions(catalog)]
    while True:
        try:
            question = _(
                "Which of these apply to you now? Numbers separated by spaces, or Enter for none:"
            )
            answer = ask(question + " ")
        except EOFError:
            print("", file=out)
            return list(declared)
        try:
            chosen = parse_answer(answer, ids)
        except ValueError as exc:
            print(f"  {exc}", file=out)
            continue
        break
    written = save_declared(chosen, target)
    if written is not None:
        print(_("Saved in {file} ([health] contraindications).").format(file=written), file=out)
    mark_shown()
    return chosen


# --------------------------------------------------------------------------- window


def window_notice(
    root: tk.Misc,
    catalog: Catalog,
    declared: Collection[str],
    on_done: Callable[[list[str]], None],
    *,
    on_layout: Callable[[dict[str, tuple[int, int, int, int]]], None] | None = None,
) -> None:
    """Show the notice inside `root` with a checkbox per condition and a Continue button.

    On Continue (or Return) the answer is saved, the notice is marked as shown, the
    frame is removed and `on_done` gets the declared ids. `on_layout`, when given,
    receives each control's on-screen rectangle (x, y, width, height) once it is drawn.
    """
    import tkinter as tk
    from tkinter import ttk

    frame = ttk.Frame(root, padding=20)
    frame.pack(fill="both", expand=True)
    ttk.Label(frame, text=_(TITLE), font=("TkDefaultFont", 16, "bold")).pack(anchor="w")
    ttk.Label(frame, text=_(INTRO), wraplength=560).pack(anchor="w", pady=(10, 6))
    choices: dict[str, tk.BooleanVar] = {}
    boxes: dict[str, ttk.Checkbutton] = {}
    for key, name, description in conditions(catalog):
        choices[key] = tk.BooleanVar(frame, value=key in declared)
        boxes[key] = ttk.Checkbutton(frame, text=name, variable=choices[key], takefocus=False)
        boxes[key].pack(anchor="w", pady=(4, 0))
        ttk.Label(frame, text=description, foreground="#555555", wraplength=520).pack(
            anchor="w", padx=(24, 0)
        )
    ttk.Label(frame, text=_(QUESTION), wraplength=560).pack(anchor="w", pady=(10, 10))

    def done(*_args: object) -> None:
        chosen = [key for key, var in choices.items() if var.get()]
        root.unbind_all("<Return>")
        frame.destroy()
        try:
            save_declared(chosen)
        except UserError as exc:
            # The answer still applies to this routine; the notice comes again next time.
            print(f"deskguard: {exc}", file=sys.stderr)
        else:
            mark_shown()
        on_done(chosen)

    button = ttk.Button(frame, text=_("Continue"), command=done, takefocus=False)
    button.pack(anchor="e")
    root.bind_all("<Return>", done)
    if on_layout is not None:
        widgets: dict[str, tk.Misc] = {**boxes, "continue": button}

        def report() -> None:
            on_layout(
                {
                    name: (w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height())
                    for name, w in widgets.items()
                }
            )

        root.after_idle(lambda: root.after(50, report))
