"""Collect streamed records into one run result, and turn it into the CLI's rows.

:class:`RunResult` is filled incrementally (``add``), so a GUI can keep one while records stream
in, and the CLI can build one from a finished generator with :func:`collect`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradexplorer.engine.runs.records import (
    BackwardLayer,
    ForwardLayer,
    LossRecord,
    Record,
    RunEnd,
    RunStart,
    TheoryLayers,
)
from gradexplorer.io.numbers import finite_or_none

#: Per-layer fields of the CLI's JSON/CSV schema, in column order.
LAYER_FIELDS = (
    "layer", "fan_in", "fan_out", "preact_mean", "preact_std", "log10_preact_std",
    "act_mean", "act_std", "log10_act_std", "saturated_fraction",
    "grad_preact_rms", "log10_grad_preact_rms", "grad_weight_norm", "log10_grad_weight_norm",
    "grad_bias_norm", "weight_norm", "grad_to_weight", "log10_grad_to_weight",
)


@dataclass
class RunResult:
    """Everything one run produced. ``forward[l-1]`` / ``backward[l-1]`` belong to layer l.

    ``backward`` is filled from the top (layer L) down; until the run ends, entries for layers
    not yet reached are None. ``theory`` holds the mean-field predictions once they arrived.
    """

    start: RunStart | None = None
    forward: list[ForwardLayer] = field(default_factory=list)
    loss: LossRecord | None = None
    backward: list[BackwardLayer | None] = field(default_factory=list)
    end: RunEnd | None = None
    theory: TheoryLayers | None = None

    @property
    def depth(self) -> int:
        """L, known from the start record (0 before it)."""
        return len(self.start.widths) - 1 if self.start else 0

    @property
    def complete(self) -> bool:
        """Whether the run's :class:`RunEnd` arrived."""
        return self.end is not None

    def add(self, record: Record) -> None:
        """Store one record (any of the types in ``records``)."""
        if isinstance(record, RunStart):
            self.start = record
            self.backward = [None] * self.depth
        elif isinstance(record, ForwardLayer):
            self.forward.append(record)
        elif isinstance(record, LossRecord):
            self.loss = record
        elif isinstance(record, BackwardLayer):
            self.backward[record.layer - 1] = record
        elif isinstance(record, RunEnd):
            self.end = record
        elif isinstance(record, TheoryLayers):
            self.theory = record
        else:  # pragma: no cover - programming error
            raise TypeError(f"not a run record: {type(record).__name__}")

    def series(self, name: str) -> np.ndarray:
        """One per-layer quantity as a float64 array of length L (NaN where not yet computed).

        ``name`` is any field of :class:`ForwardLayer` or :class:`BackwardLayer` holding a number
        (None, as ``normed_std`` without a norm, gives NaN), or ``log10_<field>`` for a field
        without an exact log10 twin (e.g. ``log10_normed_std``: log10 of the value).
        """
        if (name.startswith("log10_") and name not in ForwardLayer.__dataclass_fields__
                and name not in BackwardLayer.__dataclass_fields__):
            with np.errstate(divide="ignore", invalid="ignore"):
                logged: np.ndarray = np.log10(self.series(name[len("log10_"):]))
                return logged
        out = np.full(self.depth, np.nan)
        source = self.forward if name in ForwardLayer.__dataclass_fields__ else self.backward
        for rec in source:
            if rec is not None:
                out[rec.layer - 1] = getattr(rec, name)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One dict per layer with :data:`LAYER_FIELDS` (non-finite numbers become None).

        Plus ``normed_mean``/``normed_std`` of z_l = Norm(h_l) when the run has a norm.
        """
        rows = []
        for fwd, bwd in zip(self.forward, self.backward, strict=False):
            row = {}
            for name in LAYER_FIELDS:
                rec = fwd if hasattr(fwd, name) else bwd
                row[name] = finite_or_none(getattr(rec, name)) if rec is not None else None
            if fwd is not None and fwd.normed_std is not None:  # runs with a norm: z_l too
                row["normed_mean"] = finite_or_none(fwd.normed_mean)
                row["normed_std"] = finite_or_none(fwd.normed_std)
            rows.append(row)
        return rows


def collect(records: Iterable[Record]) -> RunResult:
    """Consume a record stream (e.g. ``propagate(spec)``) into a :class:`RunResult`."""
    result = RunResult()
    for rec in records:
        result.add(rec)
    return result
