"""How long a workflow waits: never zero, so a wait is the same command whatever the clock says."""

from __future__ import annotations

from datetime import timedelta

# A wait always starts a timer, an overdue one included. Whether a wait is overdue depends on
# workflow.now(), and a workflow task retried after its worker died can read another time than
# the replay of the same task reads later: with a timer either way, both write the same commands.
SHORTEST_WAIT = timedelta(milliseconds=1)


def timer_for(seconds: float) -> timedelta:
    """The timeout of a wait of `seconds` (overdue when ≤ 0): never zero."""
    return max(timedelta(seconds=max(seconds, 0.0)), SHORTEST_WAIT)
