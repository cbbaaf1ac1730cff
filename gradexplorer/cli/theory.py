"""``gradexplorer theory``: mean-field predictions without running a network.

For one (activation, σ_w², σ_b²): the fixed point q*, χ1, the depth scales ξ_q, ξ_c, ξ_∇, the
trainable depth 6 ξ_c and per-layer predictions (q_l, log10 RMS of ∂L/∂h_l relative to the top
layer). With ``--critical-line``: rows of σ_b², σ_w², q* on the edge of chaos χ1 = 1.

Formats: ``table`` for people, ``json`` (strict: non-finite numbers are null). Every user error is
one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from gradexplorer.cli.defaults import ACTIVATION_NAMES, MAX_DEPTH
from gradexplorer.cli.values import clip, is_integer_text, is_number_text
from gradexplorer.io.numbers import finite_or_none

_POINTS_MAX = 10001


class _InputError(ValueError):
    """A bad flag value: reported as one line, exit status 2."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``theory`` subcommand on ``subparsers`` (from ``add_subparsers``).

    Values are taken as strings and checked by :func:`run_theory`, so a bad number is one line
    on stderr and status 2 whichever parser class the caller uses.
    """
    p = subparsers.add_parser(
        "theory", help="mean-field predictions: q*, chi1, depth scales, critical line",
        description="Mean-field theory of deep random networks (Poole et al. 2016; Schoenholz "
                    "et al. 2017): fixed point, chi1, depth scales and per-layer predictions, "
                    "or the critical line chi1 = 1.")
    p.add_argument("--activation", default="tanh",
                   help=f"one of {', '.join(ACTIVATION_NAMES)} (default tanh)")
    p.add_argument("--negative-slope", default="0.01", help="leaky_relu slope (default 0.01)")
    p.add_argument("--sigma-w2", default="1",
                   help="σ_w² = fan_in · Var(W), a variance scale, not a std (default 1)")
    p.add_argument("--sigma-b2", default="0", help="σ_b² = Var(b) (default 0)")
    p.add_argument("--depth", default="20", help=f"layers L, 1-{MAX_DEPTH} (default 20)")
    p.add_argument("--input-second-moment", default="1",
                   help="E[x²], mean of the squared input entries (default 1)")
    p.add_argument("--format", default="table", help="table or json (default table)")
    p.add_argument("--critical-line", action="store_true",
                   help="print the critical line σ_w²(σ_b²) where chi1 = 1 instead")
    p.add_argument("--sigma-b2-max", default="2",
                   help="largest σ_b² on the critical line (default 2)")
    p.add_argument("--points", default="21", help="σ_b² values on the critical line (default 21)")
    p.set_defaults(handler=run_theory)
    return p


def _number(flag: str, text, *, minimum: float | None = 0.0, strict: bool = False) -> float:
    if not is_number_text(text):  # ASCII digits only: no 1_000, no other scripts
        raise _InputError(f"{flag} must be a number, got {clip(text)}")
    v = float(str(text).strip())
    if not math.isfinite(v):
        raise _InputError(f"{flag} must be a finite number, got {clip(text)}")
    if minimum is not None and (v <= minimum if strict else v < minimum):
        word = "positive" if strict else "zero or positive"
        raise _InputError(f"{flag} must be {word}, got {v:g}")
    return v


def _integer(flag: str, text, lo: int, hi: int) -> int:
    if not is_integer_text(text):  # ASCII digits only: no 1_000, no other scripts
        raise _InputError(f"{flag} must be a whole number, got {clip(text)}")
    v = int(str(text).strip())
    if not lo <= v <= hi:
        raise _InputError(f"{flag} must be between {lo} and {hi}, got {v}")
    return v


def run_theory(args: argparse.Namespace) -> int:
    """Run the ``theory`` subcommand; print to stdout; return the exit status (0, or 2).

    Bad input (unknown activation or format, negative σ_w², NaN, depth out of range) prints one
    line ``gradexplorer theory: <message>`` on stderr and returns 2, without a traceback.
    """
    try:
        activation = str(args.activation).strip().lower()
        if activation not in ACTIVATION_NAMES:
            raise _InputError(f"unknown activation {clip(args.activation)} "
                              f"(choose from: {', '.join(ACTIVATION_NAMES)})")
        fmt = str(args.format).strip().lower()
        if fmt not in ("table", "json"):
            raise _InputError(f"format must be table or json, got {clip(args.format)}")
        slope = _number("--negative-slope", args.negative_slope, minimum=None)
        if not 0 <= slope < 1:
            raise _InputError(f"--negative-slope must be in [0, 1), got {slope:g}")
        if args.critical_line:
            b2_max = _number("--sigma-b2-max", args.sigma_b2_max)
            points = _integer("--points", args.points, 1, _POINTS_MAX)
            doc = _critical_document(activation, slope, b2_max, points)
            text = _critical_table(doc) if fmt == "table" else _json(doc)
        else:
            w2 = _number("--sigma-w2", args.sigma_w2)
            b2 = _number("--sigma-b2", args.sigma_b2)
            m2 = _number("--input-second-moment", args.input_second_moment)
            depth = _integer("--depth", args.depth, 1, MAX_DEPTH)
            doc = _point_document(activation, slope, w2, b2, m2, depth)
            text = _point_table(doc) if fmt == "table" else _json(doc)
    except (_InputError, ValueError) as exc:
        print(f"gradexplorer theory: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def _point_document(activation: str, slope: float, w2: float, b2: float, m2: float,
                    depth: int) -> dict:
    from gradexplorer.engine.theory import input_length, layerwise_prediction, mean_field_point

    q1 = float(input_length(w2, b2, m2))
    # q1 overflows for, e.g., E[x²] = 1e308 and σ_w² = 10: start the fixed-point search at 1
    point = mean_field_point(activation, w2, b2, q_start=q1 if 0 < q1 < math.inf else 1.0,
                             negative_slope=slope)
    pred = layerwise_prediction(activation, w2, b2, depth=depth, input_second_moment=m2,
                                negative_slope=slope)
    doc = {"activation": activation, "sigma_w2": w2, "sigma_b2": b2,
           "input_second_moment": m2, "depth": depth}
    if activation == "leaky_relu":
        doc["negative_slope"] = slope
    for key, value in point.to_dict().items():
        doc[key] = value if isinstance(value, str) else float(value)
    doc["layers"] = [
        {"layer": i + 1, "q": float(pred.q[i]), "chi": float(pred.chi[i]),
         "log10_grad_rms_rel": float(pred.log10_grad_rms_rel[i]),
         "log10_grad_rms_random_loss": float(pred.log10_grad_rms_random_loss[i])}
        for i in range(depth)]
    return doc


def _critical_document(activation: str, slope: float, b2_max: float, points: int) -> dict:
    import numpy as np

    from gradexplorer.engine.theory import critical_line

    b2 = np.linspace(0.0, b2_max, points)
    w2, q = critical_line(activation, b2, negative_slope=slope)
    rows = [{"sigma_b2": float(b), "sigma_w2": float(w), "q_star": float(qq)}
            for b, w, qq in zip(b2, w2, q, strict=True)]
    doc = {"activation": activation, "critical_line": rows}
    if activation == "leaky_relu":
        doc["negative_slope"] = slope
    return doc


def _json(doc: dict) -> str:
    """Strict JSON: every non-finite number (a depth scale of inf at criticality, NaN) is null."""
    return json.dumps(_strict(doc), indent=1, allow_nan=False) + "\n"


def _strict(value):
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v) for v in value]
    if isinstance(value, float):
        return finite_or_none(value)
    return value


def _f(v, digits: int = 6) -> str:
    """A number for the table; inf stays inf (a depth scale at criticality), not nan."""
    return "nan" if v is None else f"{v:.{digits}g}"


def _point_table(doc: dict) -> str:
    phase = {"ordered": "ordered: gradients vanish", "chaotic": "chaotic: gradients explode",
             "critical": "critical"}[doc["phase"]]
    lines = [f"{doc['activation']}  sigma_w2 = {doc['sigma_w2']:g}  sigma_b2 = {doc['sigma_b2']:g}"
             f"  E[x^2] = {doc['input_second_moment']:g}  depth = {doc['depth']}",
             f"q*               {_f(doc['q_star'])}",
             f"chi1             {_f(doc['chi1'])}   ({phase})",
             f"c*               {_f(doc['c_star'])}",
             f"chi_c            {_f(doc['chi_c'])}",
             f"xi_q             {_f(doc['xi_q'])} layers",
             f"xi_c             {_f(doc['xi_c'])} layers",
             f"xi_grad          {_f(doc['xi_grad'])} layers ({_xi_grad_words(doc['xi_grad'])})",
             f"trainable depth  {_f(doc['trainable_depth'])} layers (6 xi_c)",
             "",
             f"{'layer':>5} {'q_l':>12} {'log10 RMS dL/dh rel. top':>25}"]
    for row in doc["layers"]:
        lines.append(f"{row['layer']:>5} {_f(row['q']):>12} {_f(row['log10_grad_rms_rel'], 5):>25}")
    return "\n".join(lines) + "\n"


def _xi_grad_words(xi) -> str:
    """What the sign of ξ_∇ = −1/ln χ1 means for this value (inf at criticality, None = NaN)."""
    if xi is None or math.isnan(xi):
        return "undefined"
    if math.isinf(xi):
        return "critical: gradients neither grow nor shrink"
    if xi < 0:
        return f"negative: the mean-square gradient grows e-fold every {abs(xi):.3g} layers"
    return f"positive: the mean-square gradient shrinks e-fold every {xi:.3g} layers"


def _critical_table(doc: dict) -> str:
    lines = [f"critical line (chi1 = 1) for {doc['activation']}",
             f"{'sigma_b2':>10} {'sigma_w2':>12} {'q*':>12}"]
    for row in doc["critical_line"]:
        lines.append(f"{row['sigma_b2']:>10.4g} {_f(row['sigma_w2']):>12} {_f(row['q_star']):>12}")
    return "\n".join(lines) + "\n"
