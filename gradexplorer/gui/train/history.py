"""The records of one training run as the plots need them: growing (n_records, L) arrays.

:class:`TrainHistory` only stores what arrives (no statistics): scalar series per record and
the per-layer arrays stacked by row, in arrival order. Rows are appended, never rewritten, so
the slices handed to pyqtgraph stay valid. :class:`LayerSeries` bundles a run's per-layer arrays
(a view of the growing store, or a copy a pin keeps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradexplorer.engine.training.trainer import TrainEnd, TrainRecord, TrainStart

#: Per-record scalars (None stored as NaN) and per-layer arrays kept for display and export.
SCALARS = ("step", "train_loss", "train_accuracy", "test_loss", "test_accuracy")
LAYER_ARRAYS = ("log10_grad_norm", "log10_update_ratio")


@dataclass(frozen=True)
class LayerSeries:
    """A run's per-layer series as the heatmap and the update-ratio plot draw them.

    Attributes
    ----------
    steps : optimizer step of each record, shape (n,).
    log10_grad_norm : log10 ‖∂L/∂W_l‖_F, shape (n, L); row i = record i, column l - 1 = layer l.
    log10_update_ratio : log10(std ΔW_l / std W_l), shape (n, L).
    """

    steps: np.ndarray
    log10_grad_norm: np.ndarray
    log10_update_ratio: np.ndarray

    @property
    def depth(self) -> int:
        """L: hidden layers."""
        return self.log10_grad_norm.shape[1]

    def __len__(self) -> int:
        return self.steps.size


class TrainHistory:
    """Everything one run has streamed so far.

    Attributes
    ----------
    start : the run's TrainStart (None before it arrives).
    records : every TrainRecord, in order (for export).
    end : the TrainEnd once the run is over (None while it runs or when it was stopped).
    """

    def __init__(self) -> None:
        self.start: TrainStart | None = None
        self.records: list[TrainRecord] = []
        self.end: TrainEnd | None = None
        self._n = 0
        self._scalars = {k: np.empty(0) for k in SCALARS}
        self._layers = {k: np.empty((0, 0)) for k in LAYER_ARRAYS}

    @property
    def depth(self) -> int:
        """L: hidden layers (0 before TrainStart)."""
        return len(self.start.widths) - 1 if self.start is not None else 0

    def __len__(self) -> int:
        return self._n

    def add(self, rec) -> None:
        """Store one record of the stream (TrainStart, TrainRecord or TrainEnd)."""
        if isinstance(rec, TrainStart):
            self.__init__()
            self.start = rec
            self._layers = {k: np.empty((0, self.depth)) for k in LAYER_ARRAYS}
        elif isinstance(rec, TrainEnd):
            self.end = rec
        elif isinstance(rec, TrainRecord) and self.start is not None:
            self._grow()
            i = self._n
            for k in SCALARS:
                v = getattr(rec, k)
                self._scalars[k][i] = np.nan if v is None else v
            for k in LAYER_ARRAYS:
                self._layers[k][i] = getattr(rec, k)
            self.records.append(rec)
            self._n += 1

    def _grow(self) -> None:
        capacity = self._scalars["step"].size
        if self._n < capacity:
            return
        new = max(64, 2 * capacity)
        for k, a in self._scalars.items():
            b = np.full(new, np.nan)
            b[:self._n] = a[:self._n]
            self._scalars[k] = b
        for k, a in self._layers.items():
            b = np.full((new, self.depth), np.nan)
            if self._n:
                b[:self._n] = a[:self._n]
            self._layers[k] = b

    def series(self, name: str) -> np.ndarray:
        """Scalar ``name`` of every record so far, shape (n,) (NaN where the engine gave None)."""
        return self._scalars[name][:self._n]

    def layers(self, name: str) -> np.ndarray:
        """Per-layer ``name`` of every record so far, shape (n, L), row i = record i."""
        return self._layers[name][:self._n]

    def layer_series(self, copy: bool = False) -> LayerSeries:
        """The per-layer arrays so far: views of the store (rows never change), or copies."""
        arrays = (self.series("step"), *(self.layers(k) for k in LAYER_ARRAYS))
        return LayerSeries(*(a.copy() if copy else a for a in arrays))

    def last_step(self) -> int:
        """Optimizer steps shown so far (0 before the first record)."""
        return int(self._scalars["step"][self._n - 1]) if self._n else 0

    @property
    def steps(self) -> int:
        """Steps the run was configured for (0 before TrainStart)."""
        return int(self.start.config["steps"]) if self.start is not None else 0
