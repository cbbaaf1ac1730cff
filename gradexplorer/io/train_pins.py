"""Pinned training runs in a session file: the optional ``train_pins`` field (Qt-free).

A Train-tab pin is data, not a recipe: the curves it shows are kept as they were measured (a
training run is not re-run to restore a pin). One entry::

    {"label": "relu, He ×1, L=20", "spec": {...NetworkSpec.to_dict()...},
     "steps": [0, 10, ...],                                 # optimizer step of each record
     "curves": {"test_loss": [...], "test_accuracy": [...]},  # each as long as steps; null = none
     "log10_grad_norm": [[...L values...], ...],            # one row per record
     "log10_update_ratio": [[...], ...]}

Numbers are finite JSON numbers or null (NaN, ±inf and "not measured" are all null; the
plots draw them as gaps). :func:`train_pins_from_data` checks every field and raises
:class:`~gradexplorer.io.sessions.SessionError` naming the bad one
(``train_pins[0].curves.test_loss[3] must be a number or null``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradexplorer.engine.model.spec import NetworkSpec

#: Curves a train pin may keep (the Train tab's loss and accuracy, train or held out).
CURVE_FIELDS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")
LAYER_FIELDS = ("log10_grad_norm", "log10_update_ratio")
MAX_TRAIN_PINS = 20
#: Records per pin (a run of 100 000 steps recorded every 10 steps; about 2 MB at L = 20).
MAX_RECORDS = 10_000
MAX_LABEL = 200


@dataclass(frozen=True)
class TrainPin:
    """A pinned training run (module docstring): arrays of shape (n,) and (n, L)."""

    label: str
    spec: NetworkSpec
    steps: np.ndarray
    curves: dict[str, np.ndarray]
    log10_grad_norm: np.ndarray
    log10_update_ratio: np.ndarray

    def to_dict(self) -> dict:
        """The JSON entry (NaN and ±inf written as null)."""
        return {"label": self.label, "spec": self.spec.to_dict(),
                "steps": [int(s) for s in self.steps],
                "curves": {k: _numbers(v) for k, v in self.curves.items()},
                "log10_grad_norm": [_numbers(r) for r in self.log10_grad_norm],
                "log10_update_ratio": [_numbers(r) for r in self.log10_update_ratio]}


def _numbers(values) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def train_pins_from_data(data: object, error: type[Exception], spec_reader) -> tuple:
    """Parse a session's ``train_pins`` value (None or missing: no pins).

    ``error`` is the exception class to raise (SessionError), ``spec_reader(data, where)`` the
    session's checked spec parser.
    """
    if data is None:
        return ()
    if not isinstance(data, list):
        raise error("session file has malformed train pins: train_pins must be a list")
    if len(data) > MAX_TRAIN_PINS:
        raise error(f"session file has {len(data)} train pins; at most {MAX_TRAIN_PINS} are "
                    "allowed")
    return tuple(_pin(item, f"train_pins[{i}]", error, spec_reader)
                 for i, item in enumerate(data))


def _pin(item: Any, where: str, error, spec_reader) -> TrainPin:
    def bad(what: str):
        return error(f"session file has a malformed train pin: {where}{what}")

    if not isinstance(item, dict):
        raise bad(" must be a mapping")
    label = item.get("label")
    if not isinstance(label, str) or not label or len(label) > MAX_LABEL:
        raise bad(f".label must be text of 1 to {MAX_LABEL} characters")
    spec = spec_reader(item.get("spec"), f"{where}.spec")
    steps = item.get("steps")
    if not isinstance(steps, list) or len(steps) > MAX_RECORDS or not all(
            isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**53 for s in steps):
        raise bad(f".steps must be a list of at most {MAX_RECORDS} whole numbers ≥ 0")
    n = len(steps)
    curves = item.get("curves")
    if not isinstance(curves, dict) or not curves:
        raise bad(f".curves must map some of {', '.join(CURVE_FIELDS)} to values")
    parsed = {}
    for name, values in curves.items():
        if name not in CURVE_FIELDS:
            raise bad(f".curves has an unknown curve {str(name)[:40]!r}")
        parsed[name] = _row(values, n, f".curves.{name}", bad)
    layers = {}
    depth = spec.depth
    for name in LAYER_FIELDS:
        rows = item.get(name)
        if not isinstance(rows, list) or len(rows) != n:
            raise bad(f".{name} must be a list of {n} rows (one per step)")
        layers[name] = (np.array([_row(r, depth, f".{name}[{i}]", bad)
                                  for i, r in enumerate(rows)], dtype=float).reshape(n, depth))
    return TrainPin(label, spec, np.array(steps, dtype=float), parsed, **layers)


def _row(values: Any, n: int, where: str, bad) -> np.ndarray:
    if not isinstance(values, list) or len(values) != n:
        raise bad(f"{where} must be a list of {n} values")
    for i, v in enumerate(values):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))
                              or not math.isfinite(v)):
            raise bad(f"{where}[{i}] must be a number or null")
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
