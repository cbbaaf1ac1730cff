"""Engine speed where users live (issue 9): three figures, each as a ratio measured in one process.

1. The first-launch network (sigmoid, xavier_normal, depth 20, width 128, batch 256, float64):
   a full ``propagate`` (statistics and histograms included) against its bare matrix products
   (the same GEMMs on arrays of the same shapes, same thread policy). Cold = no cached weight
   draws (the very first run); warm = a gain drag (draws reused). Target: full ≤ 2× GEMM.
2. A sweep of 9 gain values × 3 seeds at depth 20 × width 256 (tanh, batch 256). Target ≤ 3 s.
3. ``gradexplorer run`` at 40 × 1024, batch 512, float32 (tanh, xavier_normal; weight draw,
   statistics and the printed table included, in-process, cold draw cache) against PyTorch CPU
   doing the same forward, backward (random-projection loss) and per-layer mean/std of the
   activations and of ∂L/∂h and ‖∂L/∂W‖, weights drawn by ``torch.nn.init.xavier_normal_``.
   Skipped when torch is not installed (it is never a dependency). Target ≤ 1.3×. Also printed:
   the same products in NumPy's BLAS and in torch's, whose ratio bounds the end-to-end one.

Run: ``python benchmarks/bench_speed.py [--repeat 3]`` (best of ``--repeat`` each; the machine's
load moves absolute times, the ratios are measured side by side).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from gradexplorer.cli.main import main as cli_main  # noqa: E402
from gradexplorer.engine.compute.blas import blas_threads_for  # noqa: E402
from gradexplorer.engine.model import draws  # noqa: E402
from gradexplorer.engine.model.activations import get_activation  # noqa: E402
from gradexplorer.engine.model.spec import NetworkSpec  # noqa: E402
from gradexplorer.engine.runs.propagation import propagate  # noqa: E402
from gradexplorer.engine.runs.result import collect  # noqa: E402
from gradexplorer.engine.runs.sweep import log_range, sweep  # noqa: E402

FIRST_LAUNCH = NetworkSpec(activation="sigmoid", init="xavier_normal", depth=20, width=128,
                           in_features=128, batch=256, dtype="float64")
SWEEP_SPEC = NetworkSpec(depth=20, width=256, in_features=256, batch=256, activation="tanh")
RUN_ARGS = ["run", "--depth", "40", "--width", "1024", "--in-features", "1024", "--batch", "512",
            "--dtype", "float32", "--activation", "tanh", "--init", "xavier_normal"]


def best(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bare_gemms(spec: NetworkSpec) -> float:
    """Seconds for the run's matrix products alone: h = a Wᵀ, ∂W = gᵀa, ∂a = g W per layer."""
    rng = np.random.default_rng(0)
    n, b, depth = spec.width, spec.batch, spec.depth
    a = rng.standard_normal((b, n)).astype(spec.dtype)
    w = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(spec.dtype)
    g = rng.standard_normal((b, n)).astype(spec.dtype)
    with blas_threads_for(b, (n, n)):
        t0 = time.perf_counter()
        for _ in range(depth):
            a @ w.T
        for layer in range(depth):
            g.T @ a
            if layer:
                g @ w
        return time.perf_counter() - t0


def first_launch(repeat: int) -> None:
    spec = FIRST_LAUNCH
    collect(propagate(spec))  # imports, first-touch
    gains = iter(np.linspace(0.5, 3.0, 10_000))

    def cold():
        draws.clear()
        collect(propagate(spec))

    def warm():  # a drag: a new gain every run, the draws reused
        collect(propagate(spec.replace(gain=float(next(gains)))))

    def prop():
        end = collect(propagate(spec.replace(gain=float(next(gains))))).end
        return end.seconds - end.setup_seconds

    act = get_activation(spec.activation)
    h = np.random.default_rng(0).standard_normal((spec.batch, spec.width))

    def kernel():  # the activation and its derivative, once per layer: not a GEMM, not optional
        for _ in range(spec.depth):
            act.forward_and_derivative(h)

    # interleaved rounds, best of each: a busy machine slows all of them alike in one round
    t_gemm = t_cold = t_warm = t_prop = t_kernel = float("inf")
    for _ in range(max(repeat, 5) * 3):
        t_gemm = min(t_gemm, bare_gemms(spec))
        t_kernel = min(t_kernel, best(kernel, 1))
        t_cold = min(t_cold, best(cold, 1))
        t_warm = min(t_warm, best(warm, 1))
        t_prop = min(t_prop, prop())
    print("1. first-launch network (sigmoid, xavier_normal, 20 x 128, batch 256, float64)")
    print(f"   bare GEMMs {t_gemm * 1e3:7.1f} ms")
    print(f"   full run, cold draws {t_cold * 1e3:7.1f} ms  ratio {t_cold / t_gemm:5.2f}")
    print(f"   full run, warm draws {t_warm * 1e3:7.1f} ms  ratio {t_warm / t_gemm:5.2f}"
          "   (target <= 2)")
    print(f"   forward+backward+statistics only {t_prop * 1e3:7.1f} ms  "
          f"ratio {t_prop / t_gemm:5.2f}")
    print(f"   the {spec.activation} kernel alone (φ and φ', {spec.depth} layers) "
          f"{t_kernel * 1e3:7.1f} ms  ratio {t_kernel / t_gemm:5.2f}; "
          f"warm run / (GEMMs + kernel) {t_warm / (t_gemm + t_kernel):5.2f}")


def sweep_figure(repeat: int) -> None:
    values = log_range(0.5, 2.0, 9)

    def cold():
        draws.clear()
        for _ in sweep(SWEEP_SPEC, "gain", values, seeds=3):
            pass

    t_sweep = t_runs = t_gemm = float("inf")
    for _ in range(repeat):
        t_gemm = min(t_gemm, bare_gemms(SWEEP_SPEC))
        t_sweep = min(t_sweep, best(cold, 1))
        t_runs = min(t_runs, best(lambda: [collect(propagate(SWEEP_SPEC.replace(gain=g)))
                                           for g in values[:3]], 1) / 3)
    print("2. sweep: gain 9 values x 3 seeds, tanh 20 x 256, batch 256, float64")
    print(f"   {t_sweep:6.2f} s (target <= 3 s on a quiet machine); 27 full runs would take "
          f"{27 * t_runs:6.2f} s (ratio {t_sweep / (27 * t_runs):4.2f}); "
          f"27 x the bare GEMMs of a full run {27 * t_gemm:6.2f} s "
          f"(ratio {t_sweep / (27 * t_gemm):4.2f})")


def run_cli() -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli_main(RUN_ARGS) == 0


def torch_run() -> float:
    """The same forward, backward and per-layer statistics in PyTorch; returns seconds."""
    import torch

    torch.manual_seed(0)
    depth, width, batch = 40, 1024, 512
    t0 = time.perf_counter()
    weights = [torch.nn.init.xavier_normal_(torch.empty(width, width)).requires_grad_()
               for _ in range(depth)]
    x = torch.randn(batch, width)
    hs, stats = [], []
    a = x
    for w in weights:
        h = a @ w.T
        h.retain_grad()
        a = torch.tanh(h)
        hs.append(h)
        stats.append((a.mean().item(), a.std(unbiased=False).item()))
    g = torch.randn(batch, width)
    (a * g).sum().backward()
    grads = [(h.grad.mean().item(), h.grad.std(unbiased=False).item(), w.grad.norm().item())
             for h, w in zip(hs, weights, strict=True)]
    assert len(grads) == depth
    return time.perf_counter() - t0


def gemm_pair(repeat: int) -> tuple[float, float]:
    """Best seconds of the run's 119 products (40 layers, float32) in NumPy's BLAS and torch's."""
    import torch

    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 1024)).astype(np.float32)
    w = rng.standard_normal((1024, 1024)).astype(np.float32)
    ta, tw = torch.from_numpy(a.copy()), torch.from_numpy(w.copy())

    def numpy_products():
        for layer in range(40):
            a @ w.T
            a.T @ a
            if layer:
                a @ w

    def torch_products():
        for layer in range(40):
            ta @ tw.T
            ta.T @ ta
            if layer:
                ta @ tw

    t_np = t_torch = float("inf")
    for _ in range(repeat):
        t_np = min(t_np, best(numpy_products, 1))
        t_torch = min(t_torch, best(torch_products, 1))
    return t_np, t_torch


def versus_torch(repeat: int) -> None:
    def ours():
        draws.clear()
        run_cli()

    print("3. gradexplorer run 40 x 1024, batch 512, float32 (draw + run + table, in-process)")
    try:
        import torch
    except ImportError:
        print(f"   gradexplorer {best(ours, repeat):6.2f} s; torch not installed: comparison "
              "skipped")
        return
    torch_run()  # warm-up (thread pools, allocator)
    t_ours = t_torch = float("inf")
    for _ in range(repeat):  # interleaved: the machine's load hits both alike
        t_ours = min(t_ours, best(ours, 1))
        t_torch = min(t_torch, torch_run())
    g_np, g_torch = gemm_pair(repeat)
    print(f"   gradexplorer {t_ours:6.2f} s, PyTorch {torch.__version__} CPU "
          f"({torch.get_num_threads()} threads) {t_torch:6.2f} s; ratio {t_ours / t_torch:5.2f}"
          "   (target <= 1.3)")
    print(f"   the same products alone: NumPy's BLAS {g_np:6.2f} s, torch's {g_torch:6.2f} s; "
          f"ratio {g_np / g_torch:5.2f} (the floor of the end-to-end ratio)")
    print(f"   end to end over bare products: gradexplorer {t_ours / g_np:5.2f}, "
          f"PyTorch {t_torch / g_torch:5.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", choices=("first", "sweep", "torch"))
    args = p.parse_args()
    if args.only in (None, "first"):
        first_launch(args.repeat)
    if args.only in (None, "sweep"):
        sweep_figure(args.repeat)
    if args.only in (None, "torch"):
        versus_torch(args.repeat)


if __name__ == "__main__":
    main()
