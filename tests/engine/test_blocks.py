"""Normalized and residual blocks: exact gradients (finite differences), scaling, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.model.norms import EPS
from gradexplorer.engine.model.spec import ACTIVATION_NAMES, NetworkSpec, SpecError
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.records import BackwardLayer, ForwardLayer, RunStart

WIDTHS = (6, 6, 4, 4)  # n_0 = 5: layers 1 and 3 change width (plain), 2 and 4 can be residual


def _spec(act: str, norm: str, residual: bool, **kw) -> NetworkSpec:
    base = dict(depth=4, widths=WIDTHS, in_features=5, batch=7, activation=act, norm=norm,
                residual=residual, residual_scale=0.7, init="xavier_normal", gain=1.3,
                bias_init="normal", bias_std=0.2, seed=3)
    base.update(kw)
    return NetworkSpec(**base)


def _reference_loss(arr: dict, act: str, norm: str, residual: bool, alpha: float) -> float:
    """L = Σ G ⊙ a_L by an independent NumPy forward (no engine code but φ)."""
    phi = get_activation(act).forward
    a = arr["x"]
    for i in range(1, len(WIDTHS) + 1):
        h = a @ arr[f"W{i}"].T + arr[f"b{i}"]
        if norm != "none":
            axis = 0 if norm == "batch" else 1
            mu = h.mean(axis=axis, keepdims=True)
            var = ((h - mu) ** 2).mean(axis=axis, keepdims=True)
            h = (h - mu) / np.sqrt(var + EPS)
        skip = residual and arr[f"W{i}"].shape[0] == arr[f"W{i}"].shape[1]
        a = a + alpha * phi(h) if skip else phi(h)
    return float(np.sum(arr["grad_output"] * a))


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
@pytest.mark.parametrize("act", ACTIVATION_NAMES)
def test_gradients_match_finite_differences(act, norm, residual):
    spec = _spec(act, norm, residual)
    arr: dict = {}
    list(propagate(spec, arr))
    base = {k: v.astype(np.float64) for k, v in arr.items()}
    eps = 1e-6
    for i in range(1, len(WIDTHS) + 1):
        for name in (f"W{i}", f"b{i}"):
            fd = np.empty_like(base[name])
            for j in np.ndindex(fd.shape):
                plus, minus = dict(base), dict(base)
                plus[name] = base[name].copy()
                minus[name] = base[name].copy()
                plus[name][j] += eps
                minus[name][j] -= eps
                fd[j] = (_reference_loss(plus, act, norm, residual, 0.7)
                         - _reference_loss(minus, act, norm, residual, 0.7)) / (2 * eps)
            got = arr[f"grad_{name[0]}{i}"]
            scale = max(1.0, float(np.abs(fd).max()))
            np.testing.assert_allclose(got, fd, atol=2e-6 * scale, rtol=1e-5,
                                       err_msg=f"{name} {act} {norm} residual={residual}")
        # ∂L/∂h_l is what ∂L/∂W_l and ∂L/∂b_l are built from
        np.testing.assert_allclose(arr[f"grad_b{i}"], arr[f"grad_h{i}"].sum(axis=0), atol=1e-12)


def test_batch_norm_removes_the_bias_gradient_and_normalizes_each_unit():
    spec = _spec("tanh", "batch", False, widths=None, width=8, depth=3, in_features=8, batch=64)
    arr: dict = {}
    recs = list(propagate(spec, arr))
    for i in (1, 2, 3):
        assert np.abs(arr[f"grad_b{i}"]).max() < 1e-12  # Σ_batch ∂L/∂h = 0 under batch norm
    fwd = [r for r in recs if isinstance(r, ForwardLayer)]
    for r in fwd:
        assert abs(r.normed_mean) < 1e-12
        assert r.normed_std == pytest.approx(1.0, abs=1e-4)  # eps 1e-5 against var ≈ O(1)


def test_layer_norm_statistics_and_plain_layers_are_described():
    spec = _spec("relu", "layer", True)
    recs = list(propagate(spec))
    start = recs[0]
    assert isinstance(start, RunStart)
    assert "layer norm" in start.data_description
    assert "plain (width changes): layers 1, 3" in start.data_description
    assert all(abs(r.normed_mean) < 1e-12 for r in recs if isinstance(r, ForwardLayer))
    plain = _spec("relu", "none", False)
    assert all(r.normed_std is None for r in propagate(plain) if isinstance(r, ForwardLayer))


def test_rezero_is_the_identity_and_gives_no_branch_gradient():
    spec = NetworkSpec(depth=6, width=16, in_features=16, batch=8, activation="relu",
                       init="kaiming_normal", residual=True, residual_scale=0.0)
    arr: dict = {}
    recs = list(propagate(spec, arr))
    stds = [r.act_std for r in recs if isinstance(r, ForwardLayer)]
    assert stds == pytest.approx([float(arr["x"].std())] * 6, rel=1e-12)
    assert all(np.all(arr[f"grad_W{i}"] == 0) for i in range(1, 7))


def test_residual_scaling_stays_exact_beyond_float_range():
    # residual ReLU with He init × 3: the gradient grows ~×(1 + 9)^(1/2) per layer: 10^300+
    spec = NetworkSpec(depth=700, width=16, in_features=16, batch=8, activation="relu",
                       init="kaiming_normal", gain=3.0, residual=True, residual_scale=1.0)
    logs = np.array([r.log10_grad_preact_rms for r in propagate(spec)
                     if isinstance(r, BackwardLayer)])
    assert np.all(np.isfinite(logs))
    assert logs[-1] - logs[0] > 320  # layer 1 (last record) is far beyond float64 range
    # the rescaled sums are the same computation in float32 and float64
    s32 = spec.replace(dtype="float32", depth=60)
    s64 = spec.replace(depth=60)
    g32 = [r.log10_grad_preact_rms for r in propagate(s32) if isinstance(r, BackwardLayer)]
    g64 = [r.log10_grad_preact_rms for r in propagate(s64) if isinstance(r, BackwardLayer)]
    np.testing.assert_allclose(g32, g64, atol=1e-3)


@pytest.mark.parametrize("changes, field, text", [
    (dict(norm="group"), "norm", "unknown norm 'group'"),
    (dict(residual_scale=-0.5), "residual_scale", "zero or positive"),
    (dict(residual_scale=math.inf), "residual_scale", "finite"),
    (dict(norm="batch", batch=1), "batch", "batch norm needs a batch of at least 2"),
    (dict(residual="maybe"), "residual", "true or false"),
])
def test_bad_architecture_settings_are_refused_clearly(changes, field, text):
    with pytest.raises(SpecError, match=text) as info:
        NetworkSpec.from_dict(changes)
    assert info.value.field == field


def test_architecture_round_trips_through_dict_and_strings():
    spec = NetworkSpec.from_dict({"norm": "Layer", "residual": "yes", "residual_scale": "0.25"})
    assert (spec.norm, spec.residual, spec.residual_scale) == ("layer", True, 0.25)
    assert NetworkSpec.from_dict(spec.to_dict()) == spec


def test_sweeping_alpha_moves_the_residual_explosion():
    from gradexplorer.engine.runs.sweep import sweep

    spec = NetworkSpec(depth=10, width=64, in_features=64, batch=32, activation="relu",
                       init="kaiming_normal", residual=True)
    rows = list(sweep(spec, "residual_scale", [0.1, 0.5, 1.0]))
    ratios = [float(r.mean[0] - r.mean[-1]) for r in rows]
    assert ratios[0] < ratios[1] < ratios[2]  # layer 1 over layer L grows with α
    with pytest.raises(SpecError, match="not residual"):
        list(sweep(spec.replace(residual=False), "residual_scale", [0.5]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [-300, -121, -120, -60, -11, -1, 0, 1, 7, 60, 120])
def test_scale_pow2_is_ldexp_bit_for_bit(dtype, k):
    """The renormalization's multiply by 2**k equals ldexp, subnormal results and signs too."""
    from gradexplorer.engine.model.blocks import scale_pow2

    rng = np.random.default_rng(abs(k))
    tiny = float(np.finfo(dtype).tiny)
    x = np.concatenate([rng.standard_normal(3000), rng.standard_normal(300) * tiny * 2.0**10,
                        [np.nan, 0.0, -0.0, tiny]]).astype(dtype)
    if k > 0:
        x[:3000] /= 8.0  # no overflow at k = 120 in float32
    got = scale_pow2(x.copy(), k)
    want = np.ldexp(x, k)
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
