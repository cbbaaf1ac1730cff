"""``gradexplorer train``: train a network and print, every k steps, which layers learn.

Formats: ``table`` for people (rows stream as they are computed), ``json`` (strict: non-finite
numbers are null) and ``csv`` (one row per evaluation, streamed) for programs. Divergence is a
result, not an error: the verdict says at which step the loss stopped being finite (exit 0).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys

from gradexplorer.cli.main import CliError
from gradexplorer.cli.run import add_network_arguments, spec_from_args
from gradexplorer.engine.model.spec import SpecError
from gradexplorer.engine.training.trainer import (
    TrainConfig,
    TrainEnd,
    TrainRecord,
    TrainStart,
    train,
)

#: CLI flag -> TrainConfig field.
TRAIN_FLAGS = {"steps": "steps", "lr": "lr", "optimizer": "optimizer", "momentum": "momentum",
               "batch_size": "batch_size", "eval_every": "eval_every", "holdout": "holdout",
               "samples": "samples", "classes": "classes", "loss": "loss"}
ARRAY_FIELDS = ("log10_grad_norm", "log10_update_ratio", "act_std", "saturated_fraction")
SCALAR_FIELDS = ("step", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                 "readout_log10_grad_norm", "readout_log10_update_ratio")


def add_train_parser(sub) -> None:
    """Register ``train`` on the subparsers ``sub`` (handler :func:`train_command`)."""
    d = TrainConfig()
    p = sub.add_parser("train", help="train a network and show which layers learn",
                       description="Train a deep fully connected network (plus a linear readout) "
                                   "with SGD or Adam and print, every K steps, the loss, the "
                                   "accuracies and each layer's gradient norm and "
                                   "update-to-weight ratio. Without --input or --task the task "
                                   "is the digits (n_0 = 64).")
    add_network_arguments(p)
    for action in p._actions:  # the shared flags mean something slightly different here
        if action.dest == "loss":
            action.help = "training loss: cross_entropy or mse (default cross_entropy)"
        elif action.dest == "batch":
            action.help = "training rows LSUV initializes on (default 256); see --batch-size"
        elif action.dest == "input":
            action.help = "digits, normal (= --task teacher) or a labelled .csv/.npz file"
    g = p.add_argument_group("training")
    g.add_argument("--steps", help=f"optimizer steps (default {d.steps})")
    g.add_argument("--lr", help=f"learning rate (default {d.lr:g})")
    g.add_argument("--optimizer", help="sgd (torch.optim.SGD with momentum) or adam "
                                       f"(default {d.optimizer})")
    g.add_argument("--momentum", help=f"SGD momentum μ in [0, 1) (default {d.momentum:g})")
    g.add_argument("--batch-size", help=f"rows per mini-batch (default {d.batch_size})")
    g.add_argument("--eval-every", metavar="K", help=f"report every K steps (default "
                                                     f"{d.eval_every})")
    g.add_argument("--task", metavar="digits|teacher|PATH",
                   help="digits, teacher (random teacher MLP on N(0,1) inputs of --in-features) "
                        "or a labelled .csv/.npz file (default digits)")
    g.add_argument("--holdout", help=f"fraction of rows held out for the test accuracy "
                                     f"(default {d.holdout:g})")
    g.add_argument("--samples", help=f"teacher task: rows drawn (default {d.samples})")
    g.add_argument("--classes", help=f"teacher task: classes / outputs (default {d.classes})")
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=train_command)


def resolve_task(task: str | None, source: str | None) -> tuple[str, str | None]:
    """(task name, file path or None) from ``--task`` and ``--input``; raise CliError on conflict.

    No flag: digits. ``--input digits`` → digits, ``normal``/``uniform`` → teacher, a path → file.
    """
    def parse(value: str) -> tuple[str, str | None]:
        v = value.strip().lower()
        if not v:
            raise CliError(f"--task and --input take digits, teacher, normal or a path to a "
                           f"labelled .csv/.npz file, got {value!r}")
        if v in ("digits", "teacher"):
            return v, None
        if v in ("normal", "uniform"):
            return "teacher", None
        return "file", value

    from_task = parse(task) if task is not None else None
    from_input = parse(source) if source is not None else None
    if from_task and from_input and from_task != from_input:
        raise CliError(f"--task {task} and --input {source} ask for different data; give one")
    return from_task or from_input or ("digits", None)


def configs_from_args(args: argparse.Namespace):
    """(NetworkSpec, TrainConfig) from the parsed flags; raise :class:`CliError` if invalid."""
    task, path = resolve_task(args.task, args.input)
    ns = argparse.Namespace(**vars(args))
    ns.loss = None  # the training loss belongs to TrainConfig
    ns.input = {"digits": "digits", "teacher": "normal"}.get(task, path)
    spec = spec_from_args(ns)
    values = {field: getattr(args, flag) for flag, field in TRAIN_FLAGS.items()
              if getattr(args, flag, None) is not None}
    values["task"] = task
    try:
        return spec, TrainConfig.from_dict(values)
    except SpecError as exc:
        raise CliError(str(exc)) from None


def train_command(args: argparse.Namespace) -> int:
    spec, config = configs_from_args(args)
    out = sys.stdout
    writer = {"table": _Table, "json": _Json, "csv": _Csv}[args.format](out)
    records = train(spec, config)
    try:
        for rec in records:
            writer.add(rec)
            out.flush()
    except SpecError as exc:  # DataError, RunTooLargeError, batch size > training rows
        raise CliError(str(exc)) from None
    except MemoryError:
        raise CliError("ran out of memory; lower the depth, width or batch size") from None
    finally:
        records.close()
    return 0


def _num(v) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def record_dict(rec: TrainRecord) -> dict:
    """A record as a JSON-ready dict (arrays as lists; non-finite numbers as None)."""
    d = {k: _num(getattr(rec, k)) for k in SCALAR_FIELDS}
    d["step"] = rec.step
    for k in ARRAY_FIELDS:
        d[k] = [_num(v) for v in getattr(rec, k)]
    return d


class _Json:
    def __init__(self, out):
        self.out, self.doc = out, {"format": "gradexplorer-train", "version": 1}

    def add(self, rec) -> None:
        if isinstance(rec, TrainStart):
            self.doc.update(config=rec.config, network=rec.network, task=rec.task,
                            widths=list(rec.widths), n_outputs=rec.n_outputs,
                            classification=rec.classification, n_train=rec.n_train,
                            n_test=rec.n_test, n_parameters=rec.n_parameters, records=[])
        elif isinstance(rec, TrainRecord):
            self.doc["records"].append(record_dict(rec))
        elif isinstance(rec, TrainEnd):
            self.doc["verdict"] = {"text": rec.verdict, "diverged": rec.diverged,
                                   "steps": rec.steps, "stalled_layers": list(rec.stalled_layers),
                                   "frozen_layers": list(rec.frozen_layers),
                                   "summary": rec.summary}
            self.doc["seconds"] = rec.seconds
            self.out.write(json.dumps(self.doc, indent=1, allow_nan=False) + "\n")


class _Csv:
    def __init__(self, out):
        self.out, self.writer = out, None

    def add(self, rec) -> None:
        if isinstance(rec, TrainStart):
            depth = len(rec.widths) - 1
            fields = list(SCALAR_FIELDS) + [f"{k}_{i}" for k in ARRAY_FIELDS
                                            for i in range(1, depth + 1)]
            self.writer = csv.writer(self.out, lineterminator="\n")
            self.writer.writerow(fields)
        elif isinstance(rec, TrainRecord):
            row = [getattr(rec, k) for k in SCALAR_FIELDS]
            for k in ARRAY_FIELDS:
                row.extend(getattr(rec, k).tolist())
            self.writer.writerow(["" if v is None else v for v in row])


def _log(v: float) -> str:
    return f"{v:.2f}" if math.isfinite(v) else ("-inf" if v < 0 else str(v))


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


class _Table:
    def __init__(self, out):
        self.out, self.depth, self.heads = out, 0, ()

    def add(self, rec) -> None:
        w = self.out.write
        if isinstance(rec, TrainStart):
            c, n = rec.config, rec.network
            self.depth = len(rec.widths) - 1
            opt = c["optimizer"] + (f" (momentum {c['momentum']:g})" if c["optimizer"] == "sgd"
                                    else "")
            w(f"# {self.depth} layers, widths {_widths(rec.widths)} → {rec.n_outputs} readout, "
              f"{n['activation']}, init {n['init']} × gain {n['gain']:g}, {n['dtype']}\n"
              f"# {rec.task}\n# {opt}, lr {c['lr']:g}, batch {c['batch_size']}, "
              f"{c['steps']} steps, loss {c['loss']}\n")
            self.heads = ("log10|dL/dW1|", f"log10|dL/dW{self.depth}|", "log10 upd/W1",
                          f"log10 upd/W{self.depth}")
            w(f"{'step':>7} {'loss':>8} {'train acc':>9} {'test acc':>8} "
              + " ".join(self.heads) + "\n")
        elif isinstance(rec, TrainRecord):
            g, r = rec.log10_grad_norm, rec.log10_update_ratio
            w(f"{rec.step:>7} {rec.train_loss:>8.4f} {_pct(rec.train_accuracy):>9} "
              f"{_pct(rec.test_accuracy):>8} "
              + " ".join(_log(v).rjust(len(h)) for v, h in zip((g[0], g[-1], r[0], r[-1]),
                                                                self.heads, strict=True)) + "\n")
        elif isinstance(rec, TrainEnd):
            w(f"verdict: {rec.verdict}\n")
            if rec.summary:
                w(f"{rec.summary}\n")
            rate = rec.steps / rec.seconds if rec.seconds > 0 else float("inf")
            w(f"({rec.steps} steps in {rec.seconds:.2f} s, {rate:.0f} steps/s)\n")


def _widths(widths) -> str:
    hidden = widths[1:]
    return f"{widths[0]}→" + (f"{hidden[0]}" if len(set(hidden)) == 1
                              else ",".join(map(str, hidden)))


