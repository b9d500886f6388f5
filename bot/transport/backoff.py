"""How long to wait after failures in a row: one rule for every place that tries again, each with its own pauses.

The rule: `first` after the first failure, doubled after each further one, never more than `longest`.

    the outbox sender, a refused connection   1 s .. 5 min    per row, from its tries (`sender.TRANSIENT`)
    the outbox sender, Zalo's 429              30 s .. 30 min  per refused probe (`zalo.QUOTA_PAUSE`, `longest_pause`)
    a live part of the process (`keep_up`)     1 s .. 5 min    a refused token waits the longest (`keepup.PARTS`)
    Zalo's long polling                        1 s .. 30 s     a success starts again (`polling.FAILED_POLL`)

A Telegram 429 is not on the list: it says how long to wait (`retry_after`), and the sender waits that.

Why not tenacity or backoff (the libraries): both wrap a call in a loop that retries it, and compute the wait from
that loop's attempt number. Only two of the places here are such loops, and neither fits one: `keep_up` waits on
its stop event, starts again from the first pause after a part ran healthy for a minute, and jumps to the
longest pause on a refused token; the polling loop resets on every success. The sender has no loop at all: a
refused row goes back into the outbox with `not_before`, its count of tries is a column, and another process may
send it. What is shared is the arithmetic, which is this module: two lines, no dependency.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """`first` seconds after the first failure in a row, doubled after each further one, at most `longest`.

    Two forms of the same rule: `pause(failures)` for a schedule whose count is kept elsewhere (an outbox row's
    tries, the sender's 429s in a row), `after(pause)` for a loop that holds the pause it last waited."""

    first: float
    longest: float

    def pause(self, failures: int) -> float:
        """The pause after `failures` failures in a row (1: the first; 0 reads as 1)."""
        doublings = min(max(failures - 1, 0), 1000)  # 2.0 ** 1024 overflows, and is far past `longest` anyway
        return min(self.first * 2.0 ** doublings, self.longest)

    def after(self, previous: float) -> float:
        """The pause after another failure, `previous` being the last pause waited (0: none yet)."""
        return min(max(previous * 2, self.first), self.longest)
