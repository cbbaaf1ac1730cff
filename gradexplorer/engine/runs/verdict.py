"""Verdicts in plain words: the one-line gradient verdict, and the whole-truth run verdict.

:func:`gradient_verdict` judges one thing, RMS ∂L/∂h first-to-last (the classic "vanishing /
exploding gradient" line). :func:`run_verdict` judges everything a learner needs to see that
line in context (issue 10, item 4):

- ∂L/∂h, the backpropagated signal (RMS over batch and units);
- ‖∂L/∂W‖ per layer, what the optimizer receives. By backprop ∂L/∂W_l = (∂L/∂h_l)ᵀ a_{l−1}, so
  ‖∂L/∂W_l‖ ≈ √B · RMS(∂L/∂h_l) · ‖a_{l−1}‖: when the activations grow with depth by the factor
  the gradient shrinks (ReLU without biases, any gain), the weight gradients are flat while ∂L/∂h
  vanishes or explodes;
- the update ratio ‖∂L/∂W_l‖ / ‖W_l‖, what training feels: an SGD step changes layer l by
  lr · this ratio relative to its size, so its spread across layers says which layers learn;
- the forward signal (std of h_l, layer 1 to L);
- saturation (|φ'(h)| below 10 % of its peak), and the mean-field χ1 near the output (chaotic
  when above 1 for a non-homogeneous φ: Poole et al. 2016, Schoenholz et al. 2017).

Everything here is pure Python on a finished :class:`RunResult`; the CLI prints it and the GUI
shows it (``headline``, ``status``, ``details``, ``flags``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from gradexplorer.engine.runs.result import RunResult

#: |log10(first/last)| below this many decades is called stable (a factor of 10 either way).
STABLE_DECADES = 1.0
#: Mean saturated fraction over the layers (or, at any one layer, twice it) called saturated.
SATURATED_MEAN = 0.25
#: Mean-field χ1 (near the output) at or above this is called chaotic.
CHAOTIC_CHI1 = 1.05
#: Activations that switch half of the units off at any scale (φ' = 0 or tiny for h < 0).
PIECEWISE_LINEAR = ("relu", "leaky_relu")
#: Flags :func:`run_verdict` may raise (the GUI may map them to highlights).
FLAGS = ("undefined", "disagree", "saturated", "chaotic", "forward_exploding",
         "forward_vanishing", "update_imbalance")


@dataclass(frozen=True)
class Verdict:
    """``kind`` is "vanishing", "stable", "exploding" or "undefined" (NaN or all-zero gradient).

    ``log10_ratio`` = log10(first layer / last layer) of the judged per-layer quantity, in
    decades; ``per_layer`` is the mean factor per layer, 10**(log10_ratio / (L - 1)) (1 for
    L = 1).
    """

    kind: str
    log10_ratio: float
    per_layer: float
    text: str


def _trend(log10_values: ArrayLike, name: str) -> Verdict:
    """Judge a per-layer log10 series (shape (L,)) by its first-to-last ratio."""
    g = np.asarray(log10_values, dtype=float)
    depth = g.size
    if depth == 0:
        return Verdict("undefined", math.nan, math.nan, "no layers")
    first, last = g[0], g[-1]
    if not (math.isfinite(first) and math.isfinite(last)):
        bad = first if not math.isfinite(first) else last
        why = "NaN" if math.isnan(bad) else ("infinite" if bad > 0 else "exactly zero")
        return Verdict("undefined", math.nan, math.nan,
                       f"{name} is {why} at layer {1 if not math.isfinite(first) else depth}: "
                       "no verdict")
    ratio = first - last
    per_layer = _pow10(ratio / (depth - 1)) if depth > 1 else 1.0
    if ratio < -STABLE_DECADES:
        kind = "vanishing"
    elif ratio > STABLE_DECADES:
        kind = "exploding"
    else:
        kind = "stable"
    text = (f"{name} at layer 1 is 10^{ratio:+.1f} of layer {depth}: {kind} "
            f"(×{per_layer:.3g} per layer)")
    return Verdict(kind, float(ratio), float(per_layer), text)


def gradient_verdict(log10_grad_rms: np.ndarray) -> Verdict:
    """Judge ``log10_grad_rms`` (shape (L,), log10 of RMS ∂L/∂h_l for l = 1..L).

    Vanishing when layer 1's gradient RMS is more than :data:`STABLE_DECADES` decades below
    layer L's, exploding when more than that above, stable otherwise. The text reads e.g.
    ``gradient at layer 1 is 10^-30.8 of layer 50: vanishing (×0.235 per layer)``.
    """
    return _trend(log10_grad_rms, "gradient")


@dataclass(frozen=True)
class RunVerdict:
    """The whole-truth verdict on one run (see the module docstring).

    Attributes
    ----------
    kind : the ∂L/∂h verdict's kind ("vanishing", "stable", "exploding", "undefined"): the
        colour key, as :attr:`Verdict.kind`.
    headline : a short phrase for the headline, e.g. "stable, but saturated and chaotic" or
        "exploding ∂L/∂h, flat ‖∂L/∂W‖".
    status : one line for a status bar: the headline with its key numbers.
    gradient, weight_gradient, update_ratio : first-to-last verdicts of RMS ∂L/∂h, ‖∂L/∂W‖ and
        ‖∂L/∂W‖/‖W‖ (``gradient.text`` is the classic CLI line).
    forward_log10_change : log10(std h_L / std h_1), decades (NaN if not finite).
    saturated_mean, saturated_max : mean and max over layers of the saturated fraction (0..1);
        ``saturated_max_layer`` the 1-based layer of the max.
    chi1 : mean-field χ1 at the last layer's q (NaN when unknown).
    details : full plain-words sentences, most important first.
    flags : a subset of :data:`FLAGS`.
    """

    kind: str
    headline: str
    status: str
    gradient: Verdict
    weight_gradient: Verdict
    update_ratio: Verdict
    forward_log10_change: float
    saturated_mean: float
    saturated_max: float
    saturated_max_layer: int
    chi1: float
    details: tuple[str, ...]
    flags: frozenset[str]


def run_verdict(result: RunResult) -> RunVerdict:
    """Judge a finished :class:`~gradexplorer.engine.runs.result.RunResult`.

    Raises ValueError if the backward pass is not complete.
    """
    if not result.depth or result.start is None or any(b is None for b in result.backward):
        raise ValueError("run_verdict needs a finished run (every layer's gradient)")
    activation = str(result.start.config.get("activation", ""))
    g = gradient_verdict(result.series("log10_grad_preact_rms"))
    w = _trend(result.series("log10_grad_weight_norm"), "‖∂L/∂W‖")
    u = _trend(result.series("log10_grad_to_weight"), "update ratio ‖∂L/∂W‖/‖W‖")
    std = result.series("log10_preact_std")
    fwd = float(std[-1] - std[0]) if np.all(np.isfinite(std[[0, -1]])) else math.nan
    sat = np.nan_to_num(result.series("saturated_fraction"))
    sat_mean, sat_max_layer = float(sat.mean()), int(np.argmax(sat)) + 1
    sat_max = float(sat[sat_max_layer - 1])
    chi1 = _last_chi(result)
    homogeneous = activation in PIECEWISE_LINEAR or activation == "linear"
    flags: set[str] = set()
    details: list[str] = [g.text[0].upper() + g.text[1:] + "."]
    if g.kind == "undefined":
        flags.add("undefined")
        return RunVerdict(g.kind, "undefined", g.text, g, w, u, fwd, sat_mean, sat_max,
                          sat_max_layer, chi1, tuple(details), frozenset(flags))
    if result.depth > 1:
        details.append(w.text[0].upper() + w.text[1:] + ".")
    if result.depth > 1 and w.kind not in ("undefined", g.kind):
        flags.add("disagree")
        details.append(_why_disagree(g, w, fwd))
    if math.isfinite(fwd) and abs(fwd) > STABLE_DECADES:
        flags.add("forward_exploding" if fwd > 0 else "forward_vanishing")
        details.append(f"The forward signal's std {'grows' if fwd > 0 else 'shrinks'} by "
                       f"10^{fwd:+.1f} from layer 1 to layer {result.depth}, so the output is "
                       + ("huge" if fwd > 0 else "tiny") + " and the loss sees it at that scale.")
    if u.kind in ("vanishing", "exploding"):
        flags.add("update_imbalance")
    if result.depth > 1:
        details.append(_what_training_feels(u, result.depth))
    saturated = activation not in PIECEWISE_LINEAR and (
        sat_mean >= SATURATED_MEAN or sat_max >= 2 * SATURATED_MEAN)
    if activation in PIECEWISE_LINEAR:
        details.append(f"{_pct(sat_mean)} of the units are off (φ' = 0 side) at any weight scale: "
                       "this does not grow with the weights, unlike sigmoid/tanh saturation.")
    elif saturated:
        flags.add("saturated")
        details.append(f"{_pct(sat_mean)} of the units are saturated on average (|φ'| below 10 % "
                       f"of its peak; {_pct(sat_max)} at layer {sat_max_layer}): the weights into "
                       "them get almost no gradient, whatever the headline ratio says.")
    if not homogeneous and math.isfinite(chi1) and chi1 >= CHAOTIC_CHI1:
        flags.add("chaotic")
        details.append(f"Mean-field χ1 = {chi1:.3g} > 1: the net is on the chaotic side, nearby "
                       "inputs drift apart layer by layer (slowly for χ1 near 1, fast far above "
                       "it), so similar inputs get unrelated outputs.")
    headline = _headline(g, w, u, fwd, saturated, "chaotic" in flags)
    status = (f"{headline}: ∂L/∂h ×{g.per_layer:.3g}/layer (10^{g.log10_ratio:+.1f}), "
              f"‖∂L/∂W‖ 10^{w.log10_ratio:+.1f}, update ratio 10^{u.log10_ratio:+.1f} "
              f"layer 1 vs {result.depth}, {_pct(sat_mean)} "
              + ("of units off" if activation in PIECEWISE_LINEAR else "saturated"))
    return RunVerdict(g.kind, headline, status, g, w, u, fwd, sat_mean, sat_max, sat_max_layer,
                      chi1, tuple(details), frozenset(flags))


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.0f} %"


def _last_chi(result: RunResult) -> float:
    theory = getattr(result, "theory", None)
    if theory is None:
        return math.nan
    chi = np.asarray(theory.chi, dtype=float)
    finite = chi[np.isfinite(chi)]
    return float(finite[-1]) if finite.size else math.nan


def _why_disagree(g: Verdict, w: Verdict, fwd: float) -> str:
    act = ("grow toward the output" if g.log10_ratio > w.log10_ratio
           else "shrink toward the output")
    return (f"They disagree: ∂L/∂W_l = ∂L/∂h_lᵀ a_(l−1), and the activations a {act} "
            f"(std of h: 10^{fwd:+.1f} from layer 1 to L), offsetting the gradient's "
            f"10^{g.log10_ratio:+.1f}; the optimizer receives ‖∂L/∂W‖, not ∂L/∂h.")


def _pow10(decades: float) -> float:
    """10**decades, inf where float64 overflows (a blown-up run is a result, not an error)."""
    return math.inf if decades > 308 else 10.0 ** decades


def _times(decades: float) -> str:
    """A factor of 10**decades in words: "3.2e+05", or "10^412" beyond float64."""
    return f"{10.0 ** decades:.2g}" if decades <= 300 else f"10^{decades:.0f}"


def _what_training_feels(u: Verdict, depth: int) -> str:
    if u.kind == "undefined":
        return f"The update ratio ‖∂L/∂W‖/‖W‖ is undefined ({u.text})."
    if u.kind == "stable":
        return (f"What training feels, the update ratio ‖∂L/∂W‖/‖W‖, is within "
                f"10^{u.log10_ratio:+.1f} from layer 1 to {depth}: one learning rate suits "
                "every layer.")
    slower = "slower" if u.log10_ratio < 0 else "faster"
    return (f"What training feels, the update ratio ‖∂L/∂W‖/‖W‖, is 10^{u.log10_ratio:+.1f} at "
            f"layer 1 relative to layer {depth}: with one learning rate the first layers learn "
            f"{_times(abs(u.log10_ratio))} times {slower} than the last.")


def _headline(g: Verdict, w: Verdict, u: Verdict, fwd: float, saturated: bool,
              chaotic: bool) -> str:
    if g.kind == "stable":
        buts = [b for b, on in (("saturated", saturated), ("chaotic", chaotic and saturated))
                if on]
        if w.kind in ("vanishing", "exploding"):
            buts.append(f"{w.kind} ‖∂L/∂W‖")
        elif u.kind in ("vanishing", "exploding"):
            buts.append("uneven update ratios")
        elif math.isfinite(fwd) and abs(fwd) > STABLE_DECADES:
            buts.append("the signal " + ("explodes" if fwd > 0 else "fades"))
        return "stable" + (", but " + " and ".join(buts) if buts else "")
    if w.kind == "stable":
        return f"{g.kind} ∂L/∂h, flat ‖∂L/∂W‖"
    return g.kind
