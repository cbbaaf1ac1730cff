"""How long runs take, by kind: the clock of the runner's drag policy.

A lane judges whether the run in flight "ends soon" by how long runs like it took. Runs of one
lane differ a lot (a drag's 64-row previews vs the full runs before them), so the estimates are
kept per kind, ``cost_key(payload)``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class RunTimes:
    """Smoothed seconds of completed runs, by kind.

    Parameters
    ----------
    cost_key : ``payload -> key`` (runs with equal keys cost about the same); None: one kind.
    unknown : seconds assumed for a kind not completed yet while other kinds were (None
        before any run completed).
    """

    def __init__(self, cost_key: Callable[[Any], Hashable] | None, unknown: float):
        self._cost_key = cost_key
        self._unknown = unknown
        self._seconds: dict[Hashable, float] = {}

    def key(self, payload: Any) -> Hashable:
        """The kind of a run of ``payload``."""
        return None if self._cost_key is None else self._cost_key(payload)

    def estimate(self, key: Hashable) -> float | None:
        """Seconds a run of kind ``key`` takes (None: no run of any kind completed yet)."""
        known = self._seconds.get(key)
        if known is None and self._seconds:
            return self._unknown
        return known

    def completed(self, key: Hashable, seconds: float) -> None:
        """A run of kind ``key`` completed in ``seconds`` (averaged with the last estimate)."""
        known = self._seconds.get(key)
        self._seconds[key] = seconds if known is None else 0.5 * known + 0.5 * seconds

    def lasted_at_least(self, key: Hashable, seconds: float) -> None:
        """A run of a known kind was cancelled after ``seconds``: it takes at least that."""
        known = self._seconds.get(key)
        if known is not None:
            self._seconds[key] = max(known, seconds)

    def set(self, key: Hashable, seconds: float) -> None:
        """Take ``seconds`` as the estimate of kind ``key`` (tests, warm starts)."""
        self._seconds[key] = seconds
