"""Run set-up shared by propagation, the Jacobian and training: one place, one order.

:func:`prepare` resolves the activation, makes the input batch (the spec's data stream), the
widths (n_0 from the data), checks that the run fits in memory and draws the network, the
orthogonal initializer's QR and LSUV's passes included, under the BLAS thread policy
(:mod:`gradexplorer.engine.compute.blas`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradexplorer.engine.compute.blas import blas_threads_for
from gradexplorer.engine.compute.memory import check_fits, estimate_bytes, save_bytes
from gradexplorer.engine.data.inputs import InputBatch, make_inputs
from gradexplorer.engine.model.activations import Activation, get_activation
from gradexplorer.engine.model.network import STREAM_DATA, Network, build_network, stream
from gradexplorer.engine.model.spec import NetworkSpec

__all__ = ["Prepared", "prepare"]


@dataclass(frozen=True, eq=False)
class Prepared:
    """Everything a run needs before its first layer.

    Attributes
    ----------
    spec : NetworkSpec
        The spec prepared.
    activation : Activation
        φ with the spec's negative slope.
    x : ndarray, shape (B, n_0), the spec's dtype
        The input batch the network sees (the caller may write into it).
    inputs : InputBatch or None
        The spec's input batch with labels and description (None when ``x`` was given).
    widths : tuple of int
        (n_0, ..., n_L), n_0 from the data.
    memory_bytes : int
        The memory estimate that was checked.
    net : Network
        The drawn layers and their σ_w².
    """

    spec: NetworkSpec
    activation: Activation
    x: np.ndarray
    inputs: InputBatch | None
    widths: tuple[int, ...]
    memory_bytes: int
    net: Network


def prepare(spec: NetworkSpec, *, save: bool = False, x: np.ndarray | None = None,
            memory: Callable[[tuple[int, ...]], int] | None = None,
            cancel: Callable[[], bool] | None = None, scaled: bool = False) -> Prepared:
    """Make the input batch, check memory and draw the network of ``spec``.

    Parameters
    ----------
    spec : NetworkSpec
        The validated specification.
    save : bool, default False
        Add the float64 copies ``propagate(spec, arrays)`` keeps (``run --save``) to the memory
        estimate (:func:`~gradexplorer.engine.compute.memory.save_bytes`).
    x : ndarray, shape (B, n_0), optional
        Use this batch instead of the spec's input data (training: rows of the task); LSUV
        initializes on it.
    memory : callable, optional
        ``memory(widths) -> bytes`` replacing the propagation estimate and its check
        (:func:`~gradexplorer.engine.compute.memory.estimate_bytes`, ``check_fits``): it checks
        the run fits itself (raising ``RunTooLargeError`` with its own advice), e.g. training's.
    cancel : callable, optional
        Polled while the data are read, between layer draws, inside the orthogonal QR and LSUV;
        True raises :class:`~gradexplorer.engine.compute.cancel.Cancelled`.
    scaled : bool, default False
        Let layers apply their scale to the products (``build_network(scaled=True)``): for
        propagation, which does not change the weights.

    Returns
    -------
    Prepared

    Raises
    ------
    DataError
        The input data cannot be loaded.
    RunTooLargeError
        The memory estimate exceeds what is available.
    Cancelled
        See ``cancel``.
    """
    activation = get_activation(spec.activation, spec.negative_slope)

    def checked(widths: tuple[int, ...], batch: int) -> int:
        if memory is not None:
            return memory(widths)
        nbytes = estimate_bytes(widths, batch, np.dtype(spec.dtype).itemsize,
                                lsuv=spec.init == "lsuv", norm=spec.norm != "none",
                                residual=spec.residual)
        if save:  # the float64 copies kept for the caller (``run --save``)
            nbytes += save_bytes(widths, batch)
        check_fits(nbytes)
        return nbytes

    inputs, nbytes = None, None
    if x is None and memory is None and spec.input in ("normal", "uniform"):
        # a drawn batch is (batch, in_features): sized before it is drawn
        nbytes = checked(spec.layer_widths(spec.in_features), spec.batch)
    if x is None:
        inputs = make_inputs(spec, stream(spec.seed, STREAM_DATA), cancel=cancel)
        x = inputs.x
    widths = spec.layer_widths(x.shape[1])
    if nbytes is None:
        nbytes = checked(widths, x.shape[0])
    with blas_threads_for(x.shape[0], widths):  # the orthogonal QR and LSUV's passes too
        net = build_network(spec, widths, x, activation, cancel=cancel, scaled=scaled)
    return Prepared(spec=spec, activation=activation, x=x, inputs=inputs, widths=widths,
                    memory_bytes=nbytes, net=net)
