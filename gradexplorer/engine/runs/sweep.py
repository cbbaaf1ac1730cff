"""Parameter sweeps: one numeric setting over a list of values, a few seeds each, streamed.

``sweep(spec, "gain", log_range(0.5, 2, 7), seeds=3)`` runs :func:`~.propagation.propagate` for
every value and every seed ``spec.seed .. spec.seed + seeds − 1`` and yields one
:class:`SweepRow` per value as soon as its runs are done, so a GUI can draw curve by curve and
stop between runs. Every value is validated before anything runs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from gradexplorer.engine.model.spec import NetworkSpec, SpecError, coerce
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.records import BackwardLayer, ForwardLayer, Record, RunStart
from gradexplorer.engine.runs.result import RunResult

__all__ = ["NUMERIC_FIELDS", "QUANTITIES", "SweepRow", "lin_range", "log_range", "sweep"]

#: The spec fields a sweep can vary.
NUMERIC_FIELDS = ("gain", "depth", "width", "bias_std", "in_features", "batch", "seed",
                  "negative_slope", "input_mean", "input_std", "residual_scale")
#: Per-layer numbers a sweep can record: the numeric fields of ForwardLayer and BackwardLayer.
_WEIGHT_GRAD_QUANTITIES = ("grad_weight_norm", "log10_grad_weight_norm", "grad_to_weight",
                           "log10_grad_to_weight")
QUANTITIES = tuple(dict.fromkeys(f.name for cls in (ForwardLayer, BackwardLayer)
                                 for f in dataclasses.fields(cls)
                                 if f.name != "layer" and str(f.type) in ("float", "int")))


@dataclass(frozen=True, eq=False)
class SweepRow:
    """The runs of one swept value. Curves have shape (L,), index ``l − 1`` is layer ``l``.

    Attributes
    ----------
    field : the swept spec field. value : its value here (int or float, as the spec holds it).
    index, count : position of this value in the sweep (0-based) and the number of values.
    spec : the spec of this value's first seed.
    quantity : the per-layer field recorded (e.g. ``log10_grad_preact_rms``, in decades).
    seeds : the seeds run, in order.
    layers : (L,) int64, 1..L.
    curves : (S, L) float64, one row per seed, in the quantity's own units.
    mean : (L,) mean over seeds (for a log10 quantity: the mean of the logs), clipped into
        [min, max] so rounding never leaves the band. min, max : (L,) over seeds.
    NaN/inf in a run carry through (a NaN in any seed makes that layer's mean, min, max NaN).
    """

    field: str
    value: int | float
    index: int
    count: int
    spec: NetworkSpec
    quantity: str
    seeds: tuple[int, ...]
    layers: np.ndarray
    curves: np.ndarray
    mean: np.ndarray
    min: np.ndarray
    max: np.ndarray


def sweep(spec: NetworkSpec, field: str, values: Sequence[object], *, seeds: int = 1,
          quantity: str = "log10_grad_preact_rms", cancel: Callable[[], bool] | None = None,
          engine: Callable[[NetworkSpec], Iterable[Record]] | None = None) -> Iterator[SweepRow]:
    """Vary ``field`` over ``values``; yield a :class:`SweepRow` per value as it is computed.

    Parameters
    ----------
    spec : NetworkSpec
        Every other setting (``seed`` is the first seed).
    field : str
        One of :data:`NUMERIC_FIELDS` (``gain`` multiplies the init's std; ``bias_std`` is σ_b,
        not the variance).
    values : sequence
        Numbers or numeric strings, converted as the CLI converts them (``spec.coerce``).
    seeds : int
        Runs per value, seeds ``s .. s + seeds − 1`` with s = spec.seed (or the value itself
        when sweeping ``seed``).
    quantity : str
        One of :data:`QUANTITIES`.
    cancel : callable, optional
        Polled before every run and between its records; when it returns True the sweep stops
        (no partial row). Closing the generator stops it as well.
    engine : callable, optional
        A stand-in for ``propagate`` with its signature (tests, GUI fakes). By default a lean
        ``propagate``: no histograms, no theory, and ∂L/∂W formed only when ``quantity`` needs
        it; the weight draws of one seed are reused across the values (``model.draws``), so a
        gain or bias-std sweep draws its network once per seed. The numbers are bit for bit
        those of full runs.

    Yields
    ------
    SweepRow

    Raises
    ------
    SpecError
        Before anything runs: ``field`` not sweepable (unknown, not numeric, or without effect
        on this spec: width or depth while ``widths`` is set, bias_std with zero biases,
        negative_slope without leaky_relu, in_features / input_mean / input_std with digits or
        file input), no values, or a value that fails conversion or validation; the message
        names the field and the value. While running: DataError / RunTooLargeError from the
        engine.
    ValueError
        ``seeds`` < 1 or ``quantity`` unknown.
    """
    specs = _specs(spec, field, values, seeds, quantity)
    if engine is None:
        engine = partial(propagate, histograms=False, theory=False,
                         weight_grads=quantity in _WEIGHT_GRAD_QUANTITIES)
    for index, (value, per_seed) in enumerate(specs):
        curves = []
        for s in per_seed:
            curve = _run(s, quantity, cancel, engine)
            if curve is None:
                return
            curves.append(curve)
        yield _row(field, value, index, len(specs), per_seed, quantity, curves)


def _specs(spec: NetworkSpec, field: str, values: Iterable[object], seeds: int,
           quantity: str) -> list[tuple[int | float, list[NetworkSpec]]]:
    """[(value, [spec per seed])] for every value, all validated."""
    if quantity not in QUANTITIES:
        raise ValueError(f"unknown quantity {quantity!r} (choose from: {', '.join(QUANTITIES)})")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a whole number ≥ 1, got {seeds!r}")
    _check_field(spec, field)
    values = list(values)
    if not values:
        raise SpecError(field, f"give at least one value of {field.replace('_', ' ')} to sweep")
    out = []
    for raw in values:
        try:
            value = coerce(field, raw)
            first = spec.replace(**{field: value})
            last = first.replace(seed=first.seed + seeds - 1)
        except SpecError as exc:
            if exc.field == field:
                raise
            raise SpecError(field, f"{field.replace('_', ' ')} {raw!r}: {exc}") from None
        out.append((value, [first.replace(seed=first.seed + i) for i in range(seeds - 1)]
                    + [last]))
    return out


def _check_field(spec: NetworkSpec, field: str) -> None:
    label = str(field).replace("_", " ")
    if field not in NUMERIC_FIELDS:
        known = {f.name for f in dataclasses.fields(NetworkSpec)} - {"extra"}
        what = "is not a number" if field in known else "is not a setting"
        raise SpecError(field, f"cannot sweep '{field}': it {what} "
                               f"(sweepable: {', '.join(NUMERIC_FIELDS)})")
    synthetic = spec.input in ("normal", "uniform")
    no_effect = {
        "width": (spec.widths is not None, "widths lists per-layer sizes; clear widths"),
        "depth": (spec.widths is not None, "widths lists per-layer sizes; clear widths"),
        "bias_std": (spec.bias_init != "normal", "bias init is 'zeros'; choose 'normal'"),
        "negative_slope": (spec.activation != "leaky_relu", "activation is not leaky_relu"),
        "in_features": (not synthetic, f"input is '{spec.input}'"),
        "input_mean": (not synthetic, f"input is '{spec.input}'"),
        "input_std": (not synthetic, f"input is '{spec.input}'"),
        "residual_scale": (not spec.residual, "the blocks are not residual; turn residual on"),
    }
    blocked, why = no_effect.get(field, (False, ""))
    if blocked:
        raise SpecError(field, f"sweeping {label} has no effect here: {why}")


def _run(spec: NetworkSpec, quantity: str, cancel: Callable[[], bool] | None,
         engine: Callable[[NetworkSpec], Iterable[Record]]) -> np.ndarray | None:
    """One run's curve, or None when cancelled."""
    if cancel is not None and cancel():
        return None
    result = RunResult()
    records = iter(engine(spec))
    try:
        for rec in records:
            if isinstance(rec, (RunStart, ForwardLayer, BackwardLayer)):  # all a curve needs
                result.add(rec)
            if cancel is not None and cancel():
                return None
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()
    return result.series(quantity)


def _row(field: str, value: int | float, index: int, count: int, specs: list[NetworkSpec],
         quantity: str, curves: list[np.ndarray]) -> SweepRow:
    c = np.asarray(curves, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        lo, hi = c.min(axis=0), c.max(axis=0)
        mean = np.clip(c.mean(axis=0), lo, hi)
    return SweepRow(field=field, value=value, index=index, count=count, spec=specs[0],
                    quantity=quantity, seeds=tuple(s.seed for s in specs),
                    layers=np.arange(1, c.shape[1] + 1, dtype=np.int64), curves=c, mean=mean,
                    min=lo, max=hi)


def log_range(lo: float, hi: float, n: int, *, integer: bool = False) -> list[float] | list[int]:
    """``n`` values from ``lo`` to ``hi`` (both included, either order) evenly spaced in log.

    Parameters
    ----------
    lo, hi : float, finite and > 0.
    n : int ≥ 1 (n = 1 gives [lo]).
    integer : round to whole numbers and drop repeats, keeping the order (for depth, width).

    Returns
    -------
    list of float, or of int with ``integer``.

    Raises
    ------
    ValueError
        lo or hi not finite and positive, n < 1.
    """
    for name, v in (("lo", lo), ("hi", hi)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0 for a log range, got {v!r}")
    return _finish(np.geomspace(lo, hi, _count(n)), integer)


def lin_range(lo: float, hi: float, n: int, *, integer: bool = False) -> list[float] | list[int]:
    """``n`` evenly spaced values from ``lo`` to ``hi``, both included; as :func:`log_range`.

    Raises
    ------
    ValueError
        lo or hi not finite, n < 1.
    """
    for name, v in (("lo", lo), ("hi", hi)):
        if not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    return _finish(np.linspace(lo, hi, _count(n)), integer)


def _count(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"the number of values must be a whole number ≥ 1, got {n!r}")
    return int(n)


def _finish(v: np.ndarray, integer: bool) -> list[float] | list[int]:
    if integer:
        return list(dict.fromkeys(int(x) for x in np.rint(v)))
    return [float(x) for x in v]
