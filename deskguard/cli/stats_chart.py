"""`deskguard stats --chart FILE`: the days as an image, drawn with matplotlib (an optional
dependency, imported only when a chart is asked for)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deskguard.core.stats import Day
from deskguard.errors import UserError
from deskguard.i18n import _
from deskguard.i18n.dates import day_and_month, weekday

CHART_FORMATS = ("png", "svg")


def chart_format(path: Path) -> str:
    """The image format from the file name (png or svg); a UserError for anything else."""
    suffix = path.suffix.lower().removeprefix(".")
    if suffix not in CHART_FORMATS:
        raise UserError(
            _("cannot write a chart to {path}").format(path=path),
            _("the file name must end in .png or .svg"),
        )
    return suffix


def chart(days: Sequence[Day], path: Path) -> None:
    """Sitting minutes per day as bars, the longest stretch as a line, breaks taken on a
    second axis; PNG or SVG by the file's extension. Needs matplotlib (deskguard[chart])."""
    image_format = chart_format(path)
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise UserError(
            _("the chart needs matplotlib"),
            _("install deskguard[chart] (pip install 'deskguard[chart]'), or leave out --chart"),
        ) from None

    positions = list(range(len(days)))
    sitting = [day.figures.sitting_seconds / 60 for day in days]
    longest = [day.figures.longest_sitting_seconds / 60 for day in days]
    breaks = [day.figures.breaks for day in days]
    stride = -(-len(days) // 12)  # at most 12 labels
    labels = [
        f"{weekday(day.day)}\n{day_and_month(day.day)}" if stride == 1 else day_and_month(day.day)
        for day in days
    ]
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "deskguard"}):
        figure = Figure(figsize=(10, 5), dpi=100, layout="constrained")
        axes = figure.add_subplot()
        handles = [
            axes.bar(positions, sitting, color="#4c72b0", label=_("sitting (min)")),
            axes.plot(
                positions, longest, color="#dd8452", marker="o", label=_("longest stretch (min)")
            )[0],
        ]
        axes.set_ylabel(_("minutes"))
        axes.set_ylim(bottom=0, top=max([*sitting, *longest, 60.0]) * 1.1)
        axes.set_xticks(positions[::stride], labels[::stride])
        axes.grid(axis="y", alpha=0.3)
        other = axes.twinx()
        handles += other.plot(
            positions, breaks, color="#55a868", marker="s", linestyle="--", label=_("breaks taken")
        )
        other.set_ylabel(_("breaks"))
        other.set_ylim(bottom=0, top=max([*breaks, 4]) * 1.1)
        other.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_axisbelow(True)
        first, last = days[0].day.isoformat(), days[-1].day.isoformat()
        axes.set_title(_("Sitting per day, {first} to {last}").format(first=first, last=last))
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format=image_format, metadata=_metadata(image_format))


def _metadata(image_format: str) -> dict[str, Any]:
    # No creation date in the file: the same history gives the same chart.
    return {"Date": None} if image_format == "svg" else {}
