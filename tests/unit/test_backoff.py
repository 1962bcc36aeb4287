"""The one backoff: every retry in the house doubles from its first delay up to its cap."""

from __future__ import annotations

from borderwatch.core.backoff import Backoff, backoff_delay


def test_delays_double_from_the_first_up_to_the_cap() -> None:
    assert [backoff_delay(n, 0.5, 30.0) for n in range(1, 9)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0
    ]  # fmt: skip


def test_an_attempt_below_one_is_the_first_retry() -> None:
    assert backoff_delay(0, 60.0, 86400.0) == backoff_delay(-3, 60.0, 86400.0) == 60.0


def test_a_very_long_failure_run_stays_at_the_cap() -> None:
    assert backoff_delay(10_000, 300.0, 3600.0) == 3600.0  # 2**9999 * 300.0 would overflow


def test_a_first_delay_above_the_cap_is_capped() -> None:
    assert backoff_delay(1, 10.0, 3.0) == 3.0


def test_the_stateful_form_doubles_to_its_cap_and_resets() -> None:
    b = Backoff(first_s=1, cap_s=5)
    assert b.current_s == 0.0
    assert [b.next() for _ in range(5)] == [1, 2, 4, 5, 5]
    assert b.current_s == 5
    b.reset()
    assert b.current_s == 0.0 and b.next() == 1


def test_the_stateful_form_gives_the_same_delays_as_the_function() -> None:
    b = Backoff(first_s=0.25, cap_s=7.0)
    assert [b.next() for _ in range(8)] == [backoff_delay(n, 0.25, 7.0) for n in range(1, 9)]
