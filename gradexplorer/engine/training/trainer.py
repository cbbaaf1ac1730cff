"""Training mode: train the configured network on a task and stream which layers learn.

``train(spec, config)`` is a generator: it yields :class:`TrainStart`, then a :class:`TrainRecord`
every ``eval_every`` steps (and after the last step), then :class:`TrainEnd`. Stop iterating to
cancel; a suspended generator is paused, and resuming it gives bit-identical records (all state
lives in the generator, every random draw comes from its own seeded stream). Divergence (a
non-finite loss) ends the run with a verdict; it never raises.

The model is the spec's network (:func:`network.build_network`: depth, widths, activation, init,
gain, biases, dtype, seed) followed by a linear readout z = a_L Rᵀ + c, R: (C, n_L) LeCun normal
N(0, 1/n_L) from the readout stream (the same draw as ``propagate``'s cross-entropy readout), c = 0.
Norm and residual blocks (``model.blocks``): batch norm trains on the batch's statistics and
evaluates with running averages (momentum 0.1, torch ``BatchNorm1d`` train/eval); γ, β are
fixed at 1, 0 (not trained). Every weight and bias, the readout's included, is trained, with
exact gradients (:func:`backprop.loss_and_gradients`) and :mod:`optimizers` (SGD with
momentum, Adam).

:class:`TrainConfig` lives in :mod:`.config`, the records in :mod:`.records`; both are
re-exported here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

import numpy as np

from gradexplorer.engine.compute.blas import with_thread_policy
from gradexplorer.engine.compute.cancel import CancelCheck
from gradexplorer.engine.compute.memory import check_fits, estimate_bytes
from gradexplorer.engine.data.tasks import make_task
from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.model.blocks import Architecture
from gradexplorer.engine.model.initializers import init_weight
from gradexplorer.engine.model.network import STREAM_READOUT, DenseLayer, stream
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.prepare import prepare
from gradexplorer.engine.training.backprop import evaluate, loss_and_gradients
from gradexplorer.engine.training.config import (
    OPTIMIZER_NAMES,
    TASK_NAMES,
    TRAIN_LOSS_NAMES,
    TrainConfig,
)
from gradexplorer.engine.training.optimizers import make_optimizer
from gradexplorer.engine.training.records import TrainEnd, TrainRecord, TrainStart

__all__ = ["OPTIMIZER_NAMES", "STALLED_LOG10_RATIO", "STREAM_BATCHES", "TASK_NAMES",
           "TRAIN_LOSS_NAMES", "TrainConfig", "TrainEnd", "TrainRecord", "TrainStart",
           "loss_and_gradients", "train"]

#: Random-stream purpose of the mini-batch order (tasks.py uses 16 and 17).
STREAM_BATCHES = 18
#: Rows of the evaluation batch when nothing is held out (taken from the training rows).
EVAL_ROWS_WITHOUT_HOLDOUT = 512
#: A layer "hardly learns" when log10(std ΔW / std W) per step is below this (healthy ≈ −3).
STALLED_LOG10_RATIO = -5.0


def train(spec: NetworkSpec, config: TrainConfig, cancel: Callable[[], bool] | None = None
          ) -> Iterator[TrainStart | TrainRecord | TrainEnd]:
    """Train ``spec``'s network on ``config.task`` and yield its records (see module docstring).

    Mini-batches of ``config.batch_size`` rows are consecutive slices of a stream of random
    permutations of the training rows (an epoch boundary may fall inside a batch), drawn from
    ``stream(seed, STREAM_BATCHES)``. ``spec.batch`` rows of the training set are the batch LSUV
    initializes on; the loss and the batch size of training come from ``config``. The data
    come from ``config.task``, not ``spec.input``: ``file`` reads ``spec.input_path``, ``teacher``
    draws ``spec.in_features`` inputs, digits/file honour ``spec.standardize``. ``cancel``
    (optional) is polled about every 50 ms: while the data are read, inside LSUV and between
    training steps (also between two reports), so a cancel takes effect within a step.

    Raises (on the first ``next()``)
    ------
    DataError : the task's data cannot be made (see :func:`tasks.make_task`).
    SpecError : ``batch_size`` exceeds the training rows, or is 1 with batch norm
        (``field="batch_size"``).
    RunTooLargeError : the memory estimate exceeds what is available.
    Cancelled : see ``cancel`` (:mod:`gradexplorer.engine.compute.cancel`).
    """
    records = _train(spec, config, cancel)
    start = next(records)
    assert isinstance(start, TrainStart)
    yield start
    yield from with_thread_policy(records, max(config.batch_size, start.n_eval),
                                  (*start.widths, start.n_outputs))


def _train(spec: NetworkSpec, config: TrainConfig, cancel: Callable[[], bool] | None = None
           ) -> Iterator[TrainStart | TrainRecord | TrainEnd]:
    """The body of :func:`train` (which adds the BLAS thread policy around it)."""
    t0 = time.perf_counter()
    check = CancelCheck(cancel)
    if spec.norm == "batch" and config.batch_size < 2:  # torch refuses too (one value per channel)
        raise SpecError("batch_size", "batch norm needs mini-batches of at least 2 rows (it "
                                      "normalizes every unit over the mini-batch), got "
                                      f"{config.batch_size}")
    if config.task == "teacher":  # refuse before drawing: the data set can be gigabytes
        _check_training_fits(spec, config, spec.layer_widths(spec.in_features),
                             _teacher_eval_rows(config), config.samples * spec.in_features,
                             config.classes)
    task = make_task(spec, config.task, config.loss, config.holdout, samples=config.samples,
                     classes=config.classes, cancel=cancel)
    n_train = task.x_train.shape[0]
    if config.batch_size > n_train:
        raise SpecError("batch_size", f"batch size {config.batch_size} is larger than the "
                                      f"{n_train} training rows; use at most {n_train}")
    if task.x_test.shape[0]:
        x_eval, y_eval = task.x_test, task.y_test
    else:
        x_eval, y_eval = (task.x_train[:EVAL_ROWS_WITHOUT_HOLDOUT],
                          task.y_train[:EVAL_ROWS_WITHOUT_HOLDOUT])

    def memory(widths: tuple[int, ...]) -> int:
        return _check_training_fits(spec, config, widths, x_eval.shape[0],
                                    task.x_train.size + task.x_test.size, task.n_outputs)

    prep = prepare(spec, x=task.x_train[:spec.batch], memory=memory, cancel=cancel)
    activation, widths, net = prep.activation, prep.widths, prep.net
    n_params = _n_parameters((*widths, task.n_outputs))
    r = init_weight("lecun_normal", task.n_outputs, widths[-1],
                    rng=stream(spec.seed, STREAM_READOUT))
    layers = [*net.layers, DenseLayer(r.astype(spec.dtype), np.zeros(task.n_outputs, spec.dtype))]
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    arch = Architecture.from_spec(spec, widths)
    opt = make_optimizer(config.optimizer, params, config.lr, config.momentum, config.beta1,
                         config.beta2, config.eps)
    yield TrainStart(config=config.to_dict(), network=spec.to_dict(), widths=widths,
                     n_outputs=task.n_outputs, classification=task.classification,
                     task=task.description, n_train=n_train, n_test=int(task.x_test.shape[0]),
                     n_eval=int(x_eval.shape[0]), n_parameters=n_params)

    rng = stream(spec.seed, STREAM_BATCHES)
    order = np.zeros(0, np.int64)
    loss_sum, correct, count, end = 0.0, 0, 0, None
    ratio_sum, n_records = np.zeros(len(widths) - 1), 0
    frozen = np.ones(len(widths) - 1, dtype=bool)  # exactly zero update at every record
    for step in range(1, config.steps + 1):
        check()
        if order.size < config.batch_size:
            order = np.concatenate([order, rng.permutation(n_train)])
        idx, order = order[:config.batch_size], order[config.batch_size:]
        record = None
        with np.errstate(all="ignore"):  # never held across a yield: errstate is context-local
            loss, hits, grads = loss_and_gradients(layers, activation, task.x_train[idx],
                                                   task.y_train[idx], config.loss,
                                                   task.classification, arch, check)
            if not math.isfinite(loss):
                what = "NaN" if math.isnan(loss) else "infinite"
                end = TrainEnd(verdict=f"diverged at step {step}: loss became {what}",
                               diverged=True, steps=step - 1, seconds=time.perf_counter() - t0)
                break
            deltas = opt.step(grads)
            loss_sum, count = loss_sum + loss, count + 1
            correct += hits or 0
            if step % config.eval_every == 0 or step == config.steps:
                acc = correct / (count * config.batch_size) if task.classification else None
                record = _record(step, layers, activation, grads, deltas, x_eval, y_eval,
                                 config.loss, task.classification, loss_sum / count, acc,
                                 held_out=task.x_test.shape[0] > 0, arch=arch)
                loss_sum, correct, count = 0.0, 0, 0
        if record is not None:
            ratio_sum += record.log10_update_ratio
            frozen &= np.isneginf(record.log10_update_ratio)
            n_records += 1
            yield record
    if end is None:
        stalled = _stalled(ratio_sum / n_records)
        dead = tuple(int(i) + 1 for i in np.flatnonzero(frozen))
        end = TrainEnd(verdict="completed", diverged=False, steps=config.steps,
                       seconds=time.perf_counter() - t0, stalled_layers=stalled,
                       summary=_summary(stalled, len(widths) - 1, config.optimizer, dead),
                       frozen_layers=dead)
    yield end


def _n_parameters(all_widths: tuple[int, ...]) -> int:
    """Weights and biases of every layer of (n_0, ..., n_L, C)."""
    return sum(all_widths[i] * all_widths[i - 1] + all_widths[i]
               for i in range(1, len(all_widths)))


def training_bytes(spec: NetworkSpec, config: TrainConfig, widths: tuple[int, ...],
                   n_outputs: int, eval_rows: int, data_cells: int) -> int:
    """Peak bytes of training.

    The propagation estimate at max(batch_size, eval rows) for the layers plus the read-out,
    the optimizer's state (3 per parameter), and the data set the task keeps (``data_cells`` =
    train + test inputs, in the spec's dtype, plus 8 bytes per row of labels/targets ×C).
    :func:`~gradexplorer.engine.compute.memory.estimate_bytes` documents the rest.
    """
    all_widths = (*widths, n_outputs)
    itemsize = np.dtype(spec.dtype).itemsize
    rows = data_cells // max(1, widths[0])
    return int(estimate_bytes(all_widths, max(config.batch_size, eval_rows), itemsize,
                              lsuv=spec.init == "lsuv", norm=spec.norm != "none",
                              residual=spec.residual)
               + 3 * _n_parameters(all_widths) * itemsize + data_cells * itemsize
               + 8 * rows * n_outputs)


def _teacher_eval_rows(config: TrainConfig) -> int:
    """Held-out rows of a teacher task (upper bound), or the rows evaluated without a holdout."""
    if config.holdout > 0:
        return min(config.samples, math.ceil(config.holdout * config.samples) + config.classes)
    return min(config.samples, EVAL_ROWS_WITHOUT_HOLDOUT)


def _check_training_fits(spec: NetworkSpec, config: TrainConfig, widths: tuple[int, ...],
                         eval_rows: int, data_cells: int, n_out: int) -> int:
    """:func:`training_bytes`, checked against the memory available (``RunTooLargeError``)."""
    teacher = config.task == "teacher"
    nbytes = training_bytes(spec, config, widths, n_out, eval_rows, data_cells)
    check_fits(nbytes, advice="lower the samples, in_features, depth, width or batch size"
               if teacher else "lower the depth, width or batch size",
               field="samples" if teacher else "batch_size")
    return nbytes


def _stalled(mean_log10_ratio: np.ndarray) -> tuple[int, ...]:
    """Layers (1-based) whose log10 update ratio, averaged over the records, is below the mark."""
    return tuple(int(i) + 1 for i in np.flatnonzero(~(mean_log10_ratio >= STALLED_LOG10_RATIO)))


def _ranges(layers: tuple[int, ...]) -> str:
    """"1–12 and 15" for (1, ..., 12, 15)."""
    runs: list[str] = []
    start: int | None = layers[0]
    for prev, cur in zip(layers, (*layers[1:], None), strict=True):
        if cur != prev + 1:
            runs.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = cur
    return runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]


def _summary(stalled: tuple[int, ...], depth: int, optimizer: str,
             frozen: tuple[int, ...] = ()) -> str:
    """One line: which layers hardly learn, as ranges ("layers 1–12 and 15 of 20 ...").

    ``frozen`` layers (exactly zero updates at every record) are named apart: "do not learn at
    all", not "below 10^-5".
    """
    if not stalled:
        return (f"every layer learns: update/weight ratio at least 10^{STALLED_LOG10_RATIO:g} "
                "per step (geometric mean over the records)")
    parts = []
    if frozen:
        parts.append(f"layer{'s' if len(frozen) > 1 else ''} {_ranges(frozen)} of {depth} "
                     f"do{'' if len(frozen) > 1 else 'es'} not learn at all: every update was "
                     "exactly zero")
        stalled = tuple(layer for layer in stalled if layer not in frozen)
        if not stalled:
            return parts[0]
    which = _ranges(stalled)
    plural = len(stalled) > 1
    text = (f"layer{'s' if plural else ''} {which} of {depth} hardly learn{'' if plural else 's'}: "
            f"update/weight ratio below 10^{STALLED_LOG10_RATIO:g} per step (geometric mean over "
            "the records; healthy ≈ 10^-3)")
    text += " despite Adam's per-weight rescaling" if optimizer == "adam" else ""
    return "; ".join([*parts, text])


def _record(step: int, layers: list[DenseLayer], activation: Activation, grads: list[np.ndarray],
            deltas: list[np.ndarray], x_eval: np.ndarray, y_eval: np.ndarray, loss: str,
            classification: bool, train_loss: float, train_acc: float | None,
            held_out: bool, arch: Architecture | None = None) -> TrainRecord:
    n = len(layers)
    gnorm = np.array([np.linalg.norm(grads[2 * i]) for i in range(n)], dtype=np.float64)
    ratio = np.array([_update_ratio(deltas[2 * i], layers[i].weight) for i in range(n)])
    with np.errstate(divide="ignore"):
        log_g, log_r = np.log10(gnorm), np.log10(ratio)
    test_loss, test_acc, act_std, sat = evaluate(layers, activation, x_eval, y_eval, loss,
                                                 classification, arch)
    return TrainRecord(
        step=step, train_loss=float(train_loss), train_accuracy=train_acc,
        test_loss=test_loss if held_out else None, test_accuracy=test_acc if held_out else None,
        log10_grad_norm=log_g[:-1].copy(), log10_update_ratio=log_r[:-1].copy(),
        act_std=act_std, saturated_fraction=sat,
        readout_log10_grad_norm=float(log_g[-1]), readout_log10_update_ratio=float(log_r[-1]))


def _update_ratio(delta: np.ndarray, weight: np.ndarray) -> float:
    """std(ΔW) / std(W); 0 for an exactly zero update (also when W = 0), inf for W = 0 only."""
    d = float(delta.std(dtype=np.float64))
    w = float(weight.std(dtype=np.float64))
    if d == 0:
        return 0.0
    return d / w if w > 0 else math.inf
