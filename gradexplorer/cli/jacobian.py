"""``gradexplorer jacobian``: the spectrum of J Jᵀ of one network at one input, vs mean field.

J = ∂a_L/∂x (see :mod:`gradexplorer.engine.runs.jacobian`). ``--compare`` redraws the weights
i.i.d. Gaussian and orthogonal at the same σ_w² (dynamical isometry). Formats: ``table`` for
people, ``json`` (strict: non-finite numbers are null; ``--eigenvalues`` adds every log10 λ).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING

from gradexplorer.cli.parsing import (
    CliError,
    add_format_argument,
    add_network_arguments,
    spec_from_args,
)
from gradexplorer.cli.values import integer_value
from gradexplorer.io.numbers import finite_or_none

if TYPE_CHECKING:
    from gradexplorer.engine.runs.jacobian import JacobianSpectrum


def add_parser(sub) -> None:
    """Register ``jacobian`` on the top-level subparsers."""
    p = sub.add_parser("jacobian", help="spectrum of the input-output Jacobian J Jᵀ vs theory",
                       description="Singular values of the input-output Jacobian J = ∂a_L/∂x at "
                                   "one input row: mean, variance and variance/mean² of the "
                                   "eigenvalues λ of J Jᵀ, measured and mean-field predicted.")
    add_network_arguments(p)
    g = p.add_argument_group("Jacobian")
    g.add_argument("--input-index", default="0", type=integer_value("input index"),
                   help="row of the input batch (default 0)")
    g.add_argument("--compare", action="store_true",
                   help="i.i.d. Gaussian vs orthogonal weights at the spec's σ_w² per layer")
    add_format_argument(g, ("table", "json"))
    g.add_argument("--eigenvalues", action="store_true",
                   help="json: include every log10 λ (sorted descending)")
    p.set_defaults(handler=jacobian_command)


def _index(text: str) -> int:
    value = int(text)  # checked ASCII digits by the parser
    if value < 0:
        raise CliError(f"--input-index must be ≥ 0, got {value}")
    return value


def jacobian_command(args: argparse.Namespace) -> int:
    """Compute and print; user errors become :class:`CliError` (one line, status 2)."""
    from gradexplorer.engine.model.spec import SpecError
    from gradexplorer.engine.runs.jacobian import compare_isometry, jacobian_spectrum

    spec = spec_from_args(args)
    index = _index(args.input_index)
    try:
        if args.compare:
            spectra = list(compare_isometry(spec, input_index=index))
        else:
            spectra = [jacobian_spectrum(spec, input_index=index)]
    except SpecError as exc:
        raise CliError(str(exc)) from None
    except IndexError as exc:
        raise CliError(str(exc)) from None
    except MemoryError:
        raise CliError("ran out of memory; lower the depth or width") from None
    if args.format == "json":
        doc = {"config": spec.to_dict(), "input_index": index,
               "spectra": [spectrum_document(s, args.eigenvalues) for s in spectra]}
        sys.stdout.write(json.dumps(doc, allow_nan=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_table(spectra, index))
    return 0


def spectrum_document(s: JacobianSpectrum, eigenvalues: bool = False) -> dict:
    """Strict-JSON dict of a spectrum's summary (and optionally every log10 λ)."""
    doc = {
        "weights": s.weights, "orthogonal": s.orthogonal, "widths": list(s.widths),
        "n": int(s.log10_eigenvalues.size),
        "mean": finite_or_none(s.mean), "log10_mean": finite_or_none(s.log10_mean),
        "variance": finite_or_none(s.variance), "log10_variance": finite_or_none(s.log10_variance),
        "relative_variance": finite_or_none(s.relative_variance),
        "predicted_mean": finite_or_none(s.predicted_mean),
        "predicted_log10_mean": finite_or_none(s.predicted_log10_mean),
        "predicted_variance": finite_or_none(s.predicted_variance),
        "predicted_relative_variance": finite_or_none(s.predicted_relative_variance),
        "log10_floor": finite_or_none(s.log10_floor),
        "below_floor": int((s.log10_eigenvalues < s.log10_floor).sum()),
    }
    if eigenvalues:
        doc["log10_eigenvalues"] = [finite_or_none(v) for v in s.log10_eigenvalues]
    return doc


def _log(v: float) -> str:
    return "nan" if not math.isfinite(v) else f"10^{v:.3f}"


def _plain(v: float | None) -> str:
    return "—" if v is None else f"{v:.5g}"


def _no_prediction_note(s: JacobianSpectrum) -> list[str]:
    """Why the variance has no prediction (one indented line), or nothing when it has one."""
    if s.predicted_relative_variance is not None:
        return []
    widths = tuple(s.widths)
    if len(set(widths)) > 1:
        shown = f"{','.join(map(str, widths[:4]))}{',…' if len(widths) > 4 else ''}"
        fix = (f": set --in-features {widths[-1]} to make the network square"
               if len(set(widths[1:])) == 1 else "")
        return [f"  (variance predicted only for square layers; widths here are {shown}{fix})"]
    return ["  (no finite variance prediction at this setting)"]


def format_table(spectra: list[JacobianSpectrum], index: int) -> str:
    """Text summary: per spectrum, measured vs predicted and the log10 λ range."""
    import numpy as np

    lines = []
    for s in spectra:
        logs = s.log10_eigenvalues[np.isfinite(s.log10_eigenvalues)]
        lo, mid, hi = (np.percentile(logs, q) for q in (0, 50, 100)) if logs.size else \
            (math.nan,) * 3
        lines += [
            f"Jacobian at input row {index}, weights: {s.weights}"
            f"{' (orthogonal)' if s.orthogonal else ' (i.i.d.)'}, widths {s.widths[0]}→"
            f"{s.widths[-1]}, L = {s.depth}",
            f"  {'':22}{'measured':>16}{'predicted':>16}",
            f"  {'mean λ':22}{_log(s.log10_mean):>16}{_log(s.predicted_log10_mean):>16}",
            f"  {'variance / mean²':22}{_plain(s.relative_variance):>16}"
            f"{_plain(s.predicted_relative_variance):>16}",
            f"  log10 λ: min {lo:.3f}, median {mid:.3f}, max {hi:.3f}; rounding floor "
            f"{s.log10_floor:.3f} ({int((s.log10_eigenvalues < s.log10_floor).sum())} of "
            f"{s.log10_eigenvalues.size} below)",
            *_no_prediction_note(s),
            "",
        ]
    return "\n".join(lines)
