"""How long a workflow waits: never zero, so a wait is the same command whatever the clock says."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

# A wait always starts a timer, an overdue one included. Whether a wait is overdue depends on
# workflow.now(), and a workflow task retried after its worker died can read another time than
# the replay of the same task reads later: with a timer either way, both write the same commands.
TIMER_ON_EVERY_WAIT = "timer-on-every-wait"
SHORTEST_WAIT = timedelta(milliseconds=1)


def wait_for(seconds: float) -> timedelta:
    """The timeout of a wait of `seconds` (overdue when ≤ 0); histories before the change keep
    their zero-length waits on replay."""
    if workflow.patched(TIMER_ON_EVERY_WAIT):
        return timer_for(seconds)
    return timedelta(seconds=max(seconds, 0.0))


def timer_for(seconds: float) -> timedelta:
    """The timeout of a wait of `seconds`, never zero, for code that came after the change
    (each workflow.patched costs a marker and a search-attribute upsert the first time)."""
    return max(timedelta(seconds=max(seconds, 0.0)), SHORTEST_WAIT)
