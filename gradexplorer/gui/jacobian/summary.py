"""The numbers beside the histogram: measured against mean-field predicted, as an HTML table.

Only formatting: every number comes from a
:class:`~gradexplorer.engine.runs.jacobian.JacobianSpectrum`
(the engine computes means, variances and predictions; log10 twins keep huge values exact).
"""

from __future__ import annotations

import math

import numpy as np

from gradexplorer.engine.runs.jacobian import JacobianSpectrum

NO_PREDICTION = "no prediction: non-square layers"
#: Why there is no prediction for nets with a norm or residual blocks (``engine.runs.jacobian``).
NO_BLOCK_PREDICTION = "no prediction: norm / residual blocks"
#: Plain numbers for log10 values in this range, 10^x outside it.
PLAIN_LOG10 = (-3.0, 5.0)


def format_log10(log10_value: float) -> str:
    """A positive number given by its exact log10: ``0.9812`` or ``10^-13.40`` (rich text)."""
    if math.isnan(log10_value):
        return "NaN"
    if math.isinf(log10_value):
        return "∞" if log10_value > 0 else "0"
    if PLAIN_LOG10[0] <= log10_value <= PLAIN_LOG10[1]:
        return f"{10.0 ** log10_value:.4g}"
    return f"10<sup>{log10_value:.2f}</sup>"


def format_plain(value: float | None) -> str:
    """A value in float64 (4 significant digits); ``>10^308`` when it overflowed."""
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "&gt;10<sup>308</sup>" if value > 0 else "−∞"
    if value != 0 and not 1e-3 <= abs(value) < 1e5:
        mantissa, exponent = f"{value:.3e}".split("e")
        return f"{mantissa}·10<sup>{int(exponent)}</sup>"
    return f"{value:.4g}"


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _predicted(s: JacobianSpectrum, blocks: bool = False) -> tuple[str, str, str]:
    """(mean, variance, variance/mean²) predicted, as text (``blocks``: a norm or residual net,
    for which the engine has no prediction at all)."""
    if blocks:
        return (f"<i>{NO_BLOCK_PREDICTION}</i>",) * 3
    mean = format_log10(s.predicted_log10_mean)
    if s.predicted_relative_variance is None:
        return mean, f"<i>{NO_PREDICTION}</i>", f"<i>{NO_PREDICTION}</i>"
    return mean, format_plain(s.predicted_variance), format_plain(s.predicted_relative_variance)


def below_floor(s: JacobianSpectrum) -> int:
    """How many eigenvalues lie below the rounding floor (exact zeros excluded)."""
    logs = s.log10_eigenvalues
    return int(((logs < s.log10_floor) & (logs > -math.inf)).sum())


def exact_zeros(s: JacobianSpectrum) -> int:
    """How many eigenvalues are exactly zero (n_L − n_0 of them when n_0 < n_L)."""
    return int((s.log10_eigenvalues == -math.inf).sum())


def degenerate_note(name: str, s: JacobianSpectrum) -> str:
    """Why ``s`` has nothing to draw ("" when it has finite eigenvalues)."""
    logs = s.log10_eigenvalues
    if np.isfinite(logs).any():
        return ""
    if np.isnan(logs).all():
        return f"{name}: J is not finite (the forward pass overflowed float64): nothing to draw."
    return (f"{name}: every eigenvalue is exactly 0 (J = 0: every path from input to output "
            f"passes a unit with φ'(h) = 0, e.g. saturated or dead units).")


def spectrum_table(spectra: list[tuple[str, tuple[int, int, int], JacobianSpectrum]],
                   points: int = 10, blocks: bool = False) -> str:
    """HTML table: one measured and one predicted column per (name, colour, spectrum).

    ``blocks``: the net has a norm or residual blocks (predicted cells say there is none).

    Rows: mean λ = tr(JJᵀ)/n_L, variance, variance / mean² (relative variance), rounding floor.
    """
    head = "<tr><th></th>" + "".join(
        f"<th colspan='2' style='color:{_hex(c)}'>&nbsp;{name}&nbsp;</th>"
        for name, c, _ in spectra) + "</tr>"
    sub = "<tr><td></td>" + "<td><i>measured</i></td><td><i>predicted</i></td>" * len(spectra) \
        + "</tr>"
    rows = [
        ("mean λ = tr(JJᵀ)/n",
         [(format_log10(s.log10_mean), _predicted(s, blocks)[0]) for _, _, s in spectra]),
        ("variance of λ",
         [(format_log10(s.log10_variance), _predicted(s, blocks)[1]) for _, _, s in spectra]),
        ("variance / mean²",
         [(format_plain(s.relative_variance), _predicted(s, blocks)[2]) for _, _, s in spectra]),
    ]
    body = ""
    for label, cells in rows:
        body += f"<tr><td>{label}&nbsp;&nbsp;</td>" + "".join(
            f"<td>{m}&nbsp;&nbsp;</td><td>{p}&nbsp;&nbsp;</td>" for m, p in cells) + "</tr>"
    floor = "".join(
        f"<td colspan='2'>{format_log10(s.log10_floor)} "
        f"({below_floor(s)} of {s.log10_eigenvalues.size} below)"
        + (f", {exact_zeros(s)} exactly 0" if exact_zeros(s) else "") + "&nbsp;&nbsp;</td>"
        for _, _, s in spectra)
    body += f"<tr><td>rounding floor of λ&nbsp;&nbsp;</td>{floor}</tr>"
    return (f"<table style='font-size:{points}pt' cellspacing='0' cellpadding='1'>"
            f"{head}{sub}{body}</table>")
