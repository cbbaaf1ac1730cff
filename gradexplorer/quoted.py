"""Numbers quoted in teaching texts, and the engine quantity each one measures.

Preset explanations (``resources/presets.json``) and story steps (``resources/story.json``)
quote measurements. Each text carries a ``numbers`` list: one annotation per number token, in
order of appearance, so a test can re-measure every one (``tests/test_presets.py``,
``tests/test_story_content.py``). An annotation is a dict:

``quote``      the token exactly as written: ``"10^-12"`` (decades), ``"0.23"``, ``"6e-6"``,
               ``"1/4"``, ``"65"`` (of "65 %").
``quantity``   one of :data:`QUANTITIES` (or ``"definition"``, with a ``note``: a number that
               defines the setting rather than measures it, e.g. the 2 of "Var(W) = 2/n").
``layer``      1-based layer for per-layer quantities (negative counts from the end: -1 = L).
``layers``     ``[first, last]`` and ``reduce`` ``"min"``/``"max"``/``"mean"`` over that range.
``spec``       overrides of the text's network (a comparison the text quotes).
``on``         name of another network the text shows (a story step's ``"compare"``), measured
               instead of the text's own (``spec`` overrides then apply to it).
``seeds``      N: the value is the median over seeds 0..N−1 (the number is a seed's fluctuation
               otherwise).
``relative_to`` overrides of a second network: the value is this one's minus that one's (for
               the log10 quantities: how many decades this network is above that one).
``tol`` / ``rtol``  absolute / relative tolerance; default half a unit of the quote's last digit.

Only :func:`tokens`, :func:`quoted_value`, :func:`tolerance` and :func:`measure` are needed by
callers; everything is Qt-free.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from gradexplorer.engine.model.activations import (
    SATURATION_FRACTION,
    calculate_gain,
    get_activation,
)
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import RunResult, collect
from gradexplorer.engine.runs.verdict import run_verdict
from gradexplorer.engine.theory import chi1, critical_line, fixed_point

#: A number token: 10^x, a fraction a/b, or a decimal (optionally 1e-6 style). Digits glued to a
#: letter (χ1, W_l, h1) are names, not numbers.
TOKEN = re.compile(r"(?<![\w.^/])(?:10\^[+-]?\d+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?"
                   r"(?:/\d+(?:\.\d+)?)?)(?![\w])")


#: Formula notation that contains digits but quotes no measurement: N(0,1), 1/n, 2/n,
#: 1/fan_in, 2/(fan_in + fan_out), φ'(0), √(2/n), √(2n), √2, and "layer 1" (the first layer).
NOTATION = re.compile(r"N\(0, ?1\)|\b[12]/(?:n|fan_in|fan_out)\b|2/\(fan_in \+ fan_out\)|"
                      r"φ'\(0\)|√\(2/?n\)|√2\b|\blayer 1\b")


def tokens(text: str) -> list[str]:
    """Every number token of ``text`` outside :data:`NOTATION`, in order."""
    return TOKEN.findall(NOTATION.sub(" ", text))


def quoted_value(token: str) -> float:
    """The value a token states (``10^x`` gives x, in decades)."""
    if token.startswith("10^"):
        return float(token[3:])
    if "/" in token:
        a, b = token.split("/")
        return float(a) / float(b)
    return float(token)


def tolerance(token: str, note: dict) -> float:
    """Absolute tolerance of a quote: ``tol``, ``rtol`` × value, else half its last digit."""
    if "tol" in note:
        return float(note["tol"])
    value = quoted_value(token)
    if "rtol" in note:
        return abs(value) * float(note["rtol"])
    if "/" in token:
        return 1e-12
    body = token[3:] if token.startswith("10^") else token
    mantissa, _, exp = body.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (-decimals + (int(exp) if exp else 0))


@lru_cache(maxsize=64)
def _run(spec: NetworkSpec) -> RunResult:
    return collect(propagate(spec))


def _layer(series: np.ndarray, note: dict) -> float:
    if "layers" in note:
        a, b = note["layers"]
        part = series[a - 1:b]
        return float({"min": np.min, "max": np.max, "mean": np.mean}[note.get("reduce", "mean")](
            part))
    layer = int(note.get("layer", 1))
    return float(series[layer - 1 if layer > 0 else layer])


def _ratio(name: str) -> Callable[[RunResult, NetworkSpec, dict], float]:
    def f(r, spec, note):
        s = r.series(name)
        return float(s[0] - s[-1])
    return f


def _per_layer(r, spec, note) -> float:
    s = r.series("log10_grad_preact_rms")
    return float(10 ** ((s[0] - s[-1]) / (s.size - 1)))


def _point(spec: NetworkSpec, r: RunResult) -> tuple[float, float]:
    b2 = spec.bias_std ** 2 if spec.bias_init == "normal" else 0.0
    return float(r.start.sigma_w2[0]), b2


QUANTITIES: dict[str, Callable[[RunResult, NetworkSpec, dict], float]] = {
    # the gradient, first layer against last (decades, or the mean factor per layer)
    "log10_grad_ratio": _ratio("log10_grad_preact_rms"),
    "grad_per_layer": _per_layer,
    "log10_weight_grad_ratio": _ratio("log10_grad_weight_norm"),
    "log10_update_ratio_ratio": _ratio("log10_grad_to_weight"),
    # forward statistics at a layer (or reduced over ``layers``)
    "preact_second_moment": lambda r, s, n: _layer(r.series("preact_second_moment"), n),
    "preact_variance": lambda r, s, n: _layer(r.series("preact_std") ** 2, n),
    "second_moment_growth": lambda r, s, n: float(
        r.series("preact_second_moment")[-1] / r.series("preact_second_moment")[0]),
    "log10_forward_change": lambda r, s, n: run_verdict(r).forward_log10_change,
    "log10_weight_grad": lambda r, s, n: _layer(r.series("log10_grad_weight_norm"), n),
    "log10_update_ratio": lambda r, s, n: _layer(r.series("log10_grad_to_weight"), n),
    "saturated_percent": lambda r, s, n: 100 * _layer(r.series("saturated_fraction"), n),
    "act_std": lambda r, s, n: _layer(r.series("act_std"), n),
    "grad_preact_rms": lambda r, s, n: _layer(r.series("grad_preact_rms"), n),
    "mean_saturated_percent": lambda r, s, n: 100 * float(np.mean(r.series("saturated_fraction"))),
    "input_second_moment": lambda r, s, n: float(r.start.input_second_moment),
    # the setting, as the engine resolved it
    "sigma_w2": lambda r, s, n: float(r.start.sigma_w2[0]),
    "sqrt_sigma_w2": lambda r, s, n: math.sqrt(r.start.sigma_w2[0]),
    "gain": lambda r, s, n: float(s.gain),
    "depth": lambda r, s, n: float(r.depth),
    "width": lambda r, s, n: float(r.start.widths[1]),
    "sqrt_2n": lambda r, s, n: math.sqrt(2 * r.start.widths[1]),
    "torch_gain": lambda r, s, n: calculate_gain(s.activation),
    "max_derivative": lambda r, s, n: get_activation(s.activation).max_derivative,
    "saturation_threshold_percent": lambda r, s, n: 100 * SATURATION_FRACTION,
    # mean-field theory at the setting's (σ_w², σ_b²) (Poole et al. 2016)
    "q_star": lambda r, s, n: float(fixed_point(s.activation, *_point(s, r))),
    "chi1": lambda r, s, n: float(chi1(s.activation, *_point(s, r))[1]),
    "critical_sigma_w2": lambda r, s, n: float(critical_line(s.activation, _point(s, r)[1])[0]),
}


def measure(spec: NetworkSpec, note: dict) -> float:
    """The value of ``note["quantity"]`` for ``spec`` (with ``note["spec"]`` overrides applied),
    the median over ``note["seeds"]`` seeds when given.

    Raises KeyError for an unknown quantity (``"definition"`` has no value: ValueError).
    """
    name = note["quantity"]
    if name == "definition":
        raise ValueError("a definition is not measured")
    f = QUANTITIES[name]
    spec = spec.replace(**note.get("spec", {})) if note.get("spec") else spec
    seeds = range(int(note["seeds"])) if "seeds" in note else (spec.seed,)
    values = [f(_run(spec.replace(seed=seed)), spec.replace(seed=seed), note) for seed in seeds]
    if "relative_to" in note:
        other = spec.replace(**note["relative_to"])
        values = [v - f(_run(other.replace(seed=seed)), other.replace(seed=seed), note)
                  for v, seed in zip(values, seeds, strict=True)]
    return float(np.median(values))


def check(spec: NetworkSpec, text: str, numbers: list[dict],
          others: dict[str, NetworkSpec] | None = None) -> list[str]:
    """Every disagreement between ``text``'s numbers and the engine, as messages ([] if none).

    ``others`` names further networks an annotation may be measured ``on``. Also reports tokens
    without an annotation (or annotations without a token), in order.
    """
    found, noted = tokens(text), [n["quote"] for n in numbers]
    if found != noted:
        return [f"numbers in the text {found} != annotated {noted}"]
    problems = []
    for note in numbers:
        if note["quantity"] == "definition":
            if not note.get("note"):
                problems.append(f"{note['quote']}: a definition needs a 'note' saying why")
            continue
        target = spec
        if "on" in note:
            if not others or note["on"] not in others:
                problems.append(f"{note['quote']}: no network {note['on']!r} to measure on")
                continue
            target = others[note["on"]]
        value, want = measure(target, note), quoted_value(note["quote"])
        tol = tolerance(note["quote"], note)
        if not abs(value - want) <= tol:
            problems.append(f"{note['quote']} ({note['quantity']}): engine measures {value:.4g}, "
                            f"quote allows ±{tol:.2g}")
    return problems
