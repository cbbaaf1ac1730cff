"""What the phase diagram covers: mean-field theory of plain layers only.

The diagram (Poole et al. 2016; Schoenholz et al. 2017) iterates h_l = a_{l−1} W_lᵀ + b_l,
a_l = φ(h_l). A norm or residual blocks (``engine.model.blocks``) change that recursion, so for
such a spec the coloured plane, χ1 and the point's phase do not describe the network. What is
true instead follows :mod:`gradexplorer.engine.theory.block_prediction`.
"""

from __future__ import annotations

from gradexplorer.engine.model.spec import NetworkSpec

NOTE = ("The phase diagram is mean-field theory of plain layers (h = W a + b, a = φ(h)); with "
        "{what} it does not describe this network. The point shows its σ_w², σ_b²; χ1, the "
        "phase and the growth below do not apply.")

_WHY = {
    "batch": ("Batch norm re-standardizes every unit of h over the batch, so the weights' "
              "scale σ_w² and the bias σ_b² divide out: the per-layer gradient factor is "
              "E[(∂L/∂h_l)²] / E[(∂L/∂h_{l+1})²] = σ_w² E[φ'(z)²](1 − 2/B) / (σ_w² Var a), "
              "set by the activation and the batch size B only. For ReLU it is "
              "π/(π−1)·(1 − 2/B) ≈ 1.47: the gradient explodes toward the input at every "
              "initialization (Yang, Pennington, Rao, Sohl-Dickstein & Schoenholz, ICLR 2019)."),
    "layer": ("Layer norm re-standardizes each example over the units: the per-layer gradient "
              "factor is σ_w² E[φ'(z)²](1 − 2/n) / q_l with q_l = σ_w² E[a²] + σ_b², so the "
              "weights' scale divides out (ReLU, σ_b = 0: 1 − 2/n, flat)."),
    "residual": ("Residual blocks a_l = a_{l−1} + α·φ(z_l) add the skip to every layer's "
                 "gradient; the app has no validated mean-field prediction for them (the "
                 "simple recursion misses ReLU's measured growth: the batch mean of a_l "
                 "accumulates through the skips). Measure it on the Layers tab."),
}
_NAMES = {"batch": "batch norm", "layer": "layer norm", "residual": "residual blocks"}


def _parts(spec: NetworkSpec) -> list[str]:
    parts = [spec.norm] if spec.norm in ("batch", "layer") else []
    return parts + (["residual"] if spec.residual else [])


def not_covered(spec: NetworkSpec | None) -> str | None:
    """The visible note when the diagram does not describe ``spec`` (None when it does)."""
    parts = _parts(spec) if spec is not None else []
    if not parts:
        return None
    return NOTE.format(what=" and ".join(_NAMES[p] for p in parts))


def why(spec: NetworkSpec | None) -> str:
    """The tooltip: what holds instead for each of the spec's blocks ("" for plain layers)."""
    parts = _parts(spec) if spec is not None else []
    tail = (" Where a prediction is validated the Layers tab draws it dashed "
            "(mean-field theory with norm).") if parts else ""
    return " ".join(_WHY[p] for p in parts) + tail
