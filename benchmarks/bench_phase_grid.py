"""The phase-diagram grid: χ1 on 200 × 200 (σ_w², σ_b²) cells in one vectorized call.

Was the timed test ``test_phase_diagram_grid_is_vectorized_and_fast`` (``elapsed < 3 s``), which
flaked on loaded machines; the non-timed check that the grid is vectorized stays in
tests/engine/theory/test_fixed_points.py. Prints seconds for the whole grid (tanh, 20 nodes, best
of 3), seconds per cell for the same cells one by one (a 10 × 10 subset), the ratio of the two
per cell, and ``phase_diagram`` seconds per activation. Timings are noisy on a shared machine:
compare the ratio, measured in one process.

Run: ``python benchmarks/bench_phase_grid.py``
"""

from __future__ import annotations

import time

import numpy as np

from gradexplorer.engine.theory import chi1
from gradexplorer.engine.theory.phase_diagram import phase_diagram


def _best(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    w2 = np.linspace(0.1, 5.0, 200)
    b2 = np.linspace(0.0, 2.0, 200)
    grid = _best(lambda: chi1("tanh", w2[:, None], b2[None, :], n_nodes=20))
    cells = [(w2[i], b2[j]) for i in range(0, 200, 20) for j in range(0, 200, 20)]
    loop = _best(lambda: [chi1("tanh", a, b, n_nodes=20) for a, b in cells], repeat=1)
    per_cell_grid, per_cell_loop = grid / w2.size / b2.size, loop / len(cells)
    print(f"chi1 tanh 200x200 grid, one call : {grid:8.3f} s  ({per_cell_grid * 1e6:.2f} µs/cell)")
    print(f"chi1 tanh cell by cell ({len(cells)} cells): {loop:8.3f} s  "
          f"({per_cell_loop * 1e6:.1f} µs/cell)")
    print(f"per-cell speed-up of the vectorized grid: ×{per_cell_loop / per_cell_grid:.0f}")
    for name in ("relu", "tanh", "sigmoid", "gelu"):
        seconds = _best(lambda name=name: phase_diagram(name, 20), repeat=1)
        print(f"phase_diagram({name!r}, 20), 200 x 200: {seconds:6.2f} s")


if __name__ == "__main__":
    main()
