"""Training speed: steps per second of ``train`` against the same loop in PyTorch (if importable).

The network: 10 layers of width 256 (ReLU, He normal) plus a linear readout to the 10 digit
classes, trained on the digits with SGD (momentum 0.9, lr 0.01), batch 64, cross-entropy. The
NumPy figure times the steps only (from the TrainStart record to the TrainEnd record, with a single
evaluation at the end); PyTorch runs ``zero_grad / forward / F.cross_entropy / backward / step``
on the same training rows, same dtype, same batch size, with ``torch.set_num_threads(--threads)``
when given. Best of ``--repeat`` runs each.

Run (torch is only needed for the comparison; it is never a dependency of gradexplorer)::

    .venv/bin/python benchmarks/bench_training.py                     # NumPy only
    PYTHONPATH=. /work/torchenv/bin/python benchmarks/bench_training.py  # NumPy and PyTorch
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /path/to/python benchmarks/bench_training.py --threads 1
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from gradexplorer.engine.data.tasks import make_task  # noqa: E402
from gradexplorer.engine.model.spec import NetworkSpec  # noqa: E402
from gradexplorer.engine.training.trainer import TrainConfig, TrainEnd, TrainStart, train  # noqa: E402


def numpy_steps_per_second(spec: NetworkSpec, config: TrainConfig) -> float:
    """Steps per second of :func:`train`, timing from TrainStart to TrainEnd."""
    t_start = None
    for rec in train(spec, config):
        if isinstance(rec, TrainStart):
            t_start = time.perf_counter()
        elif isinstance(rec, TrainEnd):
            assert rec.verdict == "completed", rec.verdict
            return config.steps / (time.perf_counter() - t_start)
    raise RuntimeError("the run ended without TrainEnd")


def torch_steps_per_second(spec: NetworkSpec, config: TrainConfig, threads: int | None) -> float:
    """Steps per second of the same training loop in PyTorch (CPU); raises ImportError."""
    import torch
    import torch.nn.functional as F

    if threads:
        torch.set_num_threads(threads)
    dtype = getattr(torch, spec.dtype)
    task = make_task(spec, config.task, config.loss, config.holdout)
    x = torch.as_tensor(task.x_train, dtype=dtype)
    y = torch.as_tensor(task.y_train)
    widths = spec.layer_widths(x.shape[1])
    torch.manual_seed(spec.seed)
    mods: list = []
    for i in range(1, len(widths)):
        lin = torch.nn.Linear(widths[i - 1], widths[i], dtype=dtype)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        mods += [lin, torch.nn.ReLU()]
    mods.append(torch.nn.Linear(widths[-1], task.n_outputs, dtype=dtype))
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    gen = torch.Generator().manual_seed(spec.seed)
    order = torch.cat([torch.randperm(x.shape[0], generator=gen)
                       for _ in range(config.steps * config.batch_size // x.shape[0] + 1)])
    t0 = time.perf_counter()
    for step in range(config.steps):
        idx = order[step * config.batch_size:(step + 1) * config.batch_size]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    assert torch.isfinite(loss)
    return config.steps / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dtype", default="float64", choices=("float32", "float64"))
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (set OPENBLAS_NUM_THREADS for NumPy yourself)")
    args = parser.parse_args()
    spec = NetworkSpec(depth=args.depth, width=args.width, activation="relu",
                       init="kaiming_normal", dtype=args.dtype)
    config = TrainConfig(steps=args.steps, lr=0.01, optimizer="sgd", momentum=0.9,
                         batch_size=args.batch_size, eval_every=args.steps, task="digits")
    print(f"{args.depth} layers × {args.width}, ReLU + He, digits, SGD momentum 0.9, batch "
          f"{args.batch_size}, {args.dtype}, {args.steps} steps, best of {args.repeat}; "
          f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
          f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    ours = max(numpy_steps_per_second(spec, config) for _ in range(args.repeat))
    print(f"gradexplorer (NumPy): {ours:8.1f} steps/s")
    try:
        theirs = max(torch_steps_per_second(spec, config, args.threads)
                     for _ in range(args.repeat))
    except ImportError:
        print("PyTorch not importable: run with a Python that has torch for the comparison")
        return
    import torch

    print(f"PyTorch {torch.__version__} CPU ({torch.get_num_threads()} threads): "
          f"{theirs:8.1f} steps/s")
    print(f"ratio NumPy / PyTorch: {ours / theirs:.2f} (1 = as fast as PyTorch)")


if __name__ == "__main__":
    main()
