"""One exponential backoff for everything that retries: a worker restart, a failed feed, a
failed delivery, a webhook POST, a wait for the broker.

Written once so every retry in the house doubles the same way and respects a cap; callers
differ only in their first delay and their cap.
"""

from __future__ import annotations

from dataclasses import dataclass


def backoff_delay(attempt: int, first_s: float, cap_s: float) -> float:
    """The wait before retry ``attempt`` (1 for the first retry): first_s * 2^(attempt-1), capped.

    ``attempt`` below 1 is treated as the first retry, so a caller's off-by-one never gives a
    zero or negative pause.
    """
    exponent = max(attempt, 1) - 1
    # Bound the exponent before raising 2 to it: a feed failing for a year must not overflow.
    if exponent > 60:
        return cap_s
    return float(min(cap_s, first_s * 2**exponent))


@dataclass
class Backoff:
    """Stateful form of :func:`backoff_delay`: ``next()`` after each failure, ``reset()`` after
    a success."""

    first_s: float = 1.0
    cap_s: float = 30.0
    attempts: int = 0

    def next(self) -> float:
        self.attempts += 1
        return backoff_delay(self.attempts, self.first_s, self.cap_s)

    @property
    def current_s(self) -> float:
        """The last delay handed out (0 before any failure)."""
        return backoff_delay(self.attempts, self.first_s, self.cap_s) if self.attempts else 0.0

    def reset(self) -> None:
        self.attempts = 0
