"""The fast first pass of a drag: fewer batch rows while values keep coming, the full run after.

During a burst of values (a slider or the phase point dragged) a run of the first-launch net
(20 × 128, batch 256) costs more than the time between two values, even with the runner's drag
policy: the display then lags. :class:`PreviewPolicy` runs each value of a burst with at most
:func:`preview_rows` batch rows (the same network, weights and seed: only the sample is
smaller, so the curves are the same up to sampling noise) and, once no new value came for
:data:`FULL_AFTER` seconds (the mouse stopped), the full spec. The latest value always wins:
each new value restarts the wait, and the full run is that of the value on screen. A preview's
spec says what it is (``batch`` = its rows), the window labels it "preview (64 rows)".

Rows by size: a preview's matrix products cost rows × (number of weights). Networks up to
:data:`PREVIEW_WEIGHTS` weights preview :data:`PREVIEW_ROWS` rows; larger ones fewer, in
proportion, down to :data:`MIN_PREVIEW_ROWS` (depth 200 × width 256, 13 M weights: 8 rows, a
~140 ms preview where 64 rows took ~400 ms, so a drag there still shows ~5 results a second).

The first value of a burst runs in full (a single click or a typed value never previews),
except when the mouse holds a control (:meth:`PreviewPolicy.start_burst`, a slider pressed):
then every value until the release is a preview, the first too (at depth 200 × width 256 its
full run took ~0.9 s, to be cancelled by the second value).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from gradexplorer.engine.model.spec import NetworkSpec

#: Batch rows of a preview run of a network with at most :data:`PREVIEW_WEIGHTS` weights.
PREVIEW_ROWS = 64
#: Above this many weights (Σ fan_in · fan_out) a preview takes proportionally fewer rows.
PREVIEW_WEIGHTS = 1 << 20
#: The fewest rows a preview takes (its per-layer statistics still average ≥ 8 · width entries).
MIN_PREVIEW_ROWS = 8
#: A value arriving within this many seconds of the previous one belongs to a burst.
BURST_SECONDS = 0.5
#: Without a new value for this long (seconds), the burst ended: run the full spec. Releasing
#: the mouse ends it at once (:meth:`PreviewPolicy.finish_now`); this is for the mouse held
#: still and for keys. Shorter, a slow redraw spaced a drag's values enough to start full
#: runs (3× a preview's cost) in the middle of the drag.
FULL_AFTER = 0.3


def preview_rows(spec: NetworkSpec) -> int:
    """Batch rows of ``spec``'s preview: :data:`PREVIEW_ROWS` · :data:`PREVIEW_WEIGHTS` / the
    network's weights, between :data:`MIN_PREVIEW_ROWS` and :data:`PREVIEW_ROWS`.

    The weights are counted with n_0 = ``spec.in_features`` (data that decide n_0 themselves,
    e.g. digits, count as that: the estimate only sizes the sample).
    """
    widths = spec.layer_widths()
    weights = sum(a * b for a, b in zip(widths, widths[1:], strict=False))
    return max(MIN_PREVIEW_ROWS, min(PREVIEW_ROWS, PREVIEW_ROWS * PREVIEW_WEIGHTS // weights))


def preview_of(spec: NetworkSpec, rows: int | None = None) -> NetworkSpec:
    """``spec`` with at most ``rows`` batch rows (default :func:`preview_rows`; ``spec`` itself
    when it has no more)."""
    rows = preview_rows(spec) if rows is None else rows
    return spec if spec.batch <= rows else spec.replace(batch=rows)


class PreviewPolicy(QObject):
    """Decides what to run for each new value of a burst; emits the full spec when it ends.

    Signals
    -------
    sigFull(spec) : the burst ended; run ``spec`` (the latest value) in full.
    """

    sigFull = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._last = -float("inf")  # perf_counter() of the last value
        self._latest: NetworkSpec | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(1000 * FULL_AFTER))
        self._timer.timeout.connect(self._end_burst)
        self.enabled = True
        self._held = False  # the mouse holds a control: every value is part of a drag
        #: Whether the last value given to :meth:`spec_for` belonged to a burst (its run is a
        #: drag's run even when it needs no preview, e.g. at ≤ 64 batch rows).
        self.bursting = False

    def start_burst(self) -> None:
        """The mouse took hold of a control: values until :meth:`finish_now` are a burst."""
        self._held = True

    def spec_for(self, spec: NetworkSpec) -> NetworkSpec:
        """What to run now for the new value ``spec``: its preview inside a burst, else it."""
        now = time.perf_counter()
        burst, self._last = self._held or now - self._last < BURST_SECONDS, now
        self.bursting = self.enabled and burst
        preview = preview_of(spec)
        if not self.enabled or not burst or preview is spec:
            self._timer.stop()
            self._latest = None
            return spec
        self._latest = spec
        self._timer.start()
        return preview

    def is_waiting(self) -> bool:
        """True while a full run is still to come for the latest value."""
        return self._timer.isActive()

    def finish_now(self) -> None:
        """The drag ended (mouse released): run the latest value in full now, not after
        :data:`FULL_AFTER`; the next value starts a new burst."""
        self._last = -float("inf")
        self._held = False
        if self._timer.isActive():
            self._timer.stop()
            self._end_burst()

    def cancel(self) -> None:
        """Forget the pending full run (a non-drag request replaced it)."""
        self._timer.stop()
        self._latest = None

    def _end_burst(self) -> None:
        if self._held and QGuiApplication.mouseButtons() == Qt.MouseButton.NoButton:
            self._held = False  # a press whose release never came (its control hidden)
        spec, self._latest = self._latest, None
        if spec is not None:
            self.sigFull.emit(spec)
