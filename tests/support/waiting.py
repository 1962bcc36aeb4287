"""Waiting on a condition with a deadline: tests never sleep a fixed time for a broker or a worker."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """True as soon as ``condition()`` holds; False if it still does not after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
