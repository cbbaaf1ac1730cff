"""The parser every subcommand shares: one-line errors, checked values, the network options.

- :class:`Parser`: argparse with ``gradexplorer <command>: <message>`` errors (long values cut)
  and exit status 2.
- :class:`CliError`: a user error raised by a command; ``main`` prints it as one line, exit 2.
- :data:`NETWORK_OPTIONS`: every flag that sets a :class:`~gradexplorer.engine.model.spec.
  NetworkSpec` field, in ONE table. A new common network option (``--norm``, ``--residual``) is
  one row here: ``run``, ``train``, ``render`` and ``jacobian`` all get it.
- :func:`spec_from_args`: the validated spec from parsed flags.

Importing this module imports no NumPy and no engine (``--help`` stays fast); the engine is
imported by :func:`spec_from_args` when a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from gradexplorer.cli import defaults as d
from gradexplorer.cli.values import (
    choice_value,
    clip,
    clip_message,
    integer_value,
    number_value,
    widths_value,
)


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``gradexplorer run: <message>``) and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: {clip_message(message)}\n")

    def print_help(self, file=None) -> None:
        """Write the help; unlike argparse, a failed write (full disk) raises OSError."""
        (file or sys.stdout).write(self.format_help())


class VersionAction(argparse.Action):
    """``--version``: print ``version`` to stdout and exit 0; a failed write raises OSError
    (argparse's own version action drops write errors silently)."""

    def __init__(self, option_strings, version: str, dest=argparse.SUPPRESS,
                 default=argparse.SUPPRESS, help="show the version and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)
        self.version = version

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"{self.version}\n")
        parser.exit()


@dataclass(frozen=True)
class Option:
    """One network flag: its group, flag, spec field, value check and help."""

    group: str
    flag: str
    field: str
    type: Any
    help: str
    extra: dict = field(default_factory=dict)


_S = d.SPEC_DEFAULTS
#: Every flag that sets a NetworkSpec field, in --help order. Add a common option here.
NETWORK_OPTIONS: tuple[Option, ...] = (
    Option("network", "--depth", "depth", integer_value("depth"),
           f"number of layers L, 1-{d.MAX_DEPTH} (default {_S['depth']})"),
    Option("network", "--width", "width", integer_value("width"),
           f"units per layer (default {_S['width']})"),
    Option("network", "--widths", "widths", widths_value,
           "explicit widths n_1..n_L, comma-separated (overrides --width)"),
    Option("network", "--in-features", "in_features", integer_value("in features"),
           f"input features n_0 for normal/uniform inputs (default {_S['in_features']})"),
    Option("network", "--activation", "activation",
           choice_value("activation", d.ACTIVATION_NAMES),
           f"one of {', '.join(d.ACTIVATION_NAMES)} (default {_S['activation']})"),
    Option("network", "--negative-slope", "negative_slope", number_value("negative slope"),
           "leaky_relu slope for h < 0 (default 0.01)"),
    Option("network", "--init", "init", choice_value("init", d.INIT_NAMES),
           f"weight initializer: {', '.join(d.INIT_NAMES)} (default {_S['init']})"),
    Option("network", "--gain", "gain", number_value("gain"),
           "multiplies the initializer's std (1 = its definition); kaiming_* already hold "
           "ReLU's √2, so tanh + kaiming_normal --gain 1.6667 is σ_w² = 50/9, not torch's "
           "kaiming_normal_(nonlinearity='tanh') 25/9"),
    Option("network", "--mode", "mode", choice_value("mode", d.MODE_NAMES),
           "fan_in or fan_out, for kaiming_* (default fan_in)"),
    Option("network", "--bias-init", "bias_init", choice_value("bias init", d.BIAS_INIT_NAMES),
           "zeros or normal (default zeros)"),
    Option("network", "--bias-std", "bias_std", number_value("bias std"),
           "std σ_b of normal biases (default 0)"),
    Option("network", "--norm", "norm", choice_value("norm", d.NORM_NAMES),
           "normalize h before φ: none, batch (BatchNorm1d, training mode) or layer "
           "(F.layer_norm) (default none)"),
    Option("network", "--residual", "residual", None,
           "residual blocks a_l = a_{l-1} + α·φ(z_l) where fan_in = fan_out (default off)",
           {"action": argparse.BooleanOptionalAction, "default": None}),
    Option("network", "--residual-scale", "residual_scale", number_value("residual scale"),
           "branch scale α ≥ 0 of residual blocks (default 1; 0 = ReZero)",
           {"metavar": "ALPHA"}),
    Option("data and loss", "--input", "input", None,
           "normal, uniform, digits, or a path to a .npy/.npz/.csv file (default normal)"),
    Option("data and loss", "--input-mean", "input_mean", number_value("input mean"),
           "mean of normal/uniform inputs (default 0)"),
    Option("data and loss", "--input-std", "input_std", number_value("input std"),
           "std of normal/uniform inputs (default 1)"),
    Option("data and loss", "--standardize", "standardize", None,
           "standardize digits/file features to mean 0, std 1 (default on)",
           {"action": argparse.BooleanOptionalAction, "default": None}),
    Option("data and loss", "--batch", "batch", integer_value("batch"),
           f"input rows B (default {_S['batch']})"),
    Option("data and loss", "--loss", "loss", choice_value("loss", d.LOSS_NAMES),
           "random, mse or cross_entropy (default random)"),
    Option("data and loss", "--seed", "seed", integer_value("seed"),
           "seed of every random draw (default 0)"),
    Option("data and loss", "--dtype", "dtype", choice_value("dtype", d.DTYPE_NAMES),
           "float32 or float64 (default float64)"),
)
#: argparse dest -> spec field of every network flag (``--input`` is handled apart).
NETWORK_FLAGS = {o.flag[2:].replace("-", "_"): o.field for o in NETWORK_OPTIONS
                 if o.field != "input"}
INT_FIELDS = frozenset({"depth", "width", "in_features", "batch", "seed"})
FLOAT_FIELDS = frozenset({"negative_slope", "gain", "bias_std", "input_mean", "input_std",
                          "residual_scale"})


def add_network_arguments(p: argparse.ArgumentParser,
                          changes: dict[str, dict] | None = None) -> None:
    """Add every :data:`NETWORK_OPTIONS` flag to ``p``.

    ``changes`` maps a field to argparse keywords that replace the row's (e.g. ``train`` gives
    ``--loss`` its own help and choices): no argparse internals are touched afterwards.
    """
    changes = changes or {}
    groups: dict[str, Any] = {}
    for o in NETWORK_OPTIONS:
        group = groups.get(o.group) or groups.setdefault(o.group, p.add_argument_group(o.group))
        kwargs = {"help": o.help, **({"type": o.type} if o.type else {}), **o.extra}
        kwargs.update(changes.get(o.field, {}))
        group.add_argument(o.flag, **kwargs)


def add_format_argument(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """``--format`` with the given choices (first = default), in an "output" group."""
    p.add_argument("--format", choices=formats, default=formats[0],
                   help=f"{', '.join(formats[:-1])} or {formats[-1]} (default {formats[0]})")


def spec_from_args(args: argparse.Namespace):
    """Build and validate the NetworkSpec from parsed flags; raise :class:`CliError` if invalid."""
    from gradexplorer.engine.model import spec as specmod
    from gradexplorer.engine.model.spec import NetworkSpec, SpecError

    values = {}
    for flag, name in NETWORK_FLAGS.items():
        v = getattr(args, flag, None)
        if v is not None:
            values[name] = v
    source = getattr(args, "input", None)
    if source is not None:
        if not source.strip():
            raise CliError(f"--input must be normal, uniform, digits or a path to a "
                           f".npy/.npz/.csv file, got {clip(source)}")
        source = os.path.expanduser(source)  # --input=~/data.csv: no shell expands that ~
        if source.strip().lower() in specmod.INPUT_NAMES and source.strip().lower() != "file":
            values["input"] = source
        else:
            values["input"], values["input_path"] = "file", source
    if ("residual_scale" in values and not values.get("residual")
            and getattr(args, "preset", None) is None):
        raise CliError("--residual-scale sets α of residual blocks; add --residual")
    if "widths" in values and "depth" not in values:
        try:
            values["depth"] = len(specmod.parse_widths(values["widths"]) or ()) or NetworkSpec.depth
        except SpecError as exc:
            raise CliError(str(exc)) from None
        if values["depth"] > specmod.MAX_DEPTH:
            raise CliError(f"--widths lists {values['depth']} layers; at most "
                           f"{specmod.MAX_DEPTH} are allowed")
    try:
        return NetworkSpec.from_dict(values)
    except SpecError as exc:
        raise CliError(str(exc)) from None
