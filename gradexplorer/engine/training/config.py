"""How to train: :class:`TrainConfig` (optimizer, schedule, task, loss), validated on creation.

Re-exported by :mod:`gradexplorer.engine.training.trainer`, which runs it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradexplorer.engine.model.spec import MAX_BATCH, MAX_WIDTH, SpecError

__all__ = ["MAX_STEPS", "OPTIMIZER_NAMES", "TASK_NAMES", "TRAIN_LOSS_NAMES", "TrainConfig"]

OPTIMIZER_NAMES = ("sgd", "adam")
TASK_NAMES = ("digits", "file", "teacher")
TRAIN_LOSS_NAMES = ("cross_entropy", "mse")
MAX_STEPS = 10_000_000


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimizer, schedule, task and loss. Validated on creation (SpecError).

    Fields
    ------
    steps : optimizer steps (1..10⁷).
    lr : learning rate (> 0).
    optimizer : ``sgd`` (torch.optim.SGD with momentum) or ``adam`` (Kingma & Ba 2015).
    momentum : μ of SGD, in [0, 1); ignored by Adam.
    batch_size : rows per mini-batch.
    eval_every : k: a :class:`TrainRecord` every k steps (and after the last step).
    task : ``digits``, ``file`` (the spec's ``input_path``, labelled) or ``teacher``.
    loss : ``cross_entropy`` or ``mse``.
    holdout : fraction of rows held out for the test accuracy, in [0, 1).
    beta1, beta2, eps : Adam's β1, β2 in [0, 1) and ε > 0.
    samples, classes : teacher task only: rows drawn (≥ 2) and classes/outputs C (≥ 2).
    """

    steps: int = 500
    lr: float = 0.01
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int = 64
    eval_every: int = 25
    task: str = "digits"
    loss: str = "cross_entropy"
    holdout: float = 0.2
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    samples: int = 2048
    classes: int = 10

    def __post_init__(self) -> None:
        for name, lo, hi in (("steps", 1, MAX_STEPS), ("batch_size", 1, MAX_BATCH),
                             ("eval_every", 1, MAX_STEPS), ("samples", 2, 10_000_000),
                             ("classes", 2, MAX_WIDTH)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise SpecError(name, f"{_label(name)} must be a whole number from {lo} to {hi}, "
                                      f"got {v!r}")
        for name, allowed in (("optimizer", OPTIMIZER_NAMES), ("task", TASK_NAMES),
                              ("loss", TRAIN_LOSS_NAMES)):
            if getattr(self, name) not in allowed:
                raise SpecError(name, f"unknown {name} {getattr(self, name)!r} "
                                      f"(choose from: {', '.join(allowed)})")
        for name, low, high, text in (("lr", 0.0, math.inf, "> 0"),
                                   ("eps", 0.0, math.inf, "> 0"),
                                   ("momentum", None, 1.0, "in [0, 1)"),
                                   ("beta1", None, 1.0, "in [0, 1)"),
                                   ("beta2", None, 1.0, "in [0, 1)"),
                                   ("holdout", None, 1.0, "in [0, 1)")):
            v = getattr(self, name)
            ok = (not isinstance(v, bool) and isinstance(v, (int, float, np.floating))
                  and math.isfinite(v) and (v > low if low is not None else v >= 0) and v < high)
            if not ok:
                raise SpecError(name, f"{_label(name)} must be a finite number {text}, got {v!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from a dict (values may be strings, as typed); unknown keys raise SpecError."""
        fields = {f.name: f.type for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise SpecError(unknown[0], f"unknown training setting '{unknown[0]}' "
                                        f"(known: {', '.join(fields)})")
        kwargs = {}
        for name, value in data.items():
            kind = fields[name]
            if isinstance(value, str) and kind in ("int", "float"):
                try:
                    value = int(value.strip()) if kind == "int" else float(value)
                except ValueError:
                    noun = "a whole number" if kind == "int" else "a number"
                    raise SpecError(name, f"{_label(name)} must be {noun}, "
                                          f"got {value!r}") from None
            elif isinstance(value, str):
                value = value.strip().lower()
            elif kind == "float" and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            kwargs[name] = value
        return cls(**kwargs)


def _label(name: str) -> str:
    return {"lr": "learning rate", "eps": "Adam's eps"}.get(name, name.replace("_", " "))
