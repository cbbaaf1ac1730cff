"""Theory quadrature: the phase-diagram grid with the split rule in u = √q·z against the old rule.

The old rule (Gauss–Legendre in the std variable t, stretched toward 0, 48 nodes per half-line;
wrong above q ~ 1e6 for saturating φ') is rebuilt here from ``half_line_rule`` and patched into
``fixed_points`` so both run in the same process on the same grid. Prints seconds per
``phase_diagram`` (100 × 100 cells) for each activation, the ratio new/old, and the new rule's
χ1 against the tanh asymptote 0.5319·σ_w²/√q* at σ_w² = 1e10.

Run: ``python benchmarks/bench_theory_quadrature.py``
"""

from __future__ import annotations

import time

import numpy as np

from gradexplorer.engine.theory import fixed_points as fp
from gradexplorer.engine.theory.phase_diagram import phase_diagram
from gradexplorer.engine.theory.quadrature import half_line_rule

ACTIVATIONS = ["tanh", "relu", "sigmoid", "gelu", "softplus", "selu"]


def _old_moments(act, q, n_nodes, *, slope=False):
    t, w = half_line_rule(48)
    s = np.sqrt(np.maximum(q, 1e-300))[..., None] * t
    fp_, dp = act.forward_and_derivative(s)
    fm, dm = act.forward_and_derivative(-s)
    v = (fp_ * fp_ + fm * fm) @ w
    d = (dp * dp + dm * dm) @ w
    if not slope:
        return v, d
    with np.errstate(invalid="ignore", divide="ignore"):
        k = ((fp_ * dp - fm * dm) @ (w * t)) / np.sqrt(np.maximum(q, 1e-12))
    return v, d, k


def _time(name: str, repeat: int = 2) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        phase_diagram(name, 50, n_w=100, n_b=100)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    new_moments = fp._moments
    print(f"{'activation':<10} {'old s':>8} {'new s':>8} {'new/old':>8}")
    for name in ACTIVATIONS:
        fp._moments = _old_moments
        try:
            old = _time(name)
        finally:
            fp._moments = new_moments
        new = _time(name)
        print(f"{name:<10} {old:8.3f} {new:8.3f} {new / old:8.2f}")
    q, x1 = (float(v) for v in fp.chi1("tanh", 1e10, 0.0))
    print(f"tanh σ_w²=1e10: χ1 = {x1:.6g}, asymptote 0.531923·σ_w²/√q* = "
          f"{0.5319230405352436 * 1e10 / np.sqrt(q):.6g}")


if __name__ == "__main__":
    main()
