"""``gradexplorer run``: propagate one network and print layer-wise statistics.

Formats: ``table`` for people, ``json`` (strict: non-finite numbers are null) and ``csv`` for
programs. ``--save FILE.npz`` writes the arrays needed to re-check the run in PyTorch.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys

import numpy as np

from gradexplorer.cli.main import CliError
from gradexplorer.engine.model import spec as specmod
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import LAYER_FIELDS, RunResult, collect
from gradexplorer.engine.runs.verdict import gradient_verdict

#: CLI flag -> spec field, for the network flags shared by run, train and render.
NETWORK_FLAGS = {
    "depth": "depth", "width": "width", "widths": "widths", "in_features": "in_features",
    "activation": "activation", "negative_slope": "negative_slope", "init": "init",
    "gain": "gain", "mode": "mode", "bias_init": "bias_init", "bias_std": "bias_std",
    "input_mean": "input_mean", "input_std": "input_std", "standardize": "standardize",
    "batch": "batch", "loss": "loss", "seed": "seed", "dtype": "dtype",
    "norm": "norm", "residual": "residual", "residual_scale": "residual_scale",
}


def add_network_arguments(p: argparse.ArgumentParser) -> None:
    """The flags that set a :class:`NetworkSpec` (values are validated by the spec itself)."""
    d = NetworkSpec()
    g = p.add_argument_group("network")
    g.add_argument("--depth", help=f"number of layers L, 1-{specmod.MAX_DEPTH} (default {d.depth})")
    g.add_argument("--width", help=f"units per layer (default {d.width})")
    g.add_argument("--widths", help="explicit widths n_1..n_L, comma-separated (overrides --width)")
    g.add_argument("--in-features", help=f"input features n_0 for normal/uniform inputs "
                                         f"(default {d.in_features})")
    g.add_argument("--activation", help=f"one of {', '.join(specmod.ACTIVATION_NAMES)} "
                                        f"(default {d.activation})")
    g.add_argument("--negative-slope", help="leaky_relu slope for h < 0 (default 0.01)")
    g.add_argument("--init", help=f"weight initializer: {', '.join(specmod.INIT_NAMES)} "
                                  f"(default {d.init})")
    g.add_argument("--gain", help="multiplies the initializer's std (1 = its definition)")
    g.add_argument("--mode", help="fan_in or fan_out, for kaiming_* (default fan_in)")
    g.add_argument("--bias-init", help="zeros or normal (default zeros)")
    g.add_argument("--bias-std", help="std σ_b of normal biases (default 0)")
    g.add_argument("--norm", help="normalize h before φ: none, batch (BatchNorm1d, training "
                                  "mode) or layer (layer_norm) (default none)")
    g.add_argument("--residual", action=argparse.BooleanOptionalAction, default=None,
                   help="residual blocks a_l = a_{l-1} + α·φ(z_l) where fan_in = fan_out")
    g.add_argument("--residual-scale", metavar="ALPHA",
                   help="branch scale α ≥ 0 of residual blocks (default 1; 0 = ReZero)")
    g = p.add_argument_group("data and loss")
    g.add_argument("--input", help="normal, uniform, digits, or a path to a .npy/.npz/.csv file "
                                   "(default normal)")
    g.add_argument("--input-mean", help="mean of normal/uniform inputs (default 0)")
    g.add_argument("--input-std", help="std of normal/uniform inputs (default 1)")
    g.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=None,
                   help="standardize digits/file features to mean 0, std 1 (default on)")
    g.add_argument("--batch", help=f"input rows B (default {d.batch})")
    g.add_argument("--loss", help="random, mse or cross_entropy (default random)")
    g.add_argument("--seed", help="seed of every random draw (default 0)")
    g.add_argument("--dtype", help="float32 or float64 (default float64)")


def spec_from_args(args: argparse.Namespace) -> NetworkSpec:
    """Build and validate the spec from parsed flags; raise :class:`CliError` if invalid."""
    values = {}
    for flag, field in NETWORK_FLAGS.items():
        v = getattr(args, flag, None)
        if v is not None:
            values[field] = v
    source = getattr(args, "input", None)
    if source is not None:
        if not source.strip():
            raise CliError(f"--input must be normal, uniform, digits or a path to a "
                           f".npy/.npz/.csv file, got {source!r}")
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


def add_run_parser(sub) -> None:
    p = sub.add_parser("run", help="propagate one network and print per-layer statistics",
                       description="Propagate a batch forward and gradients backward through a "
                                   "deep fully connected network; print per-layer statistics.")
    add_network_arguments(p)
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("table", "json", "csv"), default="table")
    g.add_argument("--save", metavar="FILE.npz",
                   help="write x, W1..WL, b1..bL, grad_output, grad_W*, grad_b*, grad_h* "
                        "(unscaled) to re-check the run in PyTorch")
    g.add_argument("--theory", action="store_true",
                   help="add mean-field predictions (theory_preact_var, "
                        "theory_log10_grad_preact_rms) to each layer")
    p.set_defaults(handler=run_command)


def _check_writable(path: str) -> None:
    if not path.strip():
        raise CliError("--save needs a file name ending in .npz, got ''")
    if os.path.isdir(path):
        raise CliError(f"cannot write {path}: it is a folder")
    if not path.lower().endswith(".npz"):
        raise CliError(f"--save writes a NumPy .npz archive; give a file name ending in .npz, "
                       f"got {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CliError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise CliError(f"cannot write {path}: permission denied")


def run_command(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    if args.save is not None:
        args.save = os.path.expanduser(args.save)
        _check_writable(args.save)
    arrays: dict | None = {} if args.save else None
    try:
        result = collect(propagate(spec, arrays))
    except SpecError as exc:
        raise CliError(str(exc)) from None
    except MemoryError:
        raise CliError("ran out of memory; lower the depth, width or batch") from None
    rows = result.rows()
    if args.theory:
        _add_theory(result, spec, rows)
    if args.save:
        try:
            with open(args.save, "wb") as f:
                np.savez(f, **arrays)
        except OSError as exc:
            raise CliError(f"cannot write {args.save}: {exc.strerror or exc}") from None
    out = {"table": format_table, "json": format_json, "csv": format_csv}[args.format]
    sys.stdout.write(out(result, spec, rows))
    return 0


def _add_theory(result: RunResult, spec: NetworkSpec, rows: list[dict]) -> None:
    """Add the run's mean-field predictions (``result.theory``, as the GUI draws them)."""
    theory = result.theory
    if theory is None:  # pragma: no cover - propagate always yields it
        raise CliError("no theory predictions for this run")
    for i, row in enumerate(rows):
        row["theory_preact_var"] = _num(theory.preact_second_moment[i])
        row["theory_log10_grad_preact_rms"] = _num(theory.log10_grad_preact_rms[i])


def _num(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _fmt(value, log10=None) -> str:
    """A number for people: 1.2e-07; beyond float range from its exact log10 (10^360.2)."""
    if value is None:
        return "nan"
    if isinstance(value, float) and (value == 0 or math.isinf(value)) and log10 is not None \
            and math.isfinite(log10):
        return f"10^{log10:.1f}"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{value:.3g}" if abs(value) >= 1e-3 and abs(value) < 1e4 or value == 0 \
        else f"{value:.1e}"


def format_table(result: RunResult, spec: NetworkSpec, rows: list[dict]) -> str:
    start = result.start
    lines = [f"# {spec.depth} layers, widths {_widths_text(start.widths)}, {spec.activation}, "
             f"init {spec.init} × gain {spec.gain:g}, {start.data_description}, loss {spec.loss}"]
    head = (f"{'layer':>5} {'fan_in':>6} {'fan_out':>7} {'preact std':>10} {'act mean':>9} "
            f"{'act std':>9} {'saturated':>9} {'RMS dL/dh':>10} {'|dL/dW|':>10} "
            f"{'|dL/dW|/|W|':>11}")
    has_theory = rows and "theory_log10_grad_preact_rms" in rows[0]
    if has_theory:
        head += f" {'theory dL/dh':>12}"
    lines.append(head)
    for fwd, bwd, row in zip(result.forward, result.backward, rows, strict=True):
        line = (f"{fwd.layer:>5} {fwd.fan_in:>6} {fwd.fan_out:>7} "
                f"{_fmt(fwd.preact_std, fwd.log10_preact_std):>10} {_fmt(fwd.act_mean):>9} "
                f"{_fmt(fwd.act_std, fwd.log10_act_std):>9} {fwd.saturated_fraction:>9.1%} "
                f"{_fmt(bwd.grad_preact_rms, bwd.log10_grad_preact_rms):>10} "
                f"{_fmt(bwd.grad_weight_norm, bwd.log10_grad_weight_norm):>10} "
                f"{_fmt(bwd.grad_to_weight, bwd.log10_grad_to_weight):>11}")
        if has_theory:
            th = row["theory_log10_grad_preact_rms"]
            line += f" {_fmt(10.0 ** th if th is not None else None, th):>12}"
        lines.append(line)
    verdict = gradient_verdict(result.series("log10_grad_preact_rms"))
    lines.append(f"verdict: {verdict.text}")
    lines.append(f"({result.end.seconds:.3f} s, about {start.memory_bytes / 2**20:.0f} MiB)")
    return "\n".join(lines) + "\n"


def _widths_text(widths) -> str:
    hidden = widths[1:]
    body = f"{hidden[0]}" if len(set(hidden)) == 1 else ",".join(map(str, hidden))
    return f"{widths[0]}→{body}"


def run_document(result: RunResult, spec: NetworkSpec, rows: list[dict]) -> dict:
    """The JSON document of a run: config, data, loss, verdict and per-layer rows."""
    verdict = gradient_verdict(result.series("log10_grad_preact_rms"))
    return {
        "format": "gradexplorer-run", "version": 1,
        "config": spec.to_dict(), "data": result.start.data_description,
        "widths": list(result.start.widths),
        "loss": {"name": result.loss.loss, "value": _num(result.loss.value)},
        "verdict": {"kind": verdict.kind, "log10_ratio": _num(verdict.log10_ratio),
                    "per_layer": _num(verdict.per_layer), "text": verdict.text},
        "seconds": result.end.seconds,
        "layers": rows,
    }


def format_json(result: RunResult, spec: NetworkSpec, rows: list[dict]) -> str:
    return json.dumps(run_document(result, spec, rows), indent=1, allow_nan=False) + "\n"


def format_csv(result: RunResult, spec: NetworkSpec, rows: list[dict]) -> str:
    fields = list(LAYER_FIELDS) + [k for k in (rows[0] if rows else {}) if k not in LAYER_FIELDS]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()
