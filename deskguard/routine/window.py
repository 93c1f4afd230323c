"""The routine window (Tk): the exercise, its instructions, a large countdown, controls.

Runs in its own process, never inside the daemon. Everything here must be called on the
Tk main thread; signal handlers only set a flag that the next tick acts on.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk
from typing import TYPE_CHECKING

from deskguard.core.routine import Frame, Routine
from deskguard.i18n import N_, _
from deskguard.routine import RoutineClock, Trace
from deskguard.routine.figure_canvas import FigureCanvas
from deskguard.routine.player import Player, PlayerState, Progress
from deskguard.routine.progress import ProgressReporter

if TYPE_CHECKING:
    from deskguard.platform.sound import CuePlayer

TITLE = N_("deskguard routine")
TICK_MS = 100
WIDTH = 640
HEIGHT = 700
WRAP = WIDTH - 60


def cue_switches_text(sounds: bool, voice: bool) -> str:
    """The line saying whether sound and voice cues are on, with their keys."""
    sound_words = _("Sounds on (S)") if sounds else _("Sounds off (S)")
    voice_words = _("Voice on (V)") if voice else _("Voice off (V)")
    return f"{sound_words} · {voice_words}"


def create_root() -> tk.Tk:
    """The Tk root window, titled and sized; raises tk.TclError without a display."""
    root = tk.Tk(className="deskguard")
    root.title(_(TITLE))
    root.geometry(f"{WIDTH}x{HEIGHT}")
    root.minsize(480, 520)
    return root


def widget_box(widget: tk.Misc) -> list[int]:
    """A widget's rectangle on the screen: x, y, width, height."""
    return [widget.winfo_rootx(), widget.winfo_rooty(), widget.winfo_width(), widget.winfo_height()]


class RoutineWindow:
    """Plays a routine inside `root`: call `start()`, then run the Tk main loop.

    Space pauses and resumes, Right skips to the next exercise, Escape stops, S and V
    turn the sound and voice cues on and off. When the
    routine is over `on_over` gets the final report; a finished routine stays on screen
    for `linger` real seconds before the window closes, a stopped one closes at once.
    """

    def __init__(
        self,
        root: tk.Tk,
        routine: Routine,
        reporter: ProgressReporter,
        *,
        clock: RoutineClock | None = None,
        notes: Sequence[str] = (),
        trace: Trace | None = None,
        linger: float = 4.0,
        on_over: Callable[[Progress], None] | None = None,
        cues: CuePlayer | None = None,
    ) -> None:
        self.root = root
        self.cues = cues
        self.player = Player(routine, cues.cue if cues is not None else None)
        self.reporter = reporter
        self.clock = clock or RoutineClock()
        self.trace = trace or Trace(None)
        self.linger = linger
        self.on_over = on_over
        self.result: Progress | None = None
        self.stop_requested = False
        self._shown_exercise = -1
        self._build(notes)

    # -- layout ---------------------------------------------------------------------

    def _build(self, notes: Sequence[str]) -> None:
        body = ttk.Frame(self.root, padding=20)
        body.pack(fill="both", expand=True)
        self.body = body
        self.name = ttk.Label(body, font=("TkDefaultFont", 20, "bold"))
        self.name.pack(anchor="w")
        self.dose = ttk.Label(body, foreground="#555555")
        self.dose.pack(anchor="w")
        self.steps = ttk.Label(body, wraplength=WRAP, justify="left")
        self.steps.pack(anchor="w", pady=(10, 10))
        # Everything below the instructions is packed from the bottom up, so the
        # countdown and the buttons stay put however long an exercise's text is.
        if notes:
            ttk.Label(
                body,
                text="\n".join(notes),
                font=("TkDefaultFont", 9),
                foreground="#666666",
                wraplength=WRAP,
                justify="left",
            ).pack(side="bottom", anchor="w", pady=(12, 0))
        buttons = ttk.Frame(body)
        buttons.pack(side="bottom", fill="x", pady=(12, 0))
        # takefocus=False: a focused button would also take Space for itself.
        self.pause_button = ttk.Button(
            buttons, text=_("Pause (Space)"), command=self.toggle_pause, takefocus=False
        )
        self.skip_button = ttk.Button(
            buttons, text=_("Skip (→)"), command=self.skip, takefocus=False
        )
        self.stop_button = ttk.Button(
            buttons, text=_("Stop (Esc)"), command=self.stop, takefocus=False
        )
        for button in (self.pause_button, self.skip_button, self.stop_button):
            button.pack(side="left", expand=True, fill="x", padx=4)
        for widget, event in ((buttons, "<Configure>"), (self.stop_button, "<Map>")):
            widget.bind(event, lambda _event: self.root.after_idle(self._trace_layout))
        self.cue_switches = ttk.Label(body, font=("TkDefaultFont", 9), foreground="#666666")
        self.cue_switches.pack(side="bottom", anchor="e")
        self._show_cue_switches()
        self.upcoming = ttk.Label(body)
        self.upcoming.pack(side="bottom", anchor="w")
        self.bar = ttk.Progressbar(
            body, maximum=max(self.player.routine.total_seconds, 1), mode="determinate"
        )
        self.bar.pack(side="bottom", fill="x", pady=(12, 4))
        self.rep = ttk.Label(body, font=("TkDefaultFont", 14), anchor="center")
        self.rep.pack(side="bottom", fill="x")
        self.countdown = ttk.Label(body, font=("TkDefaultFont", 72, "bold"), anchor="center")
        self.countdown.pack(side="bottom", fill="x")
        self.instruction = ttk.Label(body, font=("TkDefaultFont", 12, "italic"), wraplength=WRAP)
        self.instruction.pack(side="bottom", anchor="w")
        # The figure takes the room left between the instructions and the countdown.
        self.figure = FigureCanvas(body)
        self.figure.widget.pack(side="bottom", fill="both", expand=True, pady=(0, 8))
        self.root.bind("<space>", lambda _event: self.toggle_pause())
        self.root.bind("<Right>", lambda _event: self.skip())
        self.root.bind("<Escape>", lambda _event: self.stop())
        for key in ("s", "S"):
            self.root.bind(f"<{key}>", lambda _event: self.toggle_cues("sounds"))
        for key in ("v", "V"):
            self.root.bind(f"<{key}>", lambda _event: self.toggle_cues("voice"))
        self.root.protocol("WM_DELETE_WINDOW", self.stop)

    # -- controls -------------------------------------------------------------------

    def start(self) -> None:
        self.reporter.started()
        self.player.start(self.clock())
        self.root.focus_force()
        self._tick()

    def toggle_pause(self) -> None:
        if self.player.over:
            return
        self._handle(self.player.toggle_pause(self.clock()))
        paused = self.player.state == PlayerState.PAUSED
        self.pause_button.configure(text=_("Resume (Space)") if paused else _("Pause (Space)"))
        self._render()

    def skip(self) -> None:
        if not self.player.over:
            self._handle(self.player.skip(self.clock()))
            self._render()

    def stop(self) -> None:
        if self.player.over:
            self.close()
            return
        self._handle(self.player.stop(self.clock()))
        self._render()

    def toggle_cues(self, which: str) -> None:
        """Turn the sound ("sounds") or voice ("voice") cues on or off."""
        if self.cues is None:
            return
        if which == "sounds":
            self.cues.sounds = not self.cues.sounds
        else:
            self.cues.voice = not self.cues.voice
        self._show_cue_switches()
        self.trace.write(
            {"event": "cues", "sounds": self.cues.sounds, "voice": self.cues.voice}, always=True
        )

    def _show_cue_switches(self) -> None:
        if self.cues is None:
            self.cue_switches.configure(text="")
            return
        self.cue_switches.configure(text=cue_switches_text(self.cues.sounds, self.cues.voice))

    def close(self) -> None:
        if self.result is not None:
            self.trace.write(
                {
                    "event": "closed",
                    "result": self.result.event,
                    "steps_done": self.result.steps_done,
                },
                always=True,
            )
        self.root.destroy()

    # -- the clock ------------------------------------------------------------------

    def _tick(self) -> None:
        if self.stop_requested:
            self.stop_requested = False
            self.stop()
        if self.player.over:
            return
        self._handle(self.player.advance(self.clock()))
        self._render()
        if not self.player.over:
            self.root.after(TICK_MS, self._tick)

    def _handle(self, events: list[Progress]) -> None:
        for progress in events:
            self.reporter.report(progress)
            if progress.event != "step":
                self._over(progress)

    def _over(self, progress: Progress) -> None:
        self.result = progress
        if self.on_over is not None:
            self.on_over(progress)
        if progress.event == "stopped":
            self.root.after_idle(self.close)
            return
        self.name.configure(text=_("Well done!"))
        self.dose.configure(text="")
        self.steps.configure(text=self.reporter.outcome_note(progress))
        self.instruction.configure(text="")
        self.countdown.configure(text="✓")
        self.figure.clear()
        self.rep.configure(text="")
        self.upcoming.configure(text="")
        self.bar.configure(value=self.player.routine.total_seconds)
        self.pause_button.state(["disabled"])
        self.skip_button.state(["disabled"])
        self.stop_button.configure(text=_("Close (Esc)"))
        self.root.after(int(self.linger * 1000), self.close)

    # -- drawing --------------------------------------------------------------------

    def _render(self) -> None:
        frame = self.player.frame(self.clock())
        self._write_trace(frame)
        if self.player.over:
            return
        step = frame.step
        new_exercise = step.exercise_index != self._shown_exercise
        if new_exercise:
            self._shown_exercise = step.exercise_index
            exercise = frame.exercise
            self.name.configure(text=exercise.name)
            dose = exercise.dose()
            dose = dose[:1].upper() + dose[1:]  # not capitalize(): German nouns keep theirs
            if step.reps < exercise.repetitions.count:
                dose += " " + _("(this time {reps})").format(reps=step.reps)
            self.dose.configure(text=dose)
            self.steps.configure(
                text="\n".join(f"{n}. {text}" for n, text in enumerate(exercise.steps, start=1))
            )
        paused = self.player.state == PlayerState.PAUSED
        self.instruction.configure(text=_("Paused.") if paused else step.instruction)
        self.countdown.configure(text=str(frame.countdown))
        self.rep.configure(text=step.rep_label if step.kind == "hold" else step.label)
        self.bar.configure(value=frame.second)
        self.upcoming.configure(
            text=_("Next: {exercise}").format(exercise=frame.next)
            if frame.next
            else _("Next: done")
        )
        self.figure.show(frame)
        if new_exercise:
            self._trace_texts()

    def _write_trace(self, frame: Frame) -> None:
        self.trace.write(
            {
                "state": self.player.state.value,
                "exercise": frame.exercise.id,
                "exercise_index": frame.step.exercise_index,
                "step": frame.step_index,
                "step_kind": frame.step.kind,
                "countdown": frame.countdown,
                "rep": frame.rep_label,
                "steps_done": self.player.steps_done,
            }
        )

    def _trace_texts(self) -> None:
        """What the window says as an exercise comes up, in the user's language."""
        if self.trace.path is None:
            return
        labels = {
            "name": self.name,
            "dose": self.dose,
            "steps": self.steps,
            "instruction": self.instruction,
            "upcoming": self.upcoming,
            "cue_switches": self.cue_switches,
        }
        buttons = {
            "pause": self.pause_button,
            "skip": self.skip_button,
            "stop": self.stop_button,
        }
        self.trace.write(
            {
                "event": "texts",
                "title": self.root.title(),
                **{key: str(label.cget("text")) for key, label in labels.items()},
                "buttons": {key: str(button.cget("text")) for key, button in buttons.items()},
            }
        )

    def _trace_layout(self) -> None:
        if self.player.over or self.trace.path is None:
            return
        if not self.stop_button.winfo_ismapped():
            return  # <Map> comes once it is
        self.trace.write(
            {
                "event": "layout",
                "window": widget_box(self.root),
                "figure": widget_box(self.figure.widget),
                "buttons": {
                    "pause": widget_box(self.pause_button),
                    "skip": widget_box(self.skip_button),
                    "stop": widget_box(self.stop_button),
                },
            }
        )


def show_message(root: tk.Tk, title: str, message: str) -> None:
    """A plain message with a Close button (Return or Escape closes it too)."""
    body = ttk.Frame(root, padding=20)
    body.pack(fill="both", expand=True)
    ttk.Label(body, text=title, font=("TkDefaultFont", 16, "bold"), wraplength=WRAP).pack(
        anchor="w"
    )
    ttk.Label(body, text=message, wraplength=WRAP, justify="left").pack(anchor="w", pady=10)
    ttk.Button(body, text=_("Close"), command=root.destroy, takefocus=False).pack(anchor="e")
    for key in ("<Return>", "<Escape>"):
        root.bind(key, lambda _event: root.destroy())
    root.protocol("WM_DELETE_WINDOW", root.destroy)
