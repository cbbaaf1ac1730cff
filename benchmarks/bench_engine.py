"""Engine speed: forward + backward + statistics against the bare GEMMs of the same run.

Prints, per size: ``setup`` (data and weight draws, before the first layer), ``propagate``
(forward + backward + statistics: the rest of ``collect(propagate(spec))``), its effective
GFLOP/s (counting only the matrix products: 2·B·n_in·n_out each, three per layer but two in
layer 1), the time of exactly those matrix products on arrays of the same shapes and dtype
measured in the same process, and the ratios propagate/GEMM and (setup + propagate)/GEMM.
Target: propagate/GEMM ≤ 1.2 for 40 × 1024, batch 512, float32.

Run: ``python benchmarks/bench_engine.py`` (best of ``--repeat`` runs each).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gradexplorer.engine.compute.blas import blas_threads_for
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect

SIZES = [  # depth, width, batch, dtype, activation
    (40, 1024, 512, "float32", "tanh"),
    (40, 1024, 512, "float32", "relu"),
    (40, 1024, 512, "float64", "tanh"),
    (100, 256, 256, "float64", "tanh"),
    (1000, 128, 128, "float64", "relu"),
]


def bare_gemms(depth: int, width: int, batch: int, dtype: str) -> float:
    """Seconds for the run's matrix products alone: h = a Wᵀ, ∂W = gᵀa, ∂a = g W."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((batch, width)).astype(dtype)
    w = rng.standard_normal((width, width)).astype(dtype) / np.sqrt(width)
    g = rng.standard_normal((batch, width)).astype(dtype)
    with blas_threads_for(batch, (width, width)):  # the engine's own thread policy
        t0 = time.perf_counter()
        for _ in range(depth):
            a @ w.T
        for layer in range(depth):
            g.T @ a
            if layer:
                g @ w
        return time.perf_counter() - t0


def flops(depth: int, width: int, batch: int) -> float:
    return 2.0 * batch * width * width * (3 * depth - 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(f"{'depth':>5} {'width':>5} {'batch':>5} {'dtype':>7} {'act':>5} {'setup s':>8} "
          f"{'propagate s':>11} {'GEMM s':>8} {'GFLOP/s':>8} {'ratio':>6} {'w/ setup':>8}")
    for depth, width, batch, dtype, act in SIZES:
        spec = NetworkSpec(depth=depth, width=width, in_features=width, batch=batch, dtype=dtype,
                           activation=act,
                           init="kaiming_normal" if act == "relu" else "xavier_normal")
        ends = [collect(propagate(spec)).end for _ in range(args.repeat)]
        setup = min(e.setup_seconds for e in ends)
        engine = min(e.seconds - e.setup_seconds for e in ends)
        gemm = min(bare_gemms(depth, width, batch, dtype) for _ in range(args.repeat))
        print(f"{depth:>5} {width:>5} {batch:>5} {dtype:>7} {act:>5} {setup:>8.3f} "
              f"{engine:>11.3f} {gemm:>8.3f} {flops(depth, width, batch) / engine / 1e9:>8.1f} "
              f"{engine / gemm:>6.2f} {(setup + engine) / gemm:>8.2f}")


if __name__ == "__main__":
    main()
