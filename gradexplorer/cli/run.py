"""``gradexplorer run``: propagate one network and print layer-wise statistics.

Formats: ``table`` for people, ``json`` (strict: non-finite numbers are null) and ``csv`` for
programs. ``--save FILE.npz`` writes the arrays needed to re-check the run in PyTorch.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import TYPE_CHECKING

from gradexplorer.cli.parsing import (
    NETWORK_FLAGS,
    CliError,
    add_format_argument,
    add_network_arguments,
    spec_from_args,
)
from gradexplorer.cli.values import clip

if TYPE_CHECKING:
    from gradexplorer.engine.model.spec import NetworkSpec
    from gradexplorer.engine.runs.result import RunResult

__all__ = ["NETWORK_FLAGS", "add_network_arguments", "add_parser", "format_table",
           "run_command", "spec_from_args"]


def add_parser(sub) -> None:
    """Register ``run`` on the top-level subparsers (handler :func:`run_command`)."""
    p = sub.add_parser("run", help="propagate one network and print per-layer statistics",
                       description="Propagate a batch forward and gradients backward through a "
                                   "deep fully connected network; print per-layer statistics.")
    add_network_arguments(p)
    g = p.add_argument_group("output")
    add_format_argument(g, ("table", "json", "csv"))
    g.add_argument("--save", metavar="FILE.npz",
                   help="write x, W1..WL, b1..bL, grad_output, grad_W*, grad_b*, grad_h* "
                        "(unscaled) to re-check the run in PyTorch; replaces FILE.npz only "
                        "when complete")
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
                       f"got {clip(path)}")
    from gradexplorer.io.atomic import resolve_target

    try:
        target = resolve_target(path)
    except OSError as exc:
        raise CliError(_describe(exc, path)) from None
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise CliError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(target)
                                          and not os.access(target, os.W_OK)):
        raise CliError(f"cannot write {path}: permission denied")


def _describe(exc: OSError, path: str) -> str:
    from gradexplorer.io.atomic import describe

    return describe(exc, path)


def run_command(args: argparse.Namespace) -> int:
    """Propagate, then print the table or the run document; ``--save`` writes atomically."""
    from gradexplorer.engine.model.spec import SpecError
    from gradexplorer.engine.runs.propagation import propagate
    from gradexplorer.engine.runs.result import collect
    from gradexplorer.io import atomic, documents

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
    try:
        rows = documents.layer_rows(result, theory=args.theory)
    except ValueError as exc:  # pragma: no cover - propagate always yields the theory
        raise CliError(str(exc)) from None
    if args.save:
        import numpy as np

        try:
            with atomic.atomic_write(args.save, "wb") as f:
                np.savez(f, **arrays)
        except OSError as exc:  # a full disk: the old file is intact, no temporary file left
            raise CliError(atomic.describe(exc, args.save)) from None
    if args.format == "table":
        text = format_table(result, spec, rows)
    else:
        text = documents.run_text(result, spec, args.format, rows)
    sys.stdout.write(text)
    return 0


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
    """The run as a text table for people (numbers beyond float range from their log10)."""
    from gradexplorer.engine.runs.verdict import gradient_verdict, run_verdict

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
    if verdict.kind != "undefined":
        whole = run_verdict(result)
        lines.append(f"  in full: {whole.headline}")
        lines += [f"  {d}" for d in whole.details[1:]]
    note = gain_note(spec)
    lines += [f"note: {note}"] if note else []
    lines += [f"warning: {w}" for w in result.end.warnings]
    lines.append(f"({result.end.seconds:.3f} s, about {start.memory_bytes / 2**20:.0f} MiB)")
    return "\n".join(lines) + "\n"


def gain_note(spec: NetworkSpec) -> str:
    """One line when ``--gain`` ≠ 1 on kaiming_* with a non-ReLU activation (else "").

    Our kaiming_* follow torch's default ``nonlinearity='leaky_relu'`` (ReLU's √2 built in) and
    ``--gain`` multiplies on top: tanh + kaiming_normal + gain 5/3 gives σ_w² = 2·25/9 = 50/9,
    while torch's ``kaiming_normal_(nonlinearity='tanh')`` gives calculate_gain('tanh')² = 25/9.
    """
    from gradexplorer.engine.model.activations import calculate_gain

    if not spec.init.startswith("kaiming") or spec.gain == 1 or \
            spec.activation in ("relu", "leaky_relu"):
        return ""
    try:
        torch_w2 = f" (torch's kaiming_normal_(nonlinearity='{spec.activation}') gives " \
                   f"{calculate_gain(spec.activation) ** 2:.3g}: --init lecun_normal --gain " \
                   f"{calculate_gain(spec.activation):.4g})"
    except ValueError:
        torch_w2 = ""
    return (f"kaiming_* has ReLU's √2 built in, so gain {spec.gain:g} gives σ_w² = 2 × "
            f"{spec.gain:g}² = {2 * spec.gain ** 2:.3g}{torch_w2}")


def _widths_text(widths) -> str:
    hidden = widths[1:]
    body = f"{hidden[0]}" if len(set(hidden)) == 1 else ",".join(map(str, hidden))
    return f"{widths[0]}→{body}"
