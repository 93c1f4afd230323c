"""What the daemon imports for its notices about the day, from where it lives now.

The figures per day are computed in `deskguard.core.stats`, the notices' text is in
`deskguard.core.day_text`, rows are read by `deskguard.store`, and `deskguard stats`
renders them in `deskguard.cli.stats_view` (table, JSON) and `deskguard.cli.stats_chart`.
"""

from deskguard.core.day_text import day_notice, lunch_walk_notice
from deskguard.core.stats import summarize
from deskguard.store import read_rows

__all__ = ["day_notice", "lunch_walk_notice", "read_rows", "summarize"]
