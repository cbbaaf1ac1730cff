"""``gradexplorer train``: train a network and print, every k steps, which layers learn.

Formats: ``table`` for people (rows stream as they are computed), ``json`` (strict: non-finite
numbers are null) and ``csv`` (one row per evaluation, streamed) for programs. Divergence is a
result, not an error: the verdict says at which step the loss stopped being finite (exit 0).
"""

from __future__ import annotations

import argparse
import math
import sys

from gradexplorer.cli import defaults as d
from gradexplorer.cli.parsing import (
    CliError,
    add_format_argument,
    add_network_arguments,
    spec_from_args,
)
from gradexplorer.cli.values import choice_value, clip, integer_value, number_value, shorten

#: CLI flag -> TrainConfig field.
TRAIN_FLAGS = {"steps": "steps", "lr": "lr", "optimizer": "optimizer", "momentum": "momentum",
               "batch_size": "batch_size", "eval_every": "eval_every", "holdout": "holdout",
               "samples": "samples", "classes": "classes", "loss": "loss"}
#: What the shared network flags mean for training (replaces their help and checks).
_NETWORK_CHANGES = {
    "loss": {"help": "training loss: cross_entropy or mse (default cross_entropy)",
             "type": choice_value("loss", d.TRAIN_LOSS_NAMES)},
    "batch": {"help": "training rows LSUV initializes on (default 256); see --batch-size"},
    "input": {"help": "digits, normal (= --task teacher) or a labelled .csv/.npz file"},
}


def add_parser(sub) -> None:
    """Register ``train`` on the subparsers ``sub`` (handler :func:`train_command`)."""
    t = d.TRAIN_DEFAULTS
    p = sub.add_parser("train", help="train a network and show which layers learn",
                       description="Train a deep fully connected network (plus a linear readout) "
                                   "with SGD or Adam and print, every K steps, the loss, the "
                                   "accuracies and each layer's gradient norm and "
                                   "update-to-weight ratio. Without --input or --task the task "
                                   "is the digits (n_0 = 64).")
    add_network_arguments(p, _NETWORK_CHANGES)
    g = p.add_argument_group("training")
    g.add_argument("--steps", type=integer_value("steps"),
                   help=f"optimizer steps (default {t['steps']})")
    g.add_argument("--lr", type=number_value("learning rate"),
                   help=f"learning rate (default {t['lr']:g})")
    g.add_argument("--optimizer", type=choice_value("optimizer", d.OPTIMIZER_NAMES),
                   help=f"sgd (torch.optim.SGD with momentum) or adam "
                        f"(default {t['optimizer']})")
    g.add_argument("--momentum", type=number_value("momentum"),
                   help=f"SGD momentum μ in [0, 1) (default {t['momentum']:g})")
    g.add_argument("--batch-size", type=integer_value("batch size"),
                   help=f"rows per mini-batch (default {t['batch_size']})")
    g.add_argument("--eval-every", metavar="K", type=integer_value("eval every"),
                   help=f"report every K steps (default {t['eval_every']})")
    g.add_argument("--task", metavar="digits|teacher|PATH",
                   help="digits, teacher (random teacher MLP on N(0,1) inputs of --in-features) "
                        "or a labelled .csv/.npz file (default digits)")
    g.add_argument("--holdout", type=number_value("holdout"),
                   help=f"fraction of rows held out for the test accuracy "
                        f"(default {t['holdout']:g})")
    g.add_argument("--samples", type=integer_value("samples"),
                   help=f"teacher task: rows drawn (default {t['samples']})")
    g.add_argument("--classes", type=integer_value("classes"),
                   help=f"teacher task: classes / outputs (default {t['classes']})")
    g = p.add_argument_group("output")
    add_format_argument(g, ("table", "json", "csv"))
    p.set_defaults(handler=train_command)


def resolve_task(task: str | None, source: str | None) -> tuple[str, str | None]:
    """(task name, file path or None) from ``--task`` and ``--input``; raise CliError on conflict.

    No flag: digits. ``--input digits`` → digits, ``normal``/``uniform`` → teacher, a path → file.
    """
    def parse(value: str) -> tuple[str, str | None]:
        v = value.strip().lower()
        if not v:
            raise CliError(f"--task and --input take digits, teacher, normal or a path to a "
                           f"labelled .csv/.npz file, got {clip(value)}")
        if v in ("digits", "teacher"):
            return v, None
        if v in ("normal", "uniform"):
            return "teacher", None
        return "file", value

    from_task = parse(task) if task is not None else None
    from_input = parse(source) if source is not None else None
    if from_task and from_input and from_task != from_input:
        raise CliError(f"--task {shorten(task)} and --input {shorten(source)} ask for "
                       f"different data; give one")
    return from_task or from_input or ("digits", None)


def configs_from_args(args: argparse.Namespace):
    """(NetworkSpec, TrainConfig) from the parsed flags; raise :class:`CliError` if invalid."""
    from gradexplorer.engine.model.spec import SpecError
    from gradexplorer.engine.training.trainer import TrainConfig

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


def memory_knobs(task: str) -> str:
    """The flags that shrink a training run's memory, for the task (the data set counts)."""
    data = {"teacher": "--samples, --in-features, ", "file": "the file's rows, "}.get(task, "")
    return f"{data}--width, --depth or --batch-size"


def train_command(args: argparse.Namespace) -> int:
    """Train and print each record as it comes (table, csv) or the document at the end (json)."""
    from gradexplorer.engine.model.spec import SpecError
    from gradexplorer.engine.training.trainer import train
    from gradexplorer.io.training import WRITERS

    spec, config = configs_from_args(args)
    out = sys.stdout
    writer = {"table": _Table, **WRITERS}[args.format](out)
    records = train(spec, config)
    try:
        for rec in records:
            writer.add(rec)
            out.flush()
    except SpecError as exc:  # DataError, RunTooLargeError, batch size > training rows
        message = str(exc)
        if "; lower the " in message and "memory" in message:
            message = message.split("; lower the ")[0] + f"; lower {memory_knobs(config.task)}"
        raise CliError(message) from None
    except MemoryError:
        raise CliError(f"ran out of memory; lower {memory_knobs(config.task)}") from None
    finally:
        records.close()
    return 0


def _log(v: float) -> str:
    return f"{v:.2f}" if math.isfinite(v) else ("-inf" if v < 0 else str(v))


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


class _Table:
    """The records as a text table for people, a row per evaluation as it comes."""

    def __init__(self, out):
        self.out, self.depth, self.heads = out, 0, ()

    def add(self, rec) -> None:
        """Take the next record of the stream."""
        from gradexplorer.engine.training.trainer import TrainEnd, TrainRecord, TrainStart

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
            noun = "step" if rec.steps == 1 else "steps"
            shown = f"{rate:.0f}" if rate >= 10 else f"{rate:.2g}"  # 0.061, not "0"
            w(f"({rec.steps} {noun} in {rec.seconds:.2f} s, {shown} steps/s)\n")


def _widths(widths) -> str:
    hidden = widths[1:]
    return f"{widths[0]}→" + (f"{hidden[0]}" if len(set(hidden)) == 1
                              else ",".join(map(str, hidden)))


