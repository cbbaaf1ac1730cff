"""Start-up, engine and PyTorch comparisons printed by ``bench_interactive.py``.

- :func:`startup`: first complete result of gradexplorer's window vs a bare Qt + pyqtgraph
  window, each in a fresh subprocess (``startup_child.py``), alternating, median of ``runs``;
  gradexplorer is byte-compiled first, as an install leaves it (:func:`compile_package`).
- :func:`engine_vs_gemm`: the first-launch run (statistics and histograms included, weight
  draw excluded: ``RunEnd.seconds - setup_seconds``) vs exactly its matrix products; also the
  run without histograms, without histograms and prediction, and the histograms' bare
  ``bincount``/``log10`` calls (:func:`histogram_floor`), to show where the ratio comes from.
- :func:`run_vs_torch`: 40 × 1024, batch 512, float32, tanh + Xavier normal, weight draw
  included: ``collect(propagate(spec))`` vs PyTorch doing the same draw, forward, backward
  and per-layer mean/std (in one process, best of ``repeat``), and ``gradexplorer run``
  vs the same PyTorch work as a script, each a fresh subprocess (interpreter and imports
  included: what a user waits for).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

TORCH_WORK = '''
import time, torch
def torch_run(depth, width, batch, seed=0):
    torch.manual_seed(seed)
    ws = []
    for _ in range(depth):
        w = torch.empty(width, width)
        torch.nn.init.xavier_normal_(w)
        ws.append(w.requires_grad_())
    x = torch.randn(batch, width)
    hs, stats = [], []
    a = x
    for w in ws:
        h = a @ w.T
        h.retain_grad()
        hs.append(h)
        a = torch.tanh(h)
        stats.append((a.mean().item(), a.std().item()))
    loss = 0.5 * (a * a).sum() / batch
    loss.backward()
    grads = [(h.grad.pow(2).mean().sqrt().item(), w.grad.std().item()) for h, w in zip(hs, ws)]
    return stats, grads
'''


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _child(kind: str) -> float:
    t0 = time.time()
    out = subprocess.run([sys.executable, str(HERE / "startup_child.py"), kind, repr(t0)],
                         capture_output=True, text=True, env=_env(), timeout=120)
    line = next((s for s in out.stdout.splitlines() if s.startswith("seconds ")), None)
    if line is None:
        raise RuntimeError(f"startup child {kind} failed: {out.stderr[-500:]}")
    return float(line.split()[1])


def compile_package() -> None:
    """Byte-compile gradexplorer as installing it does (``pip install`` writes the bytecode of
    every module, as it did for PySide6, pyqtgraph and NumPy, which the bare window imports).
    Without it, a source tree run under ``PYTHONDONTWRITEBYTECODE=1`` recompiles its ~100
    modules at every launch (≈ 0.25 s here), which no user's launch pays. Python checks each
    ``.pyc`` against its source, so a stale one is never used."""
    import compileall

    compileall.compile_dir(str(ROOT / "gradexplorer"), quiet=1)


def startup(runs: int) -> dict[str, float]:
    """Median seconds to the first complete result (app) and to a bare window's first paint
    (the package byte-compiled first, as installed: :func:`compile_package`)."""
    compile_package()
    bare, app = [], []
    for _ in range(runs):
        bare.append(_child("bare"))
        app.append(_child("app"))
    return {"bare": statistics.median(bare), "app": statistics.median(app),
            "bare_all": bare, "app_all": app}


def engine_vs_gemm(spec, repeat: int = 15) -> dict[str, float]:
    """Best-of-``repeat`` seconds of the run (after setup), of the same run without histograms,
    without histograms and prediction, and of its bare matrix products, all measured in turn
    (run, ..., products, run, ...) so a busy moment of a shared machine slows each alike.

    ``hist_floor``: the histograms' unavoidable NumPy calls alone (:func:`histogram_floor`).
    """
    from bench_engine import bare_gemms

    from gradexplorer.engine.runs.propagation import propagate
    from gradexplorer.engine.runs.result import collect

    variants = {"run": {}, "no_hist": {"histograms": False},
                "bare_run": {"histograms": False, "theory": False}}
    times: dict[str, list[float]] = {k: [] for k in (*variants, "gemm", "hist_floor")}
    setups = []
    for _ in range(repeat):
        for key, kw in variants.items():
            end = collect(propagate(spec, **kw)).end
            times[key].append(end.seconds - end.setup_seconds)
            if key == "run":
                setups.append(end.setup_seconds)
        times["gemm"].append(bare_gemms(spec.depth, spec.width, spec.batch, spec.dtype))
        times["hist_floor"].append(histogram_floor(spec))
    out = {k: min(v) for k, v in times.items()}
    out["setup"] = min(setups)
    return out


def histogram_floor(spec) -> float:
    """Seconds of the calls no NumPy histogram of the run can avoid: per layer, one
    ``np.bincount`` for each of its three histograms (pre-activation, activation, ∂L/∂h) and
    one ``np.log10`` for the gradient's, on as many entries as the run bins
    (``statistics.HISTOGRAM_SAMPLE`` at most)."""
    import numpy as np

    from gradexplorer.engine.runs.statistics import sample_rows

    rng = np.random.default_rng(0)
    n = sample_rows(np.empty((spec.batch, spec.width))).size
    idx = rng.integers(0, 66, n)
    mags = np.abs(rng.standard_normal(n)) + 1e-3
    buf = np.empty(n)
    t0 = time.perf_counter()
    for _ in range(spec.depth):
        for _ in range(3):
            np.bincount(idx, minlength=66)
        np.log10(mags, out=buf)
    return time.perf_counter() - t0


def run_vs_torch(repeat: int = 3, depth: int = 40, width: int = 1024,
                 batch: int = 512) -> dict[str, float] | None:
    """Seconds for ours and PyTorch's (in-process best, subprocess median); None without torch."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    from gradexplorer.engine.model.spec import NetworkSpec
    from gradexplorer.engine.runs.propagation import propagate
    from gradexplorer.engine.runs.result import collect

    spec = NetworkSpec(depth=depth, width=width, in_features=width, batch=batch,
                       dtype="float32", activation="tanh", init="xavier_normal")
    scope: dict = {}
    exec(TORCH_WORK, scope)  # noqa: S102 - our own constant source
    ours, theirs = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        collect(propagate(spec))
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scope["torch_run"](depth, width, batch)
        theirs.append(time.perf_counter() - t0)
    cli = [sys.executable, "-m", "gradexplorer", "run", "--depth", str(depth), "--width",
           str(width), "--in-features", str(width), "--batch", str(batch), "--dtype", "float32",
           "--activation", "tanh", "--init", "xavier_normal", "--format", "json"]
    script = TORCH_WORK + f"\nimport json; print(json.dumps(torch_run({depth}, {width}, {batch})))"
    cli_s, torch_s = [], []
    for _ in range(repeat):
        for cmd, out in ((cli, cli_s), ([sys.executable, "-c", script], torch_s)):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=_env(), check=True, timeout=300)
            out.append(time.perf_counter() - t0)
    return {"ours": min(ours), "torch": min(theirs), "cli": statistics.median(cli_s),
            "torch_script": statistics.median(torch_s)}
