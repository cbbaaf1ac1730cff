"""Cooperative cancellation of long engine work: one exception type and cheap polling helpers.

Long loops of the engine (LSUV's rescalings, a training segment between reports, reading a large
data file, the phase-diagram grid, the Jacobian product) take an optional
``cancel: Callable[[], bool]``; when it returns True they raise :class:`Cancelled`. The GUI's
job runner passes its cancel token; the CLI passes nothing. Checks are time-based (at most every
:data:`POLL_SECONDS` of work) and long matrix products are cut into row blocks
(:func:`cancellable_matmul`), so a cancel takes effect within a fraction of a second even for a
4096-wide layer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["POLL_SECONDS", "CancelCheck", "Cancelled", "cancellable_matmul", "raise_if_cancelled"]

#: Seconds of work between two calls of the ``cancel`` callable.
POLL_SECONDS = 0.05
#: Floating-point operations per row block of :func:`cancellable_matmul` (~20–100 ms of BLAS).
BLOCK_FLOPS = 4e8

CancelFn = Callable[[], bool] | None


class Cancelled(Exception):  # noqa: N818 - the engine's established name
    """The ``cancel`` callable returned True; the work stopped and its partial result is gone."""


def raise_if_cancelled(cancel: CancelFn) -> None:
    """Call ``cancel`` (if given) and raise :class:`Cancelled` when it returns True."""
    if cancel is not None and cancel():
        raise Cancelled("cancelled")


class CancelCheck:
    """A poll of ``cancel`` throttled to once per ``interval`` seconds; cheap to call.

    The first call always polls. ``check()`` raises :class:`Cancelled` if ``cancel()``
    returned True; with ``cancel=None`` it does nothing. ``check(force=True)`` polls
    regardless of the time.
    """

    __slots__ = ("_cancel", "_interval", "_next")

    def __init__(self, cancel: CancelFn, interval: float = POLL_SECONDS) -> None:
        self._cancel = cancel
        self._interval = float(interval)
        self._next = time.monotonic()  # the first call polls

    @property
    def active(self) -> bool:
        """True when there is a cancel callable to poll."""
        return self._cancel is not None

    def __call__(self, force: bool = False) -> None:
        """Poll ``cancel`` if ``interval`` has passed (or ``force``); raise when it says so."""
        if self._cancel is None:
            return
        now = time.monotonic()
        if force or now >= self._next:
            self._next = now + self._interval
            if self._cancel():
                raise Cancelled("cancelled")


def cancellable_matmul(a: np.ndarray, b: np.ndarray, check: CancelCheck | None) -> np.ndarray:
    """``a @ b`` for 2-D arrays, in row blocks of about ``BLOCK_FLOPS``, checking between them.

    A single product when ``check`` is None or inactive.

    Parameters
    ----------
    a : ndarray (m, k); b : ndarray (k, n).
    check : CancelCheck or None.

    Returns
    -------
    ndarray (m, n), the dtype of ``a @ b``.

    Raises
    ------
    Cancelled
        When ``check`` fires between two blocks.
    """
    if check is None or not check.active:
        return np.asarray(a @ b)
    m, k = a.shape
    n = b.shape[1]
    rows = max(16, int(BLOCK_FLOPS / max(1, 2 * k * n)))
    if rows >= m:
        return np.asarray(a @ b)
    out = np.empty((m, n), dtype=np.result_type(a, b))
    for i in range(0, m, rows):
        check()
        np.matmul(a[i:i + rows], b, out=out[i:i + rows])
    return out


#: Columns per Householder panel of :func:`cancellable_qr`.
QR_PANEL = 128


def cancellable_qr(a: np.ndarray, check: CancelCheck) -> tuple[np.ndarray, np.ndarray]:
    """Thin QR of a tall matrix by panels of Householder reflectors, checking between calls.

    ``check`` is polled between LAPACK calls: the same algorithm as ``scipy.linalg.qr(a,
    mode="economic")`` (LAPACK geqrf/orgqr, Golub & Van Loan §5.2) in blocks, so Q agrees with it
    to rounding (~1e-15 relative), but a cancel lands within one panel instead of after the whole
    factorization (a 4096 × 4096 QR takes seconds to a minute on a busy machine).

    Parameters
    ----------
    a : ndarray (m, n), m ≥ n, float32 or float64 (not modified).
    check : CancelCheck polled between panels and between column blocks of each update.

    Returns
    -------
    q : ndarray (m, n), orthonormal columns; diag_r : ndarray (n,), the diagonal of R.

    Raises
    ------
    Cancelled
        When ``check`` fires.
    """
    from scipy.linalg import lapack

    geqrf, ormqr = lapack.get_lapack_funcs(("geqrf", "ormqr"), (a,))
    work = np.array(a, order="F", copy=True)
    m, n = work.shape
    nb = QR_PANEL
    panels = []
    for j in range(0, n, nb):
        check()
        k = min(nb, n - j)
        packed, tau, _, info = geqrf(work[j:, j:j + k])
        if info:
            raise np.linalg.LinAlgError(f"geqrf failed (info {info})")
        work[j:, j:j + k] = packed
        panels.append((j, packed, tau))
        for c in range(j + k, n, nb):  # trailing update Q_panelᵀ A, in column blocks
            check()
            block = work[j:, c:c + nb]
            out, _, info = ormqr("L", "T", packed, tau, block, lwork=max(1, block.shape[1]) * nb)
            work[j:, c:c + nb] = out
    diag_r = np.diagonal(work)[:n].copy()
    q = np.zeros((m, n), dtype=work.dtype, order="F")
    q[np.arange(n), np.arange(n)] = 1.0
    for j, packed, tau in reversed(panels):  # Q = P_0 P_1 … applied to I[:, :n], last first
        for c in range(j, n, nb):
            check()
            block = q[j:, c:c + nb]
            out, _, info = ormqr("L", "N", packed, tau, block, lwork=max(1, block.shape[1]) * nb)
            q[j:, c:c + nb] = out
    return np.ascontiguousarray(q), diag_r


def draw_in_blocks(draw: Callable[[tuple[int, int]], np.ndarray], shape: tuple[int, int],
                   check: CancelCheck | None, dtype: DTypeLike = np.float64) -> np.ndarray:
    """``draw(shape)`` as consecutive row blocks of about 2**21 values, checking between them.

    NumPy's Generator fills arrays in C order from one stream, so for
    ``rng.standard_normal`` / ``rng.uniform`` / ``rng.random`` the result is bit-identical to
    one call (tested); a single call when ``check`` is None or inactive.
    """
    rows, cols = int(shape[0]), int(shape[1])
    block = max(1, (1 << 21) // max(1, cols))
    if check is None or not check.active or block >= rows:
        return draw((rows, cols))
    out = np.empty((rows, cols), dtype=dtype)
    for i in range(0, rows, block):
        check()
        out[i:i + block] = draw((min(block, rows - i), cols))
    return out
