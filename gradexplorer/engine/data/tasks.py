"""Learning tasks for training mode: inputs with targets, split into training and held-out rows.

Three tasks:

* ``digits``: the bundled UCI optical digits (1797 × 64, 10 classes).
* ``file``: the user's labelled table (see :func:`data.load_table`; a ``label``/``y`` column or
  an ``.npz`` array ``y`` is required).
* ``teacher``: a synthetic task for any input size n_0: x ~ N(0, I) and a fixed random teacher
  MLP ``t(x) = tanh(x V₁ᵀ) V₂ᵀ`` (V₁: (64, n_0) ~ N(0, 1/n_0), V₂: (C, 64) ~ N(0, 1/64)); the
  class is ``argmax t(x)`` for classification, or ``t(x)`` scaled to unit std for regression.

The held-out split is stratified for classification (each class keeps its share, at least one
held-out row per class with two or more rows) and random otherwise, drawn from its own random
stream. With ``standardize`` every feature is shifted and scaled to mean 0, std 1 using the
statistics of the TRAINING rows only, so nothing leaks from the held-out rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gradexplorer.engine.compute.memory import check_fits
from gradexplorer.engine.data.inputs import DIGITS_CLASSES, DataError, load_digits, load_table
from gradexplorer.engine.model.network import stream
from gradexplorer.engine.model.spec import NetworkSpec

__all__ = ["STREAM_SPLIT", "STREAM_TEACHER", "TEACHER_WIDTH", "Task", "make_task", "teacher_bytes",
           "split_indices"]

#: Random-stream purposes of this module (network.py uses 0..4; these stay clear of them).
STREAM_SPLIT, STREAM_TEACHER = 16, 17
#: Hidden width of the teacher MLP.
TEACHER_WIDTH = 64


@dataclass(frozen=True, eq=False)
class Task:
    """A supervised task, split and ready to train on.

    Attributes
    ----------
    x_train, x_test : ndarray (N_train, n_0), (N_test, n_0) in the spec's dtype.
    y_train, y_test : int64 class labels (N,) for classification; for regression float targets
        (N, C) in the spec's dtype.
    n_outputs : C, the number of classes (or regression outputs); the readout's fan_out.
    classification : True when the targets are class labels (accuracy makes sense).
    description : one line for people, e.g. ``"digits (UCI, 64 features, 10 classes), ..."``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_outputs: int
    classification: bool
    description: str


def split_indices(n: int, holdout: float, rng: np.random.Generator,
                  labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Random (or, given ``labels``, stratified) split of ``range(n)`` into train and held-out.

    Each class c with n_c rows puts round(holdout · n_c) rows in the held-out part, but at least
    one when holdout > 0 and n_c ≥ 2, and never all n_c. Without labels round(holdout · n) rows
    are held out (never all). Both index arrays are sorted.

    Returns
    -------
    train, test : int64 ndarrays, disjoint, together ``range(n)``.
    """
    if labels is None:
        k = min(int(round(holdout * n)), n - 1)
        perm = rng.permutation(n)
        return np.sort(perm[k:]), np.sort(perm[:k])
    test = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        k = int(round(holdout * members.size))
        if holdout > 0 and members.size >= 2:
            k = max(k, 1)
        k = min(k, members.size - 1)
        test.append(rng.permutation(members)[:k])
    test_idx = np.sort(np.concatenate(test)) if test else np.zeros(0, np.int64)
    mask = np.ones(n, bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx


def make_task(spec: NetworkSpec, task: str, loss: str, holdout: float, *,
              samples: int = 2048, classes: int = 10,
              cancel: Callable[[], bool] | None = None) -> Task:
    """Build ``task`` (digits | file | teacher) for ``loss`` (cross_entropy | mse).

    Parameters
    ----------
    spec : uses ``seed`` (split and teacher streams), ``dtype``, ``standardize``,
        ``in_features`` (teacher n_0) and ``input_path`` (file).
    task : ``digits``, ``file`` or ``teacher``.
    loss : ``cross_entropy`` or ``mse``. For digits/file, mse regresses one-hot class vectors
        (still a classification); for the teacher, mse regresses its real-valued outputs.
    holdout : fraction of rows held out, in [0, 1).
    samples, classes : teacher only: rows drawn, and C (≥ 2).
    cancel : optional callable polled while a file is read; True raises ``Cancelled``.

    Raises
    ------
    DataError
        ``field="input_path"``: the file cannot be read (as :func:`data.load_table`), has no
        labels, has non-finite cells, or fewer than 2 classes; ``field="input"``: the digits.
    RunTooLargeError
        The teacher's data (:func:`teacher_bytes`) or the file would not fit in memory.
    ValueError
        For an unknown task.
    """
    if task == "digits":
        x, y = load_digits()
        n_classes = DIGITS_CLASSES
        source = f"digits (UCI, {x.shape[1]} features, {n_classes} classes)"
    elif task == "file":
        x, y, n_classes, source = _file(spec, cancel)
    elif task == "teacher":
        return _teacher(spec, loss, holdout, samples, classes)
    else:
        raise ValueError(f"unknown task {task!r} (choose from: digits, file, teacher)")
    train, test = split_indices(x.shape[0], holdout, stream(spec.seed, STREAM_SPLIT), y)
    xt, xh = _standardized(x[train], x[test], spec.standardize)
    desc = (f"{source}, {'standardized' if spec.standardize else 'raw values'}, "
            f"{train.size} training / {test.size} held-out rows")
    dt = spec.dtype
    return Task(xt.astype(dt), y[train].copy(), xh.astype(dt), y[test].copy(), n_classes, True,
                desc)


def _file(spec: NetworkSpec,
          cancel: Callable[[], bool] | None = None) -> tuple[np.ndarray, np.ndarray, int, str]:
    path = spec.input_path
    if not path:
        raise DataError("input_path", "task 'file' needs a path to a labelled .csv or .npz file")
    x, y = load_table(path, cancel=cancel)
    name = Path(path).name
    if y is None:
        raise DataError("input_path", f"{path}: has no labels; training needs a 'label' or 'y' "
                                      "column (.csv) or an array 'y' (.npz)")
    bad = x.size - int(np.count_nonzero(np.isfinite(x)))
    if bad:
        raise DataError("input_path", f"{path}: contains {bad} NaN/inf cells; training needs "
                                      "finite numbers")
    n_classes = int(y.max()) + 1
    if np.unique(y).size < 2:
        raise DataError("input_path", f"{path}: all rows have the same label; training needs at "
                                      "least 2 classes")
    return x, y, n_classes, f"file {name} ({x.shape[1]} features, {n_classes} classes)"


def teacher_bytes(in_features: int, samples: int) -> int:
    """Peak bytes while the teacher task is drawn.

    The float64 inputs (samples × n_0), their train/test copies made before the inputs are
    freed, and the teacher's hidden layer (twice samples × TEACHER_WIDTH) and weights.
    Afterwards the task keeps ``itemsize·samples·n_0``.
    """
    cells = samples * in_features
    return int(8 * (2 * cells + 2 * samples * TEACHER_WIDTH + TEACHER_WIDTH * in_features))


def _teacher(spec: NetworkSpec, loss: str, holdout: float, samples: int, classes: int) -> Task:
    n0 = spec.in_features
    check_fits(teacher_bytes(n0, samples), field="samples",
               advice="lower the teacher's samples or in_features")
    rng = stream(spec.seed, STREAM_TEACHER)
    v1 = rng.standard_normal((TEACHER_WIDTH, n0)) / np.sqrt(n0)
    v2 = rng.standard_normal((classes, TEACHER_WIDTH)) / np.sqrt(TEACHER_WIDTH)
    x = rng.standard_normal((samples, n0))
    t = np.tanh(x @ v1.T) @ v2.T
    classification = loss != "mse"
    if classification:
        y = np.argmax(t, axis=1).astype(np.int64)
        what = f"{classes} classes by argmax"
    else:
        y = t / t.std()
        what = f"{classes} regression outputs, unit std"
    train, test = split_indices(samples, holdout, stream(spec.seed, STREAM_SPLIT),
                                y if classification else None)
    desc = (f"teacher MLP ({n0} → {TEACHER_WIDTH} tanh → {classes}; N(0, 1) inputs, {what}), "
            f"{train.size} training / {test.size} held-out rows")
    dt = spec.dtype
    yt, yh = (y[train], y[test]) if classification else (y[train].astype(dt), y[test].astype(dt))
    x_train, x_test = x[train], x[test]
    del x  # the full float64 draw goes before the casts: peak 2× the inputs, not 3×
    return Task(x_train.astype(dt, copy=False), yt, x_test.astype(dt, copy=False), yh, classes,
                classification, desc)


def _standardized(train: np.ndarray, test: np.ndarray,
                  on: bool) -> tuple[np.ndarray, np.ndarray]:
    """Shift and scale by the training rows' mean and std (ddof 0); constant features → 0."""
    if not on:
        return train, test
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (train - mean) / std, (test - mean) / std
